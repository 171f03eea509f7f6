"""States of the fan's side of paid sessions: the storefront's "Book a session" list and the booking page."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput, NotFound
from creatorly.services.sessions import booking
from creatorly.services.sessions.booking import SlotTaken
from creatorly.services.sessions.schemas import BookingOffer, NewBooking, SlotDay
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import leave_for, toast
from creatorly.ui.states.events import Events

# Offered in the timezone list besides the browser's own zone (which is always added).
COMMON_TIMEZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


@dataclass
class OfferView:
    key: str = ""
    title: str = ""
    length_label: str = ""
    price_label: str = ""
    description: str = ""
    href: str = ""
    link_label: str = ""


@dataclass
class SlotView:
    starts_at: str = ""  # ISO in UTC, sent back to book it
    label: str = ""  # "14:30" in the fan's timezone
    name: str = ""  # "Book 14:30 on Monday, 8 March": the button's accessible name
    when: str = ""  # "14:30 on Monday, 8 March"


@dataclass
class DayView:
    key: str = ""
    label: str = ""
    slots: list[SlotView] = field(default_factory=list)


def day_views(days: list[SlotDay]) -> list[DayView]:
    return [
        DayView(
            key=day.day,
            label=day.label,
            slots=[
                SlotView(
                    starts_at=slot.starts_at,
                    label=slot.label,
                    name=f"Book {slot.label} on {day.label}",
                    when=f"{slot.label} on {day.label}",
                )
                for slot in day.slots
            ],
        )
        for day in days
    ]


def timezone_options(zone: str) -> list[str]:
    return sorted({*COMMON_TIMEZONES, zone}) if zone else list(COMMON_TIMEZONES)


class StorefrontSessionsState(rx.State):
    """The active session types of the storefront's creator (empty: the section is not shown)."""

    offers: list[OfferView] = []

    @rx.event
    async def load(self) -> None:
        handle = str(getattr(self, "store_handle", "") or "")
        try:
            offered = await booking.list_offered_types(handle=handle)
        except CreatorlyError:
            self.offers = []
            return
        self.offers = [
            OfferView(
                key=public_id,
                title=title,
                length_label=f"{minutes} minutes",
                price_label=price_label,
                description=description,
                href=routes.session_booking(handle, public_id),
                link_label=f"Book {title}",
            )
            for public_id, title, price_label, minutes, description in offered
        ]


class SessionBookingState(rx.State):
    """`/{handle}/sessions/{type}`: the type, its rules, free slots in the fan's timezone, the form and paying."""

    is_loading: bool = True
    is_missing: bool = False
    is_loading_slots: bool = False
    is_paying: bool = False
    title: str = ""
    description: str = ""
    length_label: str = ""
    price_label: str = ""
    location: str = ""
    creator_name: str = ""
    storefront_href: str = ""
    rules_text: list[str] = []
    timezone: str = ""
    timezones: list[str] = list(COMMON_TIMEZONES)
    days: list[DayView] = []
    chosen_start: str = ""
    chosen_label: str = ""
    default_name: str = ""
    default_email: str = ""
    name_error: str = ""
    email_error: str = ""
    note_error: str = ""
    slot_error: str = ""
    form_error: str = ""
    _handle: str = ""
    _session_type_id: str = ""
    _checkout_key: str = ""

    @rx.var
    def pay_label(self) -> str:
        return f"Pay {self.price_label}" if self.price_label else "Pay"

    @rx.event
    async def load(self) -> Events:
        """Remember which type the page shows; its slots come once the browser has told us the timezone."""
        self._handle = str(getattr(self, "store_handle", "") or "").strip().lower()
        self._session_type_id = str(getattr(self, "session_type_ref", "") or "")
        self.is_loading, self.is_missing, self.is_paying = True, False, False
        self.chosen_start, self.chosen_label = "", ""
        self._clear_errors()
        self._checkout_key = secrets.token_urlsafe(24)
        auth = await self.get_state(AuthState)
        self.default_name, self.default_email = auth.display_name, auth.email
        if self.timezone:
            yield SessionBookingState.load_slots

    @rx.event
    def use_browser_timezone(self, zone: str) -> Events:
        """The browser's zone, unless the fan already picked one on this visit."""
        if not self.timezone:
            self.timezone = zone or "UTC"
            self.timezones = timezone_options(self.timezone)
        return SessionBookingState.load_slots  # type: ignore[return-value]

    @rx.event
    def change_timezone(self, zone: str) -> Events:
        self.timezone = zone
        self.timezones = timezone_options(zone)
        self.chosen_start, self.chosen_label = "", ""
        return SessionBookingState.load_slots  # type: ignore[return-value]

    @rx.event
    async def load_slots(self) -> Events:
        if not self._session_type_id or not self.timezone:
            return
        self.is_loading_slots = True
        yield None
        try:
            offer = await booking.get_booking_offer(
                handle=self._handle, session_type_id=self._session_type_id, timezone=self.timezone
            )
        except NotFound:
            self.is_missing, self.is_loading, self.is_loading_slots = True, False, False
            return
        except CreatorlyError as error:
            self.is_loading_slots = False
            yield toast.error(error.message)
            return
        self._show(offer)

    def _show(self, offer: BookingOffer) -> None:
        kind = offer.session_type
        self.title, self.description, self.location = kind.title, kind.description, kind.location
        self.length_label, self.price_label = f"{kind.duration_minutes} minutes", kind.price_label
        self.creator_name, self.storefront_href = offer.creator_name, routes.storefront(offer.handle)
        self.rules_text = list(offer.rules_text)
        self.timezone = offer.timezone
        self.days = day_views(offer.days)
        offered = {slot.starts_at for day in self.days for slot in day.slots}
        if self.chosen_start not in offered:
            self.chosen_start, self.chosen_label = "", ""
        self.is_loading, self.is_missing, self.is_loading_slots = False, False, False

    @rx.event
    def choose_slot(self, starts_at: str, label: str) -> None:
        self.chosen_start, self.chosen_label = starts_at, label
        self.slot_error = ""

    @rx.event
    async def pay(self, form: dict[str, str]) -> Events:
        """Open the session order and hand the fan to the payment page; a double click pays once (one key)."""
        if self.is_paying or not self._session_type_id:
            return
        self.is_paying = True
        self._clear_errors()
        yield None
        auth = await self.get_state(AuthState)
        try:
            started = await booking.start_booking(
                NewBooking(
                    handle=self._handle,
                    session_type_id=self._session_type_id,
                    starts_at=self.chosen_start,
                    fan_email=form.get("fan_email", ""),
                    fan_name=form.get("fan_name", ""),
                    fan_timezone=self.timezone,
                    checkout_key=self._checkout_key,
                    note=form.get("note", ""),
                    buyer_user_id=auth.signed_in_user_id() or None,
                )
            )
        except CreatorlyError as error:
            self._checkout_key = secrets.token_urlsafe(24)  # nothing usable was opened with this key
            self.is_paying = False
            self._show_error(error)
            yield toast.error(error.message)
            if isinstance(error, SlotTaken):
                yield SessionBookingState.load_slots
            return
        await leave_for(self, started.redirect_url)

    def _clear_errors(self) -> None:
        self.name_error = self.email_error = self.note_error = self.slot_error = self.form_error = ""

    def _show_error(self, error: CreatorlyError) -> None:
        """By field when the service named one (the email's field is `email` or `fan_email`), else above the form."""
        name = error.field if isinstance(error, InvalidInput) else None
        if name == "fan_name":
            self.name_error = error.message
        elif name in ("fan_email", "email"):
            self.email_error = error.message
        elif name == "note":
            self.note_error = error.message
        elif name == "starts_at":
            self.slot_error = error.message
        else:
            self.form_error = error.message
