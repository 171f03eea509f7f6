"""The small "Report" link shown on public content (products, storefronts, posts, comments)."""

from __future__ import annotations

from typing import Any

import reflex as rx


def report_link(href: Any, *, label: str = "Report") -> rx.Component:
    """A quiet link to the report form; `label` is what a screen reader hears (e.g. "Report this product")."""
    return rx.link(
        rx.hstack(
            rx.icon("flag", size=12, aria_hidden="true"), rx.text("Report", size="1"), spacing="1", align="center"
        ),
        href=href,
        color_scheme="gray",
        underline="hover",
        aria_label=label,
        rel="nofollow",
    )
