"""The signed-in shell: site header, a section navigation (sidebar on wide screens) and the page."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.dashboard.suspension import SuspensionBannerState

SECTIONS: list[tuple[str, str, str]] = [
    ("Overview", routes.DASHBOARD, "layout-dashboard"),
    ("Products", routes.DASHBOARD_PRODUCTS, "package"),
    ("Orders", routes.DASHBOARD_ORDERS, "receipt"),
    ("Payouts", routes.PAYOUTS, "wallet"),
    ("Statements", routes.DASHBOARD_STATEMENTS, "file-text"),
    ("Discounts", routes.DASHBOARD_DISCOUNTS, "ticket-percent"),
    ("Tiers", routes.DASHBOARD_TIERS, "crown"),
    ("Posts", routes.DASHBOARD_POSTS, "notebook-pen"),
    ("Members", routes.DASHBOARD_MEMBERS, "users-round"),
    ("Tips", routes.DASHBOARD_TIPS, "heart"),
    ("Sessions", routes.DASHBOARD_SESSIONS, "calendar-clock"),
    ("Reviews", routes.DASHBOARD_REVIEWS, "star"),
    ("Storefront", routes.DASHBOARD_STOREFRONT, "store"),
    ("Audience", routes.DASHBOARD_AUDIENCE, "users"),
    ("Reports & decisions", routes.DASHBOARD_MODERATION, "flag"),
    ("Account", routes.ACCOUNT, "user-round"),
]


def _nav(active: str) -> rx.Component:
    return rx.el.nav(
        rx.flex(
            *[
                rx.link(
                    rx.hstack(
                        rx.icon(icon, size=16), rx.text(label, size="2", weight="medium"), spacing="2", align="center"
                    ),
                    href=href,
                    underline="none",
                    padding="0.5rem 0.75rem",
                    border_radius="var(--radius-3)",
                    background_color=rx.color("violet", 3) if href == active else "transparent",
                    color=rx.color("violet", 11) if href == active else rx.color("gray", 11),
                    aria_current="page" if href == active else None,
                )
                for label, href, icon in SECTIONS
            ],
            direction=rx.breakpoints(initial="row", md="column"),
            gap="0.25rem",
            wrap="wrap",
        ),
        aria_label="Dashboard",
        min_width=["auto", "auto", "12rem"],
    )


def _suspension_banner() -> rx.Component:
    """Shown on every dashboard page while an admin has suspended the storefront, with the admin's reason."""
    return rx.box(
        rx.cond(
            SuspensionBannerState.is_suspended,
            rx.callout(
                rx.text(
                    rx.text.strong("Your storefront is suspended. "),
                    "Its pages are hidden, new orders are refused and payouts are on hold; buyers keep their "
                    "downloads. Reason: ",
                    SuspensionBannerState.reason,
                ),
                icon="ban",
                color_scheme="red",
                role="alert",
                width="100%",
            ),
        ),
        on_mount=SuspensionBannerState.load,
        display=rx.cond(SuspensionBannerState.is_suspended, "block", "none"),  # no empty gap above the title
        width="100%",
    )


def dashboard_layout(active: str, title: str, *children: rx.Component) -> rx.Component:
    return site_layout(
        rx.flex(
            _nav(active),
            rx.vstack(
                _suspension_banner(),
                rx.heading(title, as_="h1", size="7"),
                *children,
                spacing="5",
                width="100%",
                min_width="0",
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            gap="2rem",
            width="100%",
        )
    )
