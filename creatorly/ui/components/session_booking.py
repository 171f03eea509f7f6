"""Paid-session pieces for fans: the storefront's offer card, the timezone picker, day-by-day slot buttons and the
1–5 rating group."""

from __future__ import annotations

from typing import Any

import reflex as rx

SECTION_BORDER = f"1px solid {rx.color('gray', 5)}"


def section_card(*children: rx.Component, title: str | rx.Var[str], title_id: str, **props: Any) -> rx.Component:
    """A bordered section with an h2 that names it."""
    return rx.el.section(
        rx.vstack(
            rx.heading(title, as_="h2", size="5", id=title_id, class_name="wrap-anywhere"),
            *children,
            spacing="3",
            width="100%",
            align="start",
        ),
        aria_labelledby=title_id,
        border=SECTION_BORDER,
        border_radius="var(--radius-4)",
        padding=["1rem", "1.25rem", "1.5rem"],
        width="100%",
        **props,
    )


def offer_card(offer: Any) -> rx.Component:
    """One session type on the storefront: title, length, price, description and its "Book" link."""
    return rx.el.li(
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.text(offer.title, weight="bold", size="4", class_name="wrap-anywhere"),
                    rx.hstack(
                        rx.badge(rx.icon("clock", size=12), offer.length_label, variant="soft", radius="full"),
                        rx.badge(offer.price_label, variant="soft", color_scheme="green", radius="full"),
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.cond(
                        offer.description != "",
                        rx.text(offer.description, size="2", color_scheme="gray", class_name="wrap-anywhere"),
                    ),
                    spacing="2",
                    align="start",
                    flex="1",
                ),
                rx.link(
                    rx.button(rx.icon("calendar-plus", size=16), "Book", size="3"),
                    href=offer.href,
                    aria_label=offer.link_label,
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                align=rx.breakpoints(initial="start", sm="center"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        list_style="none",
    )


def offers_list(offers: rx.Var[list[Any]]) -> rx.Component:
    return rx.el.ul(
        rx.foreach(offers, offer_card),
        display="flex",
        flex_direction="column",
        gap="0.75rem",
        padding="0",
        margin="0",
        width="100%",
    )


def timezone_picker(*, value: rx.Var[str], options: rx.Var[list[str]], on_change: Any) -> rx.Component:
    """The zone the times are shown in (the browser's at first), as a native select."""
    return rx.hstack(
        rx.el.label("Times shown in", html_for="field-fan-timezone", class_name="field-label"),
        rx.el.select(
            rx.foreach(options, lambda zone: rx.el.option(zone, value=zone)),
            id="field-fan-timezone",
            value=value,
            on_change=on_change,
            class_name="native-select",
            max_width="100%",
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _slot_button(slot: Any, *, chosen: rx.Var[str], on_choose: Any) -> rx.Component:
    is_chosen = chosen == slot.starts_at
    return rx.button(
        slot.label,
        type="button",
        size="2",
        variant=rx.cond(is_chosen, "solid", "outline"),
        aria_pressed=rx.cond(is_chosen, "true", "false"),
        aria_label=slot.name,
        on_click=on_choose(slot.starts_at, slot.when),
        min_width="4.5rem",
    )


def _day(day: Any, *, chosen: rx.Var[str], on_choose: Any) -> rx.Component:
    return rx.vstack(
        rx.heading(day.label, as_="h3", size="3"),
        rx.flex(
            rx.foreach(day.slots, lambda slot: _slot_button(slot, chosen=chosen, on_choose=on_choose)),
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
        align="start",
    )


def slot_picker(
    *, days: rx.Var[list[Any]], chosen: rx.Var[str], is_loading: rx.Var[bool], on_choose: Any
) -> rx.Component:
    """Free times day by day; a spinner while they load; a note when there are none."""
    return rx.cond(
        is_loading,
        rx.hstack(rx.spinner(), rx.text("Loading free times…"), role="status", aria_busy="true", padding_y="1rem"),
        rx.cond(
            days.length() > 0,
            rx.vstack(
                rx.foreach(days, lambda day: _day(day, chosen=chosen, on_choose=on_choose)),
                spacing="4",
                width="100%",
                max_height="28rem",
                overflow_y="auto",
                data_testid="slot-days",
            ),
            rx.text("No free times in the coming weeks. Please check back later.", color_scheme="gray"),
        ),
    )


def rating_group(*, name: str, legend: str, form_id: str) -> rx.Component:
    """1 to 5 as a labelled radio group inside a form (optional: nothing picked sends nothing)."""
    return rx.el.fieldset(
        rx.el.legend(legend, class_name="field-label"),
        rx.flex(
            *[
                rx.el.label(
                    rx.el.input(
                        type="radio",
                        name=name,
                        value=str(score),
                        id=f"{form_id}-{name}-{score}",
                        aria_label=f"{score} out of 5",
                    ),
                    rx.text(str(score), as_="span", size="3"),
                    display="flex",
                    align_items="center",
                    gap="0.25rem",
                    cursor="pointer",
                    html_for=f"{form_id}-{name}-{score}",
                )
                for score in range(1, 6)
            ],
            spacing="4",
            wrap="wrap",
        ),
        rx.text("1 is poor, 5 is excellent.", size="1", color_scheme="gray"),
        role="radiogroup",
        aria_label=legend,
        border="none",
        padding="0",
        margin="0",
        display="flex",
        flex_direction="column",
        gap="0.5rem",
    )
