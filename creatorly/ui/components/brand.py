"""The Creatorly wordmark."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes


def wordmark() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.center(
                rx.icon("sparkles", size=18, color="white"),
                width="2rem",
                height="2rem",
                border_radius="var(--radius-3)",
                background=f"linear-gradient(135deg, {rx.color('violet', 9)}, {rx.color('pink', 9)})",
            ),
            rx.text("Creatorly", weight="bold", size="5", color=rx.color("gray", 12)),
            align="center",
            spacing="2",
        ),
        href=routes.LANDING,
        underline="none",
        aria_label="Creatorly home",
    )
