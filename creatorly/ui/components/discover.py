"""Discover pieces: the labelled filter form, the results summary and the pagination bar."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui.components.forms import field, submit_button


def labelled_select(
    label: str, *, name: str, options: list[tuple[str, str]], value: rx.Var[str], on_change: Any
) -> rx.Component:
    """A select announced as "<label> <current choice>"; a hidden input carries its value in the form data.

    The select root gets no `name`: with one, Radix renders its own hidden native `<select>` that no label
    can reach, which screen readers and axe report as an unlabelled select.
    """
    field_id = f"field-{name}"
    # The whole block is the label: Radix renders a hidden native <select> inside any form, and only an
    # enclosing label can name it (the trigger keeps its own aria-labelledby).
    return rx.el.label(
        rx.el.span(label, id=f"{field_id}-label", class_name="field-label"),
        rx.select.root(
            rx.select.trigger(id=field_id, width="100%", aria_labelledby=f"{field_id}-label {field_id}"),
            rx.select.content(*[rx.select.item(text, value=key) for key, text in options], position="popper"),
            value=value,
            on_change=on_change,
            size="3",
        ),
        rx.el.input(type="hidden", name=name, value=value),
        style={"display": "flex", "flexDirection": "column", "gap": "0.25rem", "width": "100%"},
    )


def labelled_switch(label: str, *, name: str, is_checked: rx.Var[bool], on_change: Any) -> rx.Component:
    field_id = f"field-{name}"
    return rx.hstack(
        rx.switch(id=field_id, name=name, checked=is_checked, on_change=on_change, size="3"),
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        align="center",
        spacing="2",
        min_height="2.5rem",
        padding_top="1.5rem",  # level with the inputs, which sit under their labels
    )


def search_field(*, value: rx.Var[str], on_change: Any) -> rx.Component:
    return field(
        "Search products",
        name="q",
        input_type="search",
        value=value,
        on_change=on_change,
        placeholder="Presets, brushes, e-books…",
        max_length=80,
        enter_key_hint="search",
    )


def max_price_field(label: str, *, value: rx.Var[str], on_change: Any, error: rx.Var[str]) -> rx.Component:
    return field(
        label,
        name="max_price",
        value=value,
        on_change=on_change,
        error=error,
        input_mode="decimal",
        placeholder="Any price",
        max_length=12,
    )


def filter_row(*filters: rx.Component) -> rx.Component:
    """Two filters a row on phones, all four side by side from tablets up."""
    return rx.grid(
        *filters,
        columns=rx.breakpoints(initial="2", md="4"),
        gap="1rem",
        width="100%",
        align_items="start",
    )


def filter_form(*children: rx.Component, on_submit: Any, is_busy: rx.Var[bool]) -> rx.Component:
    """A search landmark; nothing changes the results until the form is submitted."""
    return rx.form(
        rx.vstack(
            *children,
            rx.box(submit_button("Show products", is_loading=is_busy), width=["100%", "auto"]),
            spacing="4",
            width="100%",
        ),
        on_submit=on_submit,
        role="search",
        aria_label="Filter products",
        width="100%",
        padding=["1rem", "1.25rem"],
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="var(--radius-4)",
        background_color=rx.color("gray", 2),
    )


def results_summary(text: rx.Var[str]) -> rx.Component:
    return rx.text(text, size="2", color_scheme="gray", role="status")


def pagination(
    *,
    page_label: rx.Var[str],
    has_previous: rx.Var[bool],
    has_next: rx.Var[bool],
    on_previous: Any,
    on_next: Any,
) -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.button(
                rx.icon("chevron_left", size=18),
                "Previous",
                on_click=on_previous,
                disabled=~has_previous,
                variant="soft",
                size="3",
                aria_label="Previous page",
            ),
            rx.text(page_label, size="2", color_scheme="gray"),
            rx.button(
                "Next",
                rx.icon("chevron_right", size=18),
                on_click=on_next,
                disabled=~has_next,
                variant="soft",
                size="3",
                aria_label="Next page",
            ),
            justify="between",
            align="center",
            width="100%",
        ),
        aria_label="Pagination",
        width="100%",
    )
