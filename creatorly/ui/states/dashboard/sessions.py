"""State of `/dashboard/sessions`: the creator's bookings by day in their timezone with what each allows, and the
money paid sessions hold in escrow."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.creators.service import NotACreator
from creatorly.services.sessions import creator_views, lifecycle
from creatorly.services.sessions import service as sessions
from creatorly.services.sessions.schemas import BookingView
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

REPORT_DONE = {
    "completed": "Marked completed. The fan is asked to confirm.",
    "fan_no_show": "Recorded that the fan didn't show.",
    "creator_no_show": "Recorded that you couldn't make it. The fan is refunded in full.",
}


@dataclass
class CalendarBooking:
    public_id: str = ""
    title: str = ""
    fan_name: str = ""
    fan_email: str = ""
    time_label: str = ""
    price_label: str = ""
    status: str = ""
    status_label: str = ""
    location: str = ""
    note: str = ""
    can_cancel: bool = False
    cancel_is_late: bool = False
    can_reschedule: bool = False
    can_report: bool = False
    penalty_label: str = ""  # recorded against the creator (a no-show or a late cancel)


@dataclass
class CalendarDay:
    label: str = ""
    bookings: list[CalendarBooking] = field(default_factory=list)


@dataclass
class MoneyCard:
    currency: str = ""
    escrow_label: str = ""
    pending_label: str = ""
    available_label: str = ""


@dataclass
class SlotOption:
    value: str = ""
    label: str = ""


def _calendar(views: list[BookingView]) -> list[CalendarDay]:
    """Bookings grouped by their day in the creator's timezone, in the order the service gave them (by start)."""
    days: list[CalendarDay] = []
    for view in views:
        zone = ZoneInfo(view.timezone)
        start, end = view.starts_at.astimezone(zone), view.ends_at.astimezone(zone)
        label = f"{start:%A}, {start.day} {start:%B %Y}"
        if not days or days[-1].label != label:
            days.append(CalendarDay(label=label, bookings=[]))
        days[-1].bookings.append(
            CalendarBooking(
                public_id=view.public_id,
                title=view.title,
                fan_name=view.fan_name,
                fan_email=view.fan_email,
                time_label=f"{start:%H:%M}–{end:%H:%M}",
                price_label=view.price_label,
                status=view.status,
                status_label=view.status_label,
                location=view.location,
                note=view.note,
                can_cancel=view.can_cancel,
                cancel_is_late=view.cancel_is_late,
                can_reschedule=view.can_reschedule,
                can_report=view.can_report,
                penalty_label=view.penalty_label,
            )
        )
    return days


class SessionsDashboardState(rx.State):
    days: list[CalendarDay] = []
    money: list[MoneyCard] = []
    timezone: str = ""
    has_session_types: bool = False  # the empty calendar leads to creating one only when there is none
    is_loading: bool = True
    is_working: bool = False
    reschedule_title: str = ""
    reschedule_slots: list[SlotOption] = []
    is_reschedule_open: bool = False
    _reschedule_id: str = ""

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        token = await self._token()
        try:
            views = await lifecycle.list_my_calendar(session_token=token, days=120)
            money = await creator_views.my_session_money(session_token=token)
            offered = await sessions.list_my_session_types(session_token=token)
            hours = await sessions.get_my_availability(session_token=token)
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.days = _calendar(views)
        self.timezone = views[0].timezone if views else hours.timezone
        self.has_session_types = bool(offered)
        self.money = [
            MoneyCard(
                currency=item.currency,
                escrow_label=item.escrow_label,
                pending_label=item.pending_label,
                available_label=item.available_label,
            )
            for item in money
        ]
        self.is_loading = False

    @rx.event
    async def report(self, public_id: str, report: str) -> Events:
        async for event in self._act(public_id, "report", report):
            yield event

    @rx.event
    async def cancel(self, public_id: str) -> Events:
        async for event in self._act(public_id, "cancel", ""):
            yield event

    async def _act(self, public_id: str, action: str, value: str) -> Events:
        if self.is_working:
            return
        self.is_working = True
        yield None
        token = await self._token()
        try:
            if action == "report":
                await lifecycle.report_as_creator(session_token=token, public_id=public_id, report=value)
                done = REPORT_DONE.get(value, "Recorded.")
            elif action == "cancel":
                await lifecycle.cancel_as_creator(session_token=token, public_id=public_id)
                done = "Session cancelled. The fan is refunded in full."
            else:
                await lifecycle.reschedule_as_creator(session_token=token, public_id=public_id, starts_at=value)
                done = "Session moved. The fan has been sent the new time."
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_working = False
        yield toast.success(done)
        yield SessionsDashboardState.load

    @rx.event
    async def open_reschedule(self, public_id: str, title: str) -> Events:
        try:
            days = await creator_views.reschedule_slots(session_token=await self._token(), public_id=public_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self._reschedule_id, self.reschedule_title = public_id, title
        self.reschedule_slots = [
            SlotOption(value=slot.starts_at, label=f"{day.label}, {slot.label}") for day in days for slot in day.slots
        ][:300]
        self.is_reschedule_open = True

    @rx.event
    def set_reschedule_open(self, is_open: bool) -> None:
        self.is_reschedule_open = is_open

    @rx.event
    async def reschedule(self, form: dict[str, str]) -> Events:
        starts_at = form.get("starts_at", "")
        self.is_reschedule_open = False
        async for event in self._act(self._reschedule_id, "reschedule", starts_at):
            yield event
