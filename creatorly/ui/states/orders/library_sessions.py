"""The "Sessions" section of the signed-in fan's library: their bookings, each linking to its page."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.sessions import lifecycle
from creatorly.ui.states.auth import AuthState

# BookingStatus values; the UI does not import models.
_STATUS_COLORS = {"booked": "violet", "completed": "green", "settled": "green", "disputed": "amber"}


@dataclass
class LibraryBookingView:
    key: str = ""
    title: str = ""
    creator_name: str = ""
    when_label: str = ""
    status_label: str = ""
    status_color: str = "gray"
    href: str = ""
    link_label: str = ""


class LibrarySessionsState(rx.State):
    is_signed_in: bool = False
    bookings: list[LibraryBookingView] = []

    @rx.event
    async def load(self) -> None:
        auth = await self.get_state(AuthState)
        self.is_signed_in, self.bookings = False, []
        if not auth.session_token:
            return
        try:
            found = await lifecycle.list_fan_bookings(session_token=auth.session_token)
        except CreatorlyError:
            return
        self.is_signed_in = True
        self.bookings = [
            LibraryBookingView(
                key=view.public_id,
                title=view.title,
                creator_name=view.creator_name,
                when_label=f"{view.when_label} ({view.timezone})",
                status_label=view.status_label,
                status_color=_STATUS_COLORS.get(view.status, "gray"),
                href=view.page_url,
                link_label=f"Open booking: {view.title} with {view.creator_name}",
            )
            for view in found
        ]
