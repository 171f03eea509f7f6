"""The public site shell: sticky header, centred content, footer with legal links."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.components.chrome import site_footer, site_header
from creatorly.ui.theme import MAX_CONTENT_WIDTH


def site_layout(*children: rx.Component, header_actions: list[rx.Component] | None = None) -> rx.Component:
    return rx.flex(
        rx.el.a("Skip to content", href="#main", class_name="skip-link"),
        site_header(*(header_actions or [])),
        rx.el.main(
            *children,
            id="main",
            width="100%",
            max_width=MAX_CONTENT_WIDTH,
            margin_x="auto",
            padding_x=["1rem", "1.5rem"],
            padding_y=["1.5rem", "2.5rem"],
            flex="1",
        ),
        site_footer(),
        direction="column",
        min_height="100vh",
        background_color=rx.color("gray", 1),
    )
