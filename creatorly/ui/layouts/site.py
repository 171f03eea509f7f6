"""The public site shell: sticky header (with who is signed in), centred content, footer with legal links."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.browser import browser_actions
from creatorly.ui.components.chrome import site_footer, site_header
from creatorly.ui.states.auth import AuthState
from creatorly.ui.theme import MAX_CONTENT_WIDTH


def _account_actions() -> rx.Component:
    return rx.cond(
        AuthState.is_signed_in,
        rx.hstack(
            rx.link("Dashboard", href=routes.DASHBOARD, size="2", weight="medium"),
            rx.cond(
                AuthState.role == "admin",
                rx.link("Admin", href=routes.ADMIN, size="2", weight="medium", display=["none", "block"]),
            ),
            rx.link(
                rx.hstack(
                    rx.avatar(fallback=AuthState.display_name[:1], size="2", radius="full"),
                    rx.text(AuthState.display_name, size="2", weight="medium", display=["none", "block"]),
                    align="center",
                    spacing="2",
                ),
                href=routes.ACCOUNT,
                underline="none",
                color="inherit",
                aria_label="Your account",
            ),
            rx.button(
                rx.icon("log-out", size=16),
                rx.text("Sign out", display=["none", "inline"]),
                variant="ghost",
                size="2",
                aria_label="Sign out",
                on_click=AuthState.sign_out,
            ),
            align="center",
            spacing="3",
        ),
        rx.hstack(
            rx.link("Sign in", href=routes.SIGN_IN, size="2", weight="medium", white_space="nowrap"),
            # Kept on phones too: it is the way in; the header's secondary links give way instead.
            rx.link(rx.button("Start selling", size="2", white_space="nowrap"), href=routes.SIGN_UP),
            align="center",
            spacing=rx.breakpoints(initial="2", sm="3"),
            flex_wrap="nowrap",
        ),
    )


def site_layout(*children: rx.Component, header_actions: list[rx.Component] | None = None) -> rx.Component:
    return rx.flex(
        rx.el.a("Skip to content", href="#main", class_name="skip-link"),
        site_header(*(header_actions or []), _account_actions()),
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
        rx.el.span(id="app-ready", hidden=True, data_ready=rx.State.is_hydrated.to_string()),
        browser_actions(),
        direction="column",
        min_height="100vh",
        background_color=rx.color("gray", 1),
    )
