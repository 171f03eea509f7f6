"""Shared pieces of the admin lists: a search bar, a scrollable table region and its "Load more" button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from creatorly.ui.components.feedback import empty_state
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
        role="search",
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
    *, label: str, columns: tuple[str, ...], rows: rx.Var[list[Any]], render: Callable[[Any], rx.Component]
) -> rx.Component:
    """A table in a focusable region that scrolls sideways on a phone."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in columns])),
            rx.table.body(rx.foreach(rows, render)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        tab_index=0,
        role="region",
        aria_label=label,
    )


def list_body(
    *,
    label: str,
    columns: tuple[str, ...],
    state: Any,
    render: Callable[[Any], rx.Component],
    empty: str,
    icon: str = "search",
    title: str = "Nothing found",
) -> rx.Component:
    """A searched list (an AdminListMixin state): its table and "Load more", or a note that nothing matches."""
    return rx.cond(
        state.rows.length() > 0,
        rx.vstack(
            admin_table(label=label, columns=columns, rows=state.rows, render=render),
            rx.cond(
                state.next_cursor > 0,
                rx.button("Load more", variant="soft", on_click=state.load_more, loading=state.is_loading),
            ),
            spacing="3",
            width="100%",
        ),
        empty_state(icon=icon, title=title, text=empty),
    )


def fact(label: str, value: rx.Var[str] | rx.Component) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))
