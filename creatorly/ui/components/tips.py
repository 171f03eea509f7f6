"""Tip jar pieces: the tip form with preset amounts, the goal's progress bar and the supporter wall."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui.components.forms import field, form_error

TIP_SECTION_ID = "tip"


def goal_progress(
    *, title: rx.Var[str], raised_label: rx.Var[str], goal_label: rx.Var[str], percent: rx.Var[int]
) -> rx.Component:
    """The goal's title, a progress bar and "$12.50 of $40.00" (the bar is named for screen readers)."""
    return rx.vstack(
        rx.hstack(
            rx.icon("target", size=16, color=rx.color("violet", 11), aria_hidden="true"),
            rx.text(title, weight="bold", size="3", class_name="wrap-anywhere"),
            align="center",
            spacing="2",
        ),
        rx.progress(value=percent, max=100, width="100%", aria_label=title + " progress", color_scheme="violet"),
        rx.text(
            rx.text.strong(raised_label),
            " of ",
            goal_label,
            " · ",
            percent.to_string(),
            "%",
            size="2",
            color_scheme="gray",
        ),
        spacing="2",
        width="100%",
        align="start",
        data_testid="tip-goal",
    )


def _preset_button(preset: Any, *, amount_text: rx.Var[str], on_choose: Any) -> rx.Component:
    is_chosen = amount_text == preset.text
    return rx.button(
        preset.label,
        type="button",
        size="3",
        variant=rx.cond(is_chosen, "solid", "outline"),
        aria_pressed=rx.cond(is_chosen, "true", "false"),
        on_click=on_choose(preset.text),
        min_width="5rem",
    )


def _switch_row(label: str, *, checked: rx.Var[bool], on_change: Any, hint: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(checked=checked, on_change=on_change, size="2", aria_label=label),
            rx.vstack(
                rx.text(label, size="2", weight="medium"),
                rx.text(hint, size="1", color_scheme="gray"),
                spacing="0",
                align="start",
            ),
            align="start",
            spacing="2",
        ),
        cursor="pointer",
    )


def tip_form(
    *,
    creator_name: rx.Var[str],
    presets: rx.Var[list[Any]],
    minimum_label: rx.Var[str],
    amount_text: rx.Var[str],
    on_choose_amount: Any,
    on_amount_change: Any,
    is_public: rx.Var[bool],
    on_public_change: Any,
    is_anonymous: rx.Var[bool],
    on_anonymous_change: Any,
    buyer_email: rx.Var[str],
    error: rx.Var[str],
    is_sending: rx.Var[bool],
    on_submit: Any,
) -> rx.Component:
    """Preset amounts or a custom one, an optional message and name, public or private, and the fan's email."""
    return rx.form(
        rx.vstack(
            form_error(error),
            rx.el.fieldset(
                rx.el.legend("Amount", class_name="field-label"),
                rx.flex(
                    rx.foreach(
                        presets,
                        lambda preset: _preset_button(preset, amount_text=amount_text, on_choose=on_choose_amount),
                    ),
                    gap="0.5rem",
                    wrap="wrap",
                ),
                border="none",
                padding="0",
                margin="0",
                display="flex",
                flex_direction="column",
                gap="0.5rem",
                width="100%",
            ),
            field(
                "Or your own amount",
                name="amount",
                form_id="tip",
                value=amount_text,
                on_change=on_amount_change,
                input_mode="decimal",
                hint="From " + minimum_label + ".",
            ),
            rx.vstack(
                rx.el.label("Message (optional)", html_for="field-tip-message", class_name="field-label"),
                rx.text_area(
                    id="field-tip-message",
                    name="message",
                    max_length=500,
                    rows="3",
                    width="100%",
                    size="3",
                    placeholder="Say something nice to " + creator_name,
                ),
                rx.text("Up to 500 characters.", size="1", color_scheme="gray"),
                spacing="1",
                width="100%",
                align="start",
            ),
            rx.cond(
                ~is_anonymous,
                field(
                    "Your name (shown with your tip)",
                    name="display_name",
                    form_id="tip",
                    max_length=60,
                    auto_complete="name",
                ),
            ),
            rx.flex(
                _switch_row(
                    "Anonymous",
                    checked=is_anonymous,
                    on_change=on_anonymous_change,
                    hint="Your name isn't shown; you're “Anonymous”.",
                ),
                _switch_row(
                    "Show on the supporter wall",
                    checked=is_public,
                    on_change=on_public_change,
                    hint="Off: only the creator sees your message.",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                gap="1rem",
                width="100%",
            ),
            field(
                "Email for your receipt",
                name="email",
                form_id="tip",
                input_type="email",
                default_value=buyer_email,
                auto_complete="email",
                required=True,
            ),
            rx.button(
                rx.icon("heart", size=16),
                "Send tip",
                type="submit",
                size="3",
                width="100%",
                loading=is_sending,
                disabled=~rx.State.is_hydrated,
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def tip_card(*children: rx.Component, creator_name: rx.Var[str]) -> rx.Component:
    """The "Support <name>" section around the goal and the form."""
    return rx.el.section(
        rx.vstack(
            rx.hstack(
                rx.center(
                    rx.icon("heart", size=20, color=rx.color("violet", 11)),
                    width="2.5rem",
                    height="2.5rem",
                    border_radius="50%",
                    background_color=rx.color("violet", 3),
                    flex_shrink="0",
                    aria_hidden="true",
                ),
                rx.heading("Support ", creator_name, as_="h2", size="5", id="tip-title", class_name="wrap-anywhere"),
                align="center",
                spacing="3",
            ),
            rx.text("Send a one-off tip, with a message if you like.", size="2", color_scheme="gray"),
            *children,
            spacing="4",
            width="100%",
        ),
        id=TIP_SECTION_ID,
        aria_labelledby="tip-title",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-4)",
        padding=["1rem", "1.25rem", "1.5rem"],
        width="100%",
    )


def _wall_entry(entry: Any) -> rx.Component:
    return rx.el.li(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text(entry.supporter, weight="bold", class_name="wrap-anywhere"),
                    rx.badge(entry.amount_label, variant="soft", radius="full"),
                    rx.spacer(),
                    rx.text(entry.date_label, size="1", color_scheme="gray"),
                    align="center",
                    width="100%",
                    wrap="wrap",
                ),
                rx.cond(
                    entry.message != "",
                    # Plain text rendered as text (React escapes it); line breaks kept by CSS.
                    rx.text(entry.message, size="2", white_space="pre-line", class_name="wrap-anywhere"),
                ),
                spacing="2",
                width="100%",
                align="start",
            ),
            width="100%",
        ),
        list_style="none",
    )


def supporter_wall(
    *, entries: rx.Var[list[Any]], page: rx.Var[int], has_more: rx.Var[bool], on_page: Any
) -> rx.Component:
    """Public messages from paid tips, newest first, one page at a time."""
    return rx.el.section(
        rx.heading("Supporter wall", as_="h2", size="5", id="wall-title"),
        rx.cond(
            entries.length() > 0,
            rx.el.ul(
                rx.foreach(entries, _wall_entry),
                display="flex",
                flex_direction="column",
                gap="0.75rem",
                padding="0",
                margin="0",
                width="100%",
                data_testid="supporter-wall",
            ),
            rx.text("No public messages yet. Be the first to leave one!", color_scheme="gray", size="2"),
        ),
        rx.cond(
            (page > 1) | has_more,
            rx.hstack(
                rx.button("Newer", variant="soft", size="2", disabled=page <= 1, on_click=on_page(page - 1)),
                rx.text("Page ", page.to_string(), size="2", color_scheme="gray"),
                rx.button("Older", variant="soft", size="2", disabled=~has_more, on_click=on_page(page + 1)),
                align="center",
            ),
        ),
        aria_labelledby="wall-title",
        display="flex",
        flex_direction="column",
        gap="0.75rem",
        width="100%",
    )
