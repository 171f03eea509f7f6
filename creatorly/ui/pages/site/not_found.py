"""The friendly 404 page."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.layouts.site import site_layout


def not_found_page() -> rx.Component:
    return site_layout(
        empty_state(
            icon="map-pinned",
            title="We couldn't find that page",
            text="The link may be old or mistyped. Let's get you back on track.",
            action=rx.link(rx.button("Go to the home page", size="3"), href=routes.LANDING),
        )
    )
