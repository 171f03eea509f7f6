"""Empty states and loading placeholders."""

from __future__ import annotations

import reflex as rx


def empty_state(*, icon: str, title: str, text: str, action: rx.Component | None = None) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=28, color=rx.color("violet", 11)),
                width="3.5rem",
                height="3.5rem",
                border_radius="50%",
                background_color=rx.color("violet", 3),
            ),
            rx.heading(title, size="5", as_="h2"),
            rx.text(text, color_scheme="gray", text_align="center", max_width="28rem"),
            *([action] if action is not None else []),
            align="center",
            spacing="3",
        ),
        padding_y="4rem",
        width="100%",
    )


def card_skeletons(count: int = 3) -> rx.Component:
    return rx.grid(
        *[rx.skeleton(height="10rem", border_radius="var(--radius-4)", loading=True) for _ in range(count)],
        columns=rx.breakpoints(initial="1", sm="2", md="3"),
        spacing="4",
        width="100%",
        aria_busy="true",
        aria_label="Loading",
    )
