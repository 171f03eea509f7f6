"""The admin overview's pieces: headline figure cards, the period switch and the money and activity charts."""

from __future__ import annotations

from typing import Any

import reflex as rx


def figure_card(label: rx.Var[str], value: rx.Var[str], caption: rx.Var[str]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="5", weight="bold", class_name="tabular-figures"),
            rx.text(caption, size="1", color_scheme="gray"),
            spacing="1",
        ),
        role="group",
        aria_label=label,
        min_width="200px",
        flex="1 1 200px",
    )


def period_switch(options: list[tuple[str, str]], current: rx.Var[str], on_choose: Any) -> rx.Component:
    """One button per period; the chosen one is pressed (aria-pressed), so it reads as a switch."""
    return rx.flex(
        *[
            rx.button(
                label,
                variant=rx.cond(current == value, "solid", "soft"),
                aria_pressed=rx.cond(current == value, "true", "false"),
                on_click=on_choose(value),
                size="2",
            )
            for value, label in options
        ],
        role="group",
        aria_label="Period",
        wrap="wrap",
        spacing="2",
    )


def _axes(data_key: str) -> list[rx.Component]:
    return [
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key=data_key, tick_line=False, font_size=12, min_tick_gap=16),
        rx.recharts.y_axis(width=56, tick_line=False, axis_line=False, font_size=12),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
    ]


def money_chart(data: rx.Var[Any], currency: rx.Var[str]) -> rx.Component:
    """GMV, platform fees and creators' share per bucket, in one currency."""
    return rx.box(
        rx.recharts.bar_chart(
            *_axes("bucket"),
            rx.recharts.bar(data_key="gmv", name="GMV", fill=rx.color("violet", 9), is_animation_active=False),
            rx.recharts.bar(data_key="net", name="Creators", fill=rx.color("grass", 9), is_animation_active=False),
            rx.recharts.bar(
                data_key="fees", name="Platform fees", fill=rx.color("amber", 9), is_animation_active=False
            ),
            data=data,
            height=260,
            width="100%",
            margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
        ),
        role="img",
        aria_label="GMV, creators' share and platform fees by period, in " + currency,
        width="100%",
    )


def activity_chart(data: rx.Var[Any]) -> rx.Component:
    """Paid orders, paying fans and refunded orders per bucket."""
    return rx.box(
        rx.recharts.composed_chart(
            *_axes("bucket"),
            rx.recharts.bar(
                data_key="orders", name="Paid orders", fill=rx.color("violet", 9), is_animation_active=False
            ),
            rx.recharts.line(
                data_key="fans", name="Paying fans", stroke=rx.color("cyan", 9), dot=False, is_animation_active=False
            ),
            rx.recharts.line(
                data_key="refunded", name="Refunded", stroke=rx.color("red", 9), dot=False, is_animation_active=False
            ),
            data=data,
            height=220,
            width="100%",
            margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
        ),
        role="img",
        aria_label="Paid orders, paying fans and refunded orders by period",
        width="100%",
    )
