"""The storefront's "Book a session" section, shown only when the creator offers session types."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.components.session_booking import offers_list, section_card
from creatorly.ui.states.storefront.sessions import StorefrontSessionsState


def session_offers_section() -> rx.Component:
    return rx.cond(
        StorefrontSessionsState.offers.length() > 0,
        section_card(
            rx.text("Paid 1:1 time, booked in your own timezone.", size="2", color_scheme="gray"),
            offers_list(StorefrontSessionsState.offers),
            title="Book a session",
            title_id="sessions-title",
            id="sessions",
        ),
    )
