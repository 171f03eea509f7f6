"""The creator's side of paid sessions: session types, weekly availability and date exceptions.

Availability is kept in the creator's timezone (`Creator.timezone`, set with it); fans see the slots in
theirs (`booking.get_booking_offer`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.money import format_money
from creatorly.models import AvailabilityException, Creator, SessionType, WeeklyAvailability
from creatorly.services.accounts.authorization import require_user
from creatorly.services.creators import service as creators
from creatorly.services.sessions import repository, rules
from creatorly.services.sessions.rules import Window
from creatorly.services.sessions.schemas import (
    AvailabilityView,
    DayAvailability,
    ExceptionView,
    SessionTypeInput,
    SessionTypeView,
    WindowText,
)

MAX_SESSION_TYPES = 20
EXCEPTIONS_SHOWN_DAYS = 180


class SessionTypeNotFound(NotFound):
    code = "session_type_not_found"
    default_message = "That session type does not exist."


# --- Session types ---------------------------------------------------------------------------------------


async def list_my_session_types(*, session_token: str) -> list[SessionTypeView]:
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        return [to_view(row) for row in await repository.types_of_creator(session, creator.id, active_only=False)]


async def save_session_type(
    *, session_token: str, changes: SessionTypeInput, public_id: str | None = None
) -> SessionTypeView:
    """Create a session type, or change the signed-in creator's own one (another creator's: not found).

    Bookings already paid keep the price and policy they were bought with (their order holds the amount).
    """
    user = await require_user(session_token)
    clean = rules.clean_session_type(
        title=changes.title,
        description=changes.description,
        duration_text=changes.duration_text,
        price_text=changes.price_text,
        currency=changes.currency,
        buffer_text=changes.buffer_text,
        max_per_day_text=changes.max_per_day_text,
        location=changes.location,
        free_cancel_hours_text=changes.free_cancel_hours_text,
        late_fee_percent_text=changes.late_fee_percent_text,
    )
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        if public_id is None:
            if await repository.count_types(session, creator.id) >= MAX_SESSION_TYPES:
                raise InvalidInput(f"You can offer up to {MAX_SESSION_TYPES} session types.", field="title")
            row = SessionType(public_id=f"st_{secrets.token_hex(8)}", creator_id=creator.id, **_fields(clean))
        else:
            found = await repository.type_by_public_id(session, public_id, creator_id=creator.id, for_update=True)
            if found is None:
                raise SessionTypeNotFound()
            row = found
            for name, value in _fields(clean).items():
                setattr(row, name, value)
            row.updated_at = utc_now()
        row.is_active = changes.is_active
        await repository.add(session, row)
        return to_view(row)


def _fields(clean: rules.CleanSessionType) -> dict[str, Any]:
    """The checked fields, named as the model's columns."""
    return asdict(clean)


def to_view(row: SessionType) -> SessionTypeView:
    return SessionTypeView(
        public_id=row.public_id,
        title=row.title,
        description=row.description,
        duration_minutes=row.duration_minutes,
        price=row.price,
        currency=row.currency,
        price_label=format_money(row.price, row.currency),
        buffer_minutes=row.buffer_minutes,
        max_per_day=row.max_per_day,
        location=row.location,
        free_cancel_hours=row.free_cancel_hours,
        late_fee_percent=row.late_fee_percent,
        policy_text=rules.describe_policy(
            price=row.price,
            currency=row.currency,
            free_cancel_hours=row.free_cancel_hours,
            late_fee_percent=row.late_fee_percent,
        ),
        is_active=row.is_active,
    )


# --- Availability ----------------------------------------------------------------------------------------


async def get_my_availability(*, session_token: str) -> AvailabilityView:
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        return await _availability_view(session, creator)


async def save_my_availability(
    *, session_token: str, timezone: str, weekly: Mapping[int, Sequence[tuple[str, str]]]
) -> AvailabilityView:
    """Replace the week's windows (weekday → [("09:00", "12:00"), …]) and set the timezone they are in."""
    user = await require_user(session_token)
    zone = rules.checked_timezone(timezone)
    rows: list[WeeklyAvailability] = []
    for weekday, texts in sorted(weekly.items()):
        if not 0 <= weekday <= 6:
            raise InvalidInput("Weekdays run from Monday (0) to Sunday (6).", field="weekday")
        field = rules.WEEKDAYS[weekday].lower()
        windows = rules.checked_windows(_parsed_windows(texts, field=field), field=field)
        rows.extend(
            WeeklyAvailability(creator_id=0, weekday=weekday, start_minute=w.start_minute, end_minute=w.end_minute)
            for w in windows
        )
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        for row in rows:
            row.creator_id = creator.id
        await repository.replace_weekly(session, creator.id, rows)
        if creator.timezone != zone:
            creator.timezone, creator.updated_at = zone, utc_now()
            session.add(creator)
        return await _availability_view(session, creator)


async def set_my_exception(
    *, session_token: str, day_text: str, windows: Sequence[tuple[str, str]]
) -> AvailabilityView:
    """Give one date its own hours (no windows: a day off), replacing what it had."""
    user = await require_user(session_token)
    day = _parsed_day(day_text)
    checked = rules.checked_windows(_parsed_windows(windows, field="exception"), field="exception")
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        await repository.delete_exceptions_on(session, creator.id, day)
        if not checked:
            await repository.add(session, AvailabilityException(creator_id=creator.id, day=day))
        for window in checked:
            await repository.add(
                session,
                AvailabilityException(
                    creator_id=creator.id, day=day, start_minute=window.start_minute, end_minute=window.end_minute
                ),
            )
        return await _availability_view(session, creator)


async def remove_my_exception(*, session_token: str, day_text: str) -> AvailabilityView:
    user = await require_user(session_token)
    day = _parsed_day(day_text)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        await repository.delete_exceptions_on(session, creator.id, day)
        return await _availability_view(session, creator)


def _parsed_day(day_text: str) -> date:
    try:
        return date.fromisoformat(day_text.strip())
    except ValueError:
        raise InvalidInput("Enter a date like 2027-03-08.", field="day") from None


def _parsed_windows(texts: Sequence[tuple[str, str]], *, field: str) -> list[Window]:
    return [
        Window(rules.parse_clock(start, field=field), rules.parse_clock(end, field=field))
        for start, end in texts
        if start.strip() or end.strip()
    ]


async def _availability_view(session: AsyncSession, creator: Creator) -> AvailabilityView:
    assert creator.id is not None
    weekly = await repository.weekly_of(session, creator.id)
    today = utc_now().date()
    exceptions = await repository.exceptions_of(
        session, creator.id, from_day=today - timedelta(days=1), to_day=today + timedelta(days=EXCEPTIONS_SHOWN_DAYS)
    )
    by_day: dict[date, list[WindowText]] = {}
    for row in exceptions:
        windows = by_day.setdefault(row.day, [])
        if row.start_minute is not None and row.end_minute is not None:
            windows.append(WindowText(rules.clock_text(row.start_minute), rules.clock_text(row.end_minute)))
    return AvailabilityView(
        timezone=creator.timezone,
        days=[
            DayAvailability(
                weekday=weekday,
                name=name,
                windows=[
                    WindowText(rules.clock_text(row.start_minute), rules.clock_text(row.end_minute))
                    for row in weekly
                    if row.weekday == weekday
                ],
            )
            for weekday, name in enumerate(rules.WEEKDAYS)
        ],
        exceptions=[ExceptionView(day=day.isoformat(), windows=windows) for day, windows in sorted(by_day.items())],
    )


async def availability_of(
    session: AsyncSession, creator_id: int, *, from_day: date, to_day: date
) -> tuple[dict[int, list[Window]], dict[date, list[Window]]]:
    """The week's windows by weekday and the exceptions by date, for the slot rules."""
    weekly: dict[int, list[Window]] = {}
    for row in await repository.weekly_of(session, creator_id):
        weekly.setdefault(row.weekday, []).append(Window(row.start_minute, row.end_minute))
    exceptions: dict[date, list[Window]] = {}
    for exception in await repository.exceptions_of(session, creator_id, from_day=from_day, to_day=to_day):
        windows = exceptions.setdefault(exception.day, [])
        if exception.start_minute is not None and exception.end_minute is not None:
            windows.append(Window(exception.start_minute, exception.end_minute))
    return weekly, exceptions
