"""Sign-in, sign-up and recovery pages: one centred card on the site shell."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.layouts.site import site_layout


def auth_layout(title: str, subtitle: str, *children: rx.Component) -> rx.Component:
    """A centred card; an empty subtitle is left out (link-checking pages say their one state in the body)."""
    return site_layout(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.heading(title, as_="h1", size="7"),
                    *([rx.text(subtitle, color_scheme="gray")] if subtitle else []),
                    *children,
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
                max_width="28rem",
            ),
            width="100%",
            padding_y=["0", "2rem"],
        )
    )
