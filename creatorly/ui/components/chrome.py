"""Site header and footer shared by every layout."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.brand import wordmark
from creatorly.ui.theme import MAX_CONTENT_WIDTH


def color_mode_toggle() -> rx.Component:
    return rx.icon_button(
        rx.color_mode_cond(light=rx.icon("moon", size=18), dark=rx.icon("sun", size=18)),
        on_click=rx.toggle_color_mode,
        variant="ghost",
        color_scheme="gray",
        aria_label="Toggle dark mode",
        title="Toggle dark mode",
    )


def site_header(*actions: rx.Component) -> rx.Component:
    return rx.el.header(
        rx.hstack(
            wordmark(),
            rx.spacer(),
            rx.hstack(
                *actions,
                color_mode_toggle(),
                align="center",
                spacing=rx.breakpoints(initial="2", sm="3"),
                flex_wrap="nowrap",
            ),
            align="center",
            width="100%",
            max_width=MAX_CONTENT_WIDTH,
            margin_x="auto",
            padding_x=["1rem", "1.5rem"],
            padding_y="0.75rem",
        ),
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
        background_color=rx.color("gray", 1, alpha=True),
        backdrop_filter="blur(12px)",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def site_footer() -> rx.Component:
    return rx.el.footer(
        rx.flex(
            rx.text("© 2026 Creatorly · Made for creators", size="2", color_scheme="gray"),
            rx.spacer(),
            rx.el.nav(
                rx.flex(
                    *[rx.link(label, href=href, size="2", color_scheme="gray") for label, href in routes.LEGAL_LINKS],
                    wrap="wrap",
                    gap="1rem",
                ),
                aria_label="Legal",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="0.75rem",
            width="100%",
            max_width=MAX_CONTENT_WIDTH,
            margin_x="auto",
            padding_x=["1rem", "1.5rem"],
            padding_y="1.5rem",
        ),
        width="100%",
        border_top=f"1px solid {rx.color('gray', 4)}",
        margin_top="auto",
    )
