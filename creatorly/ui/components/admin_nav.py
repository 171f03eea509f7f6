"""The admin pages' own navigation."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes

ADMIN_PAGES = (
    ("Overview", routes.ADMIN),
    ("Reports", routes.ADMIN_REPORTS),
    ("Disputes", routes.ADMIN_DISPUTES),
    ("Users", routes.ADMIN_USERS),
    ("Creators", routes.ADMIN_CREATORS),
    ("Products", routes.ADMIN_PRODUCTS),
    ("Orders", routes.ADMIN_ORDERS),
    ("Payouts", routes.ADMIN_PAYOUTS),
    ("Webhook events", routes.ADMIN_EVENTS),
    ("Reconciliation", routes.ADMIN_RECONCILIATION),
    ("Audit log", routes.ADMIN_AUDIT),
)


def admin_nav(current: str) -> rx.Component:
    links = [
        rx.link(
            label,
            href=href,
            size="2",
            weight="bold" if href == current else "medium",
            underline="always" if href == current else "hover",
            aria_current="page" if href == current else None,
        )
        for label, href in ADMIN_PAGES
    ]
    return rx.el.nav(rx.flex(*links, wrap="wrap", spacing="4"), aria_label="Admin")
