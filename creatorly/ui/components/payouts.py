"""Payout pieces: balance figures, payout status badges and the release timeline (chart plus readable list)."""

from __future__ import annotations

from typing import Any

import reflex as rx

PAYOUT_STATUS_COLORS = (("paid", "green"), ("in_transit", "blue"), ("pending", "amber"), ("failed", "red"))


def payout_status_badge(status: rx.Var[str], label: rx.Var[str]) -> rx.Component:
    return rx.badge(label, color_scheme=rx.match(status, *PAYOUT_STATUS_COLORS, "gray"), variant="soft")


def balance_figure(
    label: str, amount: rx.Var[str], *, hint: str, is_negative: rx.Var[bool] | bool = False
) -> rx.Component:
    """One labelled amount of a balance card; a negative amount shows in red."""
    return rx.vstack(
        rx.text(label, size="2", color_scheme="gray", weight="medium"),
        rx.text(
            amount,
            size="5",
            weight="bold",
            color=rx.cond(is_negative, rx.color("red", 11), rx.color("gray", 12)),
            class_name="tabular-figures",
        ),
        rx.text(hint, size="1", color_scheme="gray"),
        spacing="1",
        align="start",
        min_width="0",
        role="group",
        aria_label=label,
    )


def release_chart(points: rx.Var[list[dict[str, str | float]]], *, label: rx.Var[str] | str) -> rx.Component:
    """Upcoming releases by date as bars; hidden from screen readers, which get the list next to it."""
    return rx.box(
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(data_key="day", tick_line=False, font_size=12),
            rx.recharts.y_axis(width=48, tick_line=False, axis_line=False, font_size=12),
            rx.recharts.graphing_tooltip(),
            rx.recharts.bar(
                data_key="amount", name=label, fill=rx.color("violet", 9), radius=[6, 6, 0, 0], max_bar_size=56
            ),
            data=points,
            height=180,
            width="100%",
            margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
            custom_attrs={"accessibilityLayer": False},  # hidden from readers: no keyboard stop either
        ),
        aria_hidden="true",
        width="100%",
    )


def _release_item(release: rx.Var[Any]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(release.day_label, size="2", color_scheme="gray"),
            rx.text(release.amount_label, size="2", weight="medium"),
            justify="between",
            width="100%",
        )
    )


def release_timeline(
    releases: rx.Var[list[Any]], points: rx.Var[list[dict[str, str | float]]], *, currency: rx.Var[str]
) -> rx.Component:
    """Held earnings by release day: a chart to glance at and the same figures as a list for everyone."""
    return rx.cond(
        releases.length() > 0,
        rx.vstack(
            rx.heading("Release timeline", as_="h3", size="3"),
            release_chart(points, label="Releases (" + currency + ")"),
            rx.el.ol(
                rx.foreach(releases, _release_item),
                aria_label="Upcoming releases in " + currency,
                style={"list_style": "none", "padding": 0, "margin": 0, "width": "100%"},
            ),
            spacing="2",
            width="100%",
        ),
    )


def negative_balance_note(is_negative: rx.Var[bool]) -> rx.Component:
    return rx.cond(
        is_negative,
        rx.callout(
            "Your available balance is negative because of refunds or disputes after a payout. "
            "It is recovered from your next earnings before anything is paid out.",
            icon="circle-alert",
            color_scheme="red",
            size="1",
            width="100%",
        ),
    )


def payout_event_item(event: rx.Var[Any]) -> rx.Component:
    """One step of a payout's timeline: its status, why, and when."""
    return rx.el.li(
        rx.hstack(
            rx.box(
                width="0.625rem",
                height="0.625rem",
                margin_top="0.35rem",
                flex_shrink="0",
                border_radius="50%",
                background_color=rx.match(
                    event.status, ("paid", rx.color("green", 9)), ("failed", rx.color("red", 9)), rx.color("violet", 9)
                ),
            ),
            rx.vstack(
                rx.text(event.status_label, size="2", weight="bold"),
                rx.cond(event.cause != "", rx.text(event.cause, size="2", class_name="wrap-anywhere")),
                rx.text(event.at_label, size="1", color_scheme="gray"),
                spacing="0",
                min_width="0",
            ),
            align="start",
            spacing="3",
        ),
        padding_y="0.4rem",
        padding_left="0.25rem",
        border_left=f"2px solid {rx.color('gray', 4)}",
    )
