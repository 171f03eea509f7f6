"""Every query of sessions: session types, availability, bookings, what is busy and what is due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import (
    AvailabilityException,
    Creator,
    Order,
    SessionBooking,
    SessionType,
    User,
    WeeklyAvailability,
)
from creatorly.models.enums import BookingStatus

LIVE_STATUSES = (BookingStatus.BOOKED, BookingStatus.COMPLETED, BookingStatus.DISPUTED)


async def add(session: AsyncSession, row: SessionType | SessionBooking | AvailabilityException) -> None:
    session.add(row)
    await session.flush()


async def types_of_creator(session: AsyncSession, creator_id: int, *, active_only: bool) -> Sequence[SessionType]:
    statement = select(SessionType).where(col(SessionType.creator_id) == creator_id)
    if active_only:
        statement = statement.where(col(SessionType.is_active).is_(True))
    return (await session.exec(statement.order_by(col(SessionType.created_at), col(SessionType.id)))).all()


async def type_by_public_id(
    session: AsyncSession, public_id: str, *, creator_id: int | None = None, for_update: bool = False
) -> SessionType | None:
    statement = select(SessionType).where(col(SessionType.public_id) == public_id)
    if creator_id is not None:
        statement = statement.where(col(SessionType.creator_id) == creator_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def type_by_id(session: AsyncSession, type_id: int) -> SessionType | None:
    return await session.get(SessionType, type_id)


async def count_types(session: AsyncSession, creator_id: int) -> int:
    statement = select(func.count()).select_from(SessionType).where(col(SessionType.creator_id) == creator_id)
    return int((await session.exec(statement)).one())


async def weekly_of(session: AsyncSession, creator_id: int) -> Sequence[WeeklyAvailability]:
    statement = (
        select(WeeklyAvailability)
        .where(col(WeeklyAvailability.creator_id) == creator_id)
        .order_by(col(WeeklyAvailability.weekday), col(WeeklyAvailability.start_minute))
    )
    return (await session.exec(statement)).all()


async def replace_weekly(session: AsyncSession, creator_id: int, rows: Sequence[WeeklyAvailability]) -> None:
    await session.exec(delete(WeeklyAvailability).where(col(WeeklyAvailability.creator_id) == creator_id))
    session.add_all(rows)
    await session.flush()


async def exceptions_of(
    session: AsyncSession, creator_id: int, *, from_day: date, to_day: date
) -> Sequence[AvailabilityException]:
    statement = (
        select(AvailabilityException)
        .where(
            col(AvailabilityException.creator_id) == creator_id,
            col(AvailabilityException.day) >= from_day,
            col(AvailabilityException.day) <= to_day,
        )
        .order_by(col(AvailabilityException.day), col(AvailabilityException.start_minute))
    )
    return (await session.exec(statement)).all()


async def delete_exceptions_on(session: AsyncSession, creator_id: int, day: date) -> int:
    result = await session.exec(
        delete(AvailabilityException).where(
            col(AvailabilityException.creator_id) == creator_id, col(AvailabilityException.day) == day
        )
    )
    return int(result.rowcount or 0)


async def busy_between(
    session: AsyncSession, creator_id: int, *, start: datetime, end: datetime, except_booking_id: int | None = None
) -> Sequence[tuple[datetime, datetime, int]]:
    """(starts_at, blocked_until, session_type_id) of the creator's live bookings meeting [start, end)."""
    statement = select(SessionBooking.starts_at, SessionBooking.blocked_until, SessionBooking.session_type_id).where(
        col(SessionBooking.creator_id) == creator_id,
        col(SessionBooking.status).in_(LIVE_STATUSES),
        col(SessionBooking.starts_at) < end,
        col(SessionBooking.blocked_until) > start,
    )
    if except_booking_id is not None:
        statement = statement.where(col(SessionBooking.id) != except_booking_id)
    return [(row[0], row[1], row[2]) for row in (await session.exec(statement)).all()]


async def booking_by_public_id(
    session: AsyncSession, public_id: str, *, for_update: bool = False
) -> SessionBooking | None:
    statement = select(SessionBooking).where(col(SessionBooking.public_id) == public_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def booking_of_order(session: AsyncSession, order_id: int, *, for_update: bool = False) -> SessionBooking | None:
    statement = select(SessionBooking).where(col(SessionBooking.order_id) == order_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def booking_with_parts(
    session: AsyncSession, public_id: str
) -> tuple[SessionBooking, SessionType, Creator, Order] | None:
    statement = (
        select(SessionBooking, SessionType, Creator, Order)
        .join(SessionType, col(SessionType.id) == col(SessionBooking.session_type_id))
        .join(Creator, col(Creator.id) == col(SessionBooking.creator_id))
        .join(Order, col(Order.id) == col(SessionBooking.order_id))
        .where(col(SessionBooking.public_id) == public_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


_SHOWN = (
    BookingStatus.BOOKED,
    BookingStatus.COMPLETED,
    BookingStatus.DISPUTED,
    BookingStatus.CANCELLED,
    BookingStatus.SETTLED,
    BookingStatus.CONFLICTED,
)


async def bookings_of_creator(
    session: AsyncSession, creator_id: int, *, start: datetime, end: datetime
) -> Sequence[tuple[SessionBooking, SessionType]]:
    """The creator's paid bookings starting in [start, end), soonest first (unpaid requests left out)."""
    statement = (
        select(SessionBooking, SessionType)
        .join(SessionType, col(SessionType.id) == col(SessionBooking.session_type_id))
        .where(
            col(SessionBooking.creator_id) == creator_id,
            col(SessionBooking.status).in_(_SHOWN),
            col(SessionBooking.starts_at) >= start,
            col(SessionBooking.starts_at) < end,
        )
        .order_by(col(SessionBooking.starts_at), col(SessionBooking.id))
    )
    return [(row[0], row[1]) for row in (await session.exec(statement)).all()]


async def bookings_of_fan(
    session: AsyncSession, *, user_id: int, email: str, limit: int = 200
) -> Sequence[tuple[SessionBooking, SessionType, Creator]]:
    """A fan's paid bookings (by account, or by the address they booked with), newest start first."""
    statement = (
        select(SessionBooking, SessionType, Creator)
        .join(SessionType, col(SessionType.id) == col(SessionBooking.session_type_id))
        .join(Creator, col(Creator.id) == col(SessionBooking.creator_id))
        .where(
            (col(SessionBooking.fan_user_id) == user_id) | (func.lower(col(SessionBooking.fan_email)) == email),
            col(SessionBooking.status).in_(_SHOWN),
        )
        .order_by(col(SessionBooking.starts_at).desc(), col(SessionBooking.id).desc())
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in (await session.exec(statement)).all()]


async def creator_email(session: AsyncSession, creator_id: int) -> tuple[Creator, str] | None:
    statement = (
        select(Creator, User.email)
        .join(User, col(User.id) == col(Creator.user_id))
        .where(col(Creator.id) == creator_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1])


async def due_reminder_ids(session: AsyncSession, *, now: datetime, until: datetime, limit: int) -> list[int]:
    """Booked sessions starting in (now, until] with a reminder still unsent."""
    statement = (
        select(SessionBooking.id)
        .where(
            col(SessionBooking.status) == BookingStatus.BOOKED,
            col(SessionBooking.starts_at) > now,
            col(SessionBooking.starts_at) <= until,
            col(SessionBooking.reminded_1h_at).is_(None),
        )
        .order_by(col(SessionBooking.starts_at))
        .limit(limit)
    )
    return [int(row) for row in (await session.exec(statement)).all() if row is not None]


async def expired_request_ids(session: AsyncSession, *, before: datetime, limit: int) -> list[int]:
    """Unpaid requests whose order's checkout ran out before `before`."""
    statement = (
        select(SessionBooking.id)
        .join(Order, col(Order.id) == col(SessionBooking.order_id))
        .where(col(SessionBooking.status) == BookingStatus.REQUESTED, col(Order.expires_at) < before)
        .limit(limit)
    )
    return [int(row) for row in (await session.exec(statement)).all() if row is not None]


_UNSETTLED = (
    BookingStatus.BOOKED,
    BookingStatus.COMPLETED,
    BookingStatus.DISPUTED,
    BookingStatus.CANCELLED,
    BookingStatus.CONFLICTED,
)


async def unsettled_ids(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Paid bookings not settled yet that may be due: cancelled or lost ones, and those already over."""
    statement = (
        select(SessionBooking.id)
        .where(
            col(SessionBooking.status).in_(_UNSETTLED),
            col(SessionBooking.settled_at).is_(None),
            col(SessionBooking.status).in_((BookingStatus.CANCELLED, BookingStatus.CONFLICTED))
            | (col(SessionBooking.ends_at) <= now),
        )
        .order_by(col(SessionBooking.ends_at))
        .limit(limit)
    )
    return [int(row) for row in (await session.exec(statement)).all() if row is not None]


async def orders_by_id(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, Order]:
    """The bookings' orders in one query (a calendar or a fan's library lists many)."""
    if not order_ids:
        return {}
    rows = (await session.exec(select(Order).where(col(Order.id).in_(order_ids)))).all()
    return {order.id: order for order in rows if order.id is not None}
