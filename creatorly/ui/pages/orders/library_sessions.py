"""The library's "Sessions" section: the signed-in fan's bookings, or an empty state."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.states.orders.library_sessions import LibraryBookingView, LibrarySessionsState


def _booking(item: LibraryBookingView) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(rx.text.strong(item.title), " with ", item.creator_name, class_name="wrap-anywhere"),
                rx.text(item.when_label, size="2", color_scheme="gray"),
                rx.badge(item.status_label, color_scheme=item.status_color, radius="full"),
                spacing="1",
                align="start",
                flex="1",
            ),
            # The booking link is absolute and carries its own key.
            rx.button(rx.el.a("Open booking", href=item.href, aria_label=item.link_label), as_child=True, size="2"),
            gap="1rem",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def library_sessions_section() -> rx.Component:
    return rx.cond(
        LibrarySessionsState.is_signed_in,
        rx.vstack(
            rx.heading("Sessions", as_="h2", size="5"),
            rx.cond(
                LibrarySessionsState.bookings.length() > 0,
                rx.vstack(rx.foreach(LibrarySessionsState.bookings, _booking), spacing="3", width="100%"),
                empty_state(
                    icon="calendar",
                    title="No sessions booked",
                    text="Book a 1:1 session from a creator's storefront; it shows up here.",
                    action=rx.link(rx.button("Find a session to book", size="3"), href=routes.DISCOVER),
                ),
            ),
            spacing="3",
            width="100%",
        ),
    )
