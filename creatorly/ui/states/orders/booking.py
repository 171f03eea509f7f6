"""State of the fan's booking page `/bookings/{public_id}?key=…`: the booking and what the fan may still do."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError, NotFound
from creatorly.services.sessions import booking as offers
from creatorly.services.sessions import lifecycle
from creatorly.services.sessions.booking import SlotTaken
from creatorly.services.sessions.schemas import BookingView
from creatorly.ui import routes
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events
from creatorly.ui.states.storefront.sessions import DayView, day_views


def _rating(text: str) -> int | None:
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


class FanBookingState(rx.State):
    """Loaded from the signed link; each action goes back to the service, which checks it again."""

    is_loading: bool = True
    is_missing: bool = False
    title: str = ""
    creator_name: str = ""
    storefront_href: str = ""
    when_label: str = ""
    timezone: str = ""
    location: str = ""
    is_video_link: bool = False
    price_label: str = ""
    status: str = ""
    status_label: str = ""
    policy_text: str = ""
    note: str = ""
    outcome_label: str = ""
    satisfaction_label: str = ""
    is_confirmed: bool = False
    dispute_reason: str = ""
    can_cancel: bool = False
    can_reschedule: bool = False
    can_confirm: bool = False
    can_dispute: bool = False
    cancel_refund_text: str = ""
    is_busy: bool = False
    is_cancel_open: bool = False
    is_rescheduling: bool = False
    is_loading_slots: bool = False
    days: list[DayView] = []
    chosen_start: str = ""
    chosen_label: str = ""
    is_dispute_open: bool = False
    dispute_error: str = ""
    _public_id: str = ""
    _key: str = ""
    _handle: str = ""
    _session_type_id: str = ""

    @rx.event
    async def load(self) -> None:
        self._public_id = str(getattr(self, "booking_ref", "") or "")
        self._key = self.router.url.query_parameters.get("key", "")
        self.is_loading, self.is_missing = True, False
        self.is_cancel_open = self.is_rescheduling = self.is_dispute_open = False
        try:
            view = await lifecycle.get_fan_booking(public_id=self._public_id, key=self._key)
        except NotFound:
            self.is_missing, self.is_loading = True, False
            return
        self._show(view)

    def _show(self, view: BookingView) -> None:
        self.title, self.creator_name = view.title, view.creator_name
        self.storefront_href = routes.storefront(view.handle)
        self._handle, self._session_type_id = view.handle, view.session_type_id
        self.when_label, self.timezone = view.when_label, view.timezone
        self.location = view.location
        self.is_video_link = view.location.startswith(("https://", "http://"))
        self.price_label, self.policy_text, self.note = view.price_label, view.policy_text, view.note
        self.status, self.status_label, self.outcome_label = view.status, view.status_label, view.outcome_label
        self.satisfaction_label = f"{view.satisfaction} out of 5" if view.satisfaction is not None else ""
        self.is_confirmed, self.dispute_reason = view.fan_confirmed, view.dispute_reason or ""
        self.can_cancel, self.can_reschedule = view.can_cancel, view.can_reschedule
        self.can_confirm, self.can_dispute = view.can_confirm, view.can_dispute
        self.cancel_refund_text = view.cancel_refund_text
        self.is_missing, self.is_loading = False, False

    @rx.event
    def set_cancel_open(self, is_open: bool) -> None:
        self.is_cancel_open = bool(is_open)

    @rx.event
    def set_dispute_open(self, is_open: bool) -> None:
        self.is_dispute_open, self.dispute_error = bool(is_open), ""

    @rx.event
    async def cancel(self) -> Events:
        if self.is_busy:
            return
        self.is_busy = True
        yield None
        try:
            view = await lifecycle.cancel_as_fan(public_id=self._public_id, key=self._key)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_busy, self.is_cancel_open = False, False
        self._show(view)
        yield toast.success("Your session is cancelled. We emailed you the details.")

    @rx.event
    async def start_reschedule(self) -> Events:
        """Open the slot picker with the session type's free times, in the zone the fan booked in."""
        self.is_rescheduling, self.is_loading_slots, self.chosen_start, self.chosen_label = True, True, "", ""
        yield None
        try:
            offer = await offers.get_booking_offer(
                handle=self._handle, session_type_id=self._session_type_id, timezone=self.timezone
            )
        except CreatorlyError as error:
            self.is_rescheduling, self.is_loading_slots = False, False
            yield toast.error(error.message)
            return
        self.days, self.is_loading_slots = day_views(offer.days), False

    @rx.event
    def stop_reschedule(self) -> None:
        self.is_rescheduling, self.days, self.chosen_start, self.chosen_label = False, [], "", ""

    @rx.event
    def choose_slot(self, starts_at: str, label: str) -> None:
        self.chosen_start, self.chosen_label = starts_at, label

    @rx.event
    async def reschedule(self) -> Events:
        if self.is_busy or not self.chosen_start:
            return
        self.is_busy = True
        yield None
        try:
            view = await lifecycle.reschedule_as_fan(
                public_id=self._public_id, key=self._key, starts_at=self.chosen_start
            )
        except CreatorlyError as error:
            self.is_busy = False
            yield toast.error(error.message)
            if isinstance(error, SlotTaken):
                yield FanBookingState.start_reschedule
            return
        self.is_busy = False
        self._show(view)
        self.is_rescheduling, self.days, self.chosen_start, self.chosen_label = False, [], "", ""
        yield toast.success("Moved. We emailed you the new time and an updated invite.")

    @rx.event
    async def confirm(self, form: dict[str, str]) -> Events:
        """ "It happened", with the optional 1–5 rating."""
        if self.is_busy:
            return
        self.is_busy = True
        yield None
        try:
            view = await lifecycle.confirm_as_fan(
                public_id=self._public_id, key=self._key, satisfaction=_rating(form.get("satisfaction", ""))
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_busy = False
        self._show(view)
        yield toast.success("Thanks for confirming!")

    @rx.event
    async def dispute(self, form: dict[str, str]) -> Events:
        if self.is_busy:
            return
        self.is_busy, self.dispute_error = True, ""
        yield None
        try:
            view = await lifecycle.dispute_as_fan(
                public_id=self._public_id,
                key=self._key,
                reason=form.get("reason", ""),
                satisfaction=_rating(form.get("satisfaction", "")),
            )
        except CreatorlyError as error:
            self.dispute_error = error.message
            yield toast.error(error.message)
            return
        finally:
            self.is_busy = False
        self._show(view)
        self.is_dispute_open = False
        yield toast.success("We got your report. Our team will look into it and email you.")
