"""State of `/dashboard/sessions/types`: the creator's session types (list, create, edit, with the settlement rules
shown before saving), their weekly hours in a timezone and the dates that differ."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.creators.rules import CREATOR_CURRENCIES, timezones
from creatorly.services.creators.service import NotACreator
from creatorly.services.sessions import creator_views
from creatorly.services.sessions import service as sessions
from creatorly.services.sessions.schemas import AvailabilityView, SessionTypeInput, SessionTypeView
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EXCEPTION_GROUP = 7  # the ranges of the date-exception form, beside the seven weekdays
TIMEZONES: tuple[str, ...] = timezones()


@dataclass
class TypeRow:
    public_id: str = ""
    title: str = ""
    summary: str = ""
    policy_text: str = ""
    is_active: bool = True


@dataclass
class RangeRow:
    key: int = 0
    group: int = 0  # 0–6 a weekday, EXCEPTION_GROUP the exception form
    start: str = ""
    end: str = ""


@dataclass
class ExceptionRow:
    day: str = ""
    hours: str = ""


def _summary(view: SessionTypeView) -> str:
    parts = [f"{view.duration_minutes} min", view.price_label]
    if view.buffer_minutes:
        parts.append(f"{view.buffer_minutes} min buffer")
    if view.max_per_day:
        parts.append(f"at most {view.max_per_day} a day")
    return " · ".join(parts)


class SessionTypesState(rx.State):
    types: list[TypeRow] = []
    is_loading: bool = True
    currencies: list[str] = list(CREATOR_CURRENCIES)
    # The type form: shown values (remounted by `form_version`), the rules for the policy typed, errors.
    is_editing: bool = False
    form_heading: str = "New session type"
    form_title: str = ""
    form_description: str = ""
    form_duration: str = "30"
    form_price: str = ""
    form_currency: str = "USD"
    form_buffer: str = "0"
    form_max_per_day: str = ""
    form_location: str = ""
    form_hours: str = "24"
    form_late_fee: str = "50"
    form_is_active: bool = True
    form_version: int = 0
    rules_lines: list[str] = []
    error: str = ""
    error_field: str = ""
    is_saving: bool = False
    _editing_id: str = ""
    # Availability.
    timezone: str = "UTC"
    ranges: list[RangeRow] = []
    exceptions: list[ExceptionRow] = []
    availability_version: int = 0
    availability_error: str = ""
    availability_error_field: str = ""
    exception_error: str = ""
    exception_error_field: str = ""
    _next_key: int = 0

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        token = await self._token()
        try:
            views = await sessions.list_my_session_types(session_token=token)
            availability = await sessions.get_my_availability(session_token=token)
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self._show_types(views)
        self._show_availability(availability)
        if not self.is_editing and not views:
            self.is_editing = True
            self._fill_form(None, currency=self.currencies[0] if self.currencies else "USD")
        self.is_loading = False

    def _show_types(self, views: list[SessionTypeView]) -> None:
        self.types = [
            TypeRow(
                public_id=view.public_id,
                title=view.title,
                summary=_summary(view),
                policy_text=view.policy_text,
                is_active=view.is_active,
            )
            for view in views
        ]

    # --- The session type form ------------------------------------------------------------------------

    def _fill_form(self, view: SessionTypeView | None, *, currency: str = "USD") -> None:
        self._editing_id = view.public_id if view else ""
        self.form_heading = f"Edit “{view.title}”" if view else "New session type"
        self.form_title = view.title if view else ""
        self.form_description = view.description if view else ""
        self.form_duration = str(view.duration_minutes) if view else "30"
        self.form_price = creator_views.amount_text(view.price, view.currency) if view else ""
        self.form_currency = view.currency if view else currency
        self.form_buffer = str(view.buffer_minutes) if view else "0"
        self.form_max_per_day = str(view.max_per_day) if view and view.max_per_day else ""
        self.form_location = view.location if view else ""
        self.form_hours = str(view.free_cancel_hours) if view else "24"
        self.form_late_fee = str(view.late_fee_percent) if view else "50"
        self.form_is_active = view.is_active if view else True
        self.error, self.error_field = "", ""
        self.form_version += 1
        self._preview()

    def _preview(self) -> None:
        self.rules_lines = creator_views.rules_preview(
            free_cancel_hours_text=self.form_hours,
            late_fee_percent_text=self.form_late_fee,
            currency=self.form_currency,
            price_text=self.form_price,
        )

    @rx.event
    def new_type(self) -> None:
        self.is_editing = True
        self._fill_form(None, currency=self.form_currency)

    @rx.event
    async def edit_type(self, public_id: str) -> Events:
        try:
            views = await sessions.list_my_session_types(session_token=await self._token())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        found = next((view for view in views if view.public_id == public_id), None)
        if found is None:
            yield toast.error("That session type does not exist.")
            return
        self.is_editing = True
        self._fill_form(found)

    @rx.event
    def close_form(self) -> None:
        self.is_editing = False

    @rx.event
    def update_policy(self, name: str, value: str) -> None:
        """A policy field left (or the currency chosen): show the rules for what is typed now."""
        if name == "price":
            self.form_price = value
        elif name == "currency":
            self.form_currency = value
        elif name == "free_cancel_hours":
            self.form_hours = value
        elif name == "late_fee_percent":
            self.form_late_fee = value
        self._preview()

    @rx.event
    async def save_type(self, form: dict[str, str]) -> Events:
        if self.is_saving:
            return
        self.is_saving, self.error, self.error_field = True, "", ""
        yield None
        changes = SessionTypeInput(
            title=form.get("title", ""),
            description=form.get("description", ""),
            duration_text=form.get("duration", ""),
            price_text=form.get("price", ""),
            currency=form.get("currency", ""),
            buffer_text=form.get("buffer", ""),
            max_per_day_text=form.get("max_per_day", ""),
            location=form.get("location", ""),
            free_cancel_hours_text=form.get("free_cancel_hours", ""),
            late_fee_percent_text=form.get("late_fee_percent", ""),
            is_active=form.get("is_active", "") == "on",
        )
        token = await self._token()
        try:
            saved = await sessions.save_session_type(
                session_token=token, changes=changes, public_id=self._editing_id or None
            )
            views = await sessions.list_my_session_types(session_token=token)
        except CreatorlyError as error:
            self.error = error.message
            self.error_field = (error.field or "") if isinstance(error, InvalidInput) else ""
            yield toast.error(error.message)
            return
        finally:
            self.is_saving = False
        self._show_types(views)
        self.is_editing = False
        self._fill_form(saved)
        self.is_editing = False
        yield toast.success(f"“{saved.title}” saved.")

    # --- Availability ----------------------------------------------------------------------------------

    def _show_availability(self, view: AvailabilityView) -> None:
        self.timezone = view.timezone
        rows: list[RangeRow] = []
        for day in view.days:
            for window in day.windows:
                rows.append(RangeRow(key=len(rows) + 1, group=day.weekday, start=window.start, end=window.end))
        rows.append(RangeRow(key=len(rows) + 1, group=EXCEPTION_GROUP, start="", end=""))
        self._next_key = len(rows) + 1
        self.ranges = rows
        self.exceptions = [
            ExceptionRow(
                day=item.day,
                hours=", ".join(f"{window.start}–{window.end}" for window in item.windows) or "Day off",
            )
            for item in view.exceptions
        ]
        self.availability_version += 1

    @rx.event
    def add_range(self, group: int) -> None:
        start, end = ("09:00", "17:00") if group != EXCEPTION_GROUP else ("", "")
        self.ranges = [*self.ranges, RangeRow(key=self._next_key, group=group, start=start, end=end)]
        self._next_key += 1

    @rx.event
    def remove_range(self, key: int) -> None:
        self.ranges = [row for row in self.ranges if row.key != key]

    def _windows(self, form: dict[str, str], group: int) -> list[tuple[str, str]]:
        return [
            (form.get(f"start-{row.key}", ""), form.get(f"end-{row.key}", ""))
            for row in self.ranges
            if row.group == group
        ]

    @rx.event
    async def save_availability(self, form: dict[str, str]) -> Events:
        self.availability_error, self.availability_error_field = "", ""
        weekly = {weekday: self._windows(form, weekday) for weekday in range(7)}
        try:
            view = await sessions.save_my_availability(
                session_token=await self._token(), timezone=form.get("timezone", ""), weekly=weekly
            )
        except CreatorlyError as error:
            self.availability_error = error.message
            self.availability_error_field = (error.field or "") if isinstance(error, InvalidInput) else ""
            yield toast.error(error.message)
            return
        self._show_availability(view)
        yield toast.success("Weekly hours saved.")

    @rx.event
    async def save_exception(self, form: dict[str, str]) -> Events:
        self.exception_error, self.exception_error_field = "", ""
        windows = [] if form.get("is_day_off", "") == "on" else self._windows(form, EXCEPTION_GROUP)
        if form.get("is_day_off", "") != "on" and not any(start or end for start, end in windows):
            self.exception_error, self.exception_error_field = "Give the hours, or tick “Day off”.", "exception"
            yield toast.error(self.exception_error)
            return
        try:
            view = await sessions.set_my_exception(
                session_token=await self._token(), day_text=form.get("day", ""), windows=windows
            )
        except CreatorlyError as error:
            self.exception_error = error.message
            self.exception_error_field = (error.field or "") if isinstance(error, InvalidInput) else ""
            yield toast.error(error.message)
            return
        self._show_availability(view)
        yield toast.success("Date saved.")

    @rx.event
    async def remove_exception(self, day: str) -> Events:
        try:
            view = await sessions.remove_my_exception(session_token=await self._token(), day_text=day)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self._show_availability(view)
        yield toast.success("Date removed: the weekly hours apply again.")
