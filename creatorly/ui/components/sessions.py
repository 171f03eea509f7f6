"""Pieces of the creator's sessions pages: a booking's state badge, a confirm dialog, time ranges of a day."""

from __future__ import annotations

from typing import Any

import reflex as rx


def booking_badge(status: rx.Var[str], label: rx.Var[str]) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=rx.match(
            status,
            ("booked", "blue"),
            ("completed", "green"),
            ("disputed", "amber"),
            ("settled", "violet"),
            ("conflicted", "red"),
            "gray",
        ),
        variant="soft",
    )


def confirm_button(
    *,
    trigger_label: str,
    title: str,
    text: rx.Var[str] | str | rx.Component,
    confirm_label: str,
    on_confirm: Any,
    disabled: rx.Var[bool] | bool = False,
) -> rx.Component:
    """A button that asks before doing something that can't be undone."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(trigger_label, variant="outline", color_scheme="red", size="2", disabled=disabled)
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text, size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm_label, color_scheme="red", on_click=on_confirm)),
                spacing="3",
                justify="end",
                margin_top="1rem",
                wrap="wrap",
            ),
            max_width="28rem",
        ),
    )


def time_range_row(*, row: Any, day_name: rx.Var[str] | str, on_remove: Any) -> rx.Component:
    """One "from–to" range of a day: two labelled time inputs (named by the row's key) and a remove button."""
    start_id = "range-start-" + row.key.to_string()
    end_id = "range-end-" + row.key.to_string()
    return rx.hstack(
        rx.vstack(
            rx.el.label("From", html_for=start_id, class_name="field-label"),
            rx.input(
                id=start_id,
                name="start-" + row.key.to_string(),
                type="time",
                default_value=row.start,
                aria_label=day_name + " from",
                size="2",
            ),
            spacing="1",
        ),
        rx.vstack(
            rx.el.label("To", html_for=end_id, class_name="field-label"),
            rx.input(
                id=end_id,
                name="end-" + row.key.to_string(),
                type="time",
                default_value=row.end,
                aria_label=day_name + " to",
                size="2",
            ),
            spacing="1",
        ),
        rx.icon_button(
            rx.icon("x", size=16),
            type="button",
            variant="soft",
            color_scheme="gray",
            aria_label="Remove these hours from " + day_name,
            on_click=on_remove,
        ),
        align="end",
        spacing="2",
        wrap="wrap",
        key=row.key.to_string(),
    )
