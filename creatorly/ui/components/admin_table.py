"""Shared pieces of the admin lists: a search bar, a scrollable table region and its "Load more" button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from creatorly.ui.components.forms import field


def search_bar(*fields: rx.Component, on_submit: Any, label: str, is_loading: rx.Var[bool]) -> rx.Component:
    return rx.form(
        rx.flex(
            *[rx.box(item, flex="1 1 200px") for item in fields],
            rx.box(
                rx.button("Search", type="submit", size="3", loading=is_loading, disabled=~rx.State.is_hydrated),
                flex="0 0 auto",
                align_self="end",
            ),
            wrap="wrap",
            spacing="3",
            width="100%",
            align="end",
        ),
        on_submit=on_submit,
        aria_label=label,
        width="100%",
    )


def search_field(label: str, *, name: str, placeholder: str = "", input_type: str = "text") -> rx.Component:
    return field(label, name=name, placeholder=placeholder, input_type=input_type)


def status_select(label: str, *, name: str, options: list[tuple[str, str]]) -> rx.Component:
    """A native select of statuses; the first option (value "") means any."""
    return rx.vstack(
        rx.el.label(label, html_for=f"field-{name}", class_name="field-label"),
        rx.el.select(
            *[rx.el.option(text, value=value) for value, text in options],
            id=f"field-{name}",
            name=name,
            class_name="native-select",
        ),
        spacing="1",
        width="100%",
    )


def admin_table(
    *,
    columns: tuple[str, ...],
    rows: rx.Var[list[Any]],
    render_row: Callable[[Any], rx.Component],
    label: str,
    has_more: rx.Var[bool],
    on_load_more: Any,
    is_loading: rx.Var[bool],
) -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in columns])),
                rx.table.body(rx.foreach(rows, render_row)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
            tab_index=0,
            role="region",
            aria_label=label,
        ),
        rx.cond(has_more, rx.button("Load more", variant="soft", on_click=on_load_more, loading=is_loading)),
        width="100%",
        spacing="3",
    )


def fact(label: str, value: rx.Var[str] | rx.Component) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))
