"""A booking's life after payment: the fan's page (by its signed key), the creator's calendar, rescheduling
and cancelling within the policy, the creator's report, the fan's confirmation, rating and dispute.

Each action checks the booking's state on the server (`rules`-style checks below) whatever the page showed;
anything that makes the booking due for settlement enqueues the settlement after commit, and the batch
job (`settlement.settle_due_sessions`) sweeps up whatever an enqueue missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.clock import as_utc, utc_now
from creatorly.kit.money import format_money
from creatorly.models import Creator, Order, SessionBooking, SessionType
from creatorly.models.enums import BookingStatus
from creatorly.services.accounts.authorization import require_user
from creatorly.services.accounts.rules import normalize_email
from creatorly.services.creators import service as creators
from creatorly.services.sessions import notices, repository, rules
from creatorly.services.sessions.booking import (
    BookingNotFound,
    SlotTaken,
    booking_page_url,
    free_slots_of,
    is_booking_key_valid,
    parse_start,
)
from creatorly.services.sessions.fulfilment import SETTLE_JOB
from creatorly.services.sessions.schemas import BookingView

# The fan's confirmation is assumed this long after the end; a dispute must come before.
CONFIRMATION_WINDOW = timedelta(hours=24)
MAX_DISPUTE_LENGTH = 2000
CREATOR_REPORTS = ("completed", "fan_no_show", "creator_no_show")
STATUS_LABELS = {
    BookingStatus.REQUESTED: "Waiting for payment",
    BookingStatus.BOOKED: "Booked",
    BookingStatus.COMPLETED: "Completed",
    BookingStatus.DISPUTED: "Disputed",
    BookingStatus.CANCELLED: "Cancelled",
    BookingStatus.SETTLED: "Settled",
    BookingStatus.CONFLICTED: "Refunded (time taken)",
    BookingStatus.EXPIRED: "Not paid",
}


class BookingActionRefused(CreatorlyError):
    code = "booking_action_refused"
    status = 409
    default_message = "That can't be done with this booking any more."


@dataclass(frozen=True, slots=True)
class Allowed:
    cancel: bool
    cancel_is_late: bool
    reschedule: bool
    report: bool
    confirm: bool
    dispute: bool


def allowed_actions(booking: SessionBooking, session_type: SessionType, *, now: datetime) -> Allowed:
    """What each side may still do, from the booking's state and the clock (the server's check)."""
    starts, ends = as_utc(booking.starts_at), as_utc(booking.ends_at)
    upcoming = booking.status == BookingStatus.BOOKED and now < starts
    late = rules.is_late(starts_at=starts, at=now, free_cancel_hours=session_type.free_cancel_hours)
    after_start = now >= starts and booking.status in (BookingStatus.BOOKED, BookingStatus.COMPLETED)
    in_window = now < ends + CONFIRMATION_WINDOW
    return Allowed(
        cancel=upcoming,
        cancel_is_late=upcoming and late,
        reschedule=upcoming and not late and booking.reschedules < rules.MAX_RESCHEDULES,
        report=after_start and booking.creator_report is None,
        confirm=after_start and in_window and booking.fan_confirmed_at is None,
        dispute=after_start and in_window and booking.disputed_at is None,
    )


# --- Reading --------------------------------------------------------------------------------------------


async def get_fan_booking(*, public_id: str, key: str) -> BookingView:
    """The fan's booking page, opened with the key from their emails; a wrong key is not found."""
    if not is_booking_key_valid(public_id, key):
        raise BookingNotFound()
    async with db.reads() as session:
        found = await repository.booking_with_parts(session, public_id)
    if found is None:
        raise BookingNotFound()
    booking, session_type, creator, order = found
    return to_view(booking, session_type, creator, order, timezone=booking.fan_timezone, now=utc_now())


async def list_my_calendar(*, session_token: str, from_iso: str = "", days: int = 60) -> list[BookingView]:
    """The signed-in creator's bookings from `from_iso` (default: a week ago) for `days`, in their timezone."""
    user = await require_user(session_token)
    if not 1 <= days <= 366:
        raise InvalidInput("Show between 1 and 366 days.", field="days")
    start = parse_start(from_iso) if from_iso.strip() else utc_now() - timedelta(days=7)
    async with db.reads() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        rows = await repository.bookings_of_creator(session, creator.id, start=start, end=start + timedelta(days=days))
        orders = await repository.orders_by_id(session, [booking.order_id for booking, _ in rows])
    now = utc_now()
    return [
        to_view(booking, session_type, creator, orders[booking.order_id], timezone=creator.timezone, now=now)
        for booking, session_type in rows
    ]


async def list_fan_bookings(*, session_token: str) -> list[BookingView]:
    """The signed-in fan's bookings (by account or by the address they booked with), each with its page link."""
    user = await require_user(session_token)
    async with db.reads() as session:
        rows = await repository.bookings_of_fan(session, user_id=user.id, email=normalize_email(user.email))
        orders = await repository.orders_by_id(session, [booking.order_id for booking, _, _ in rows])
    now = utc_now()
    return [
        to_view(booking, session_type, creator, orders[booking.order_id], timezone=booking.fan_timezone, now=now)
        for booking, session_type, creator in rows
    ]


def to_view(
    booking: SessionBooking, session_type: SessionType, creator: Creator, order: Order, *, timezone: str, now: datetime
) -> BookingView:
    allowed = allowed_actions(booking, session_type, now=now)
    local = as_utc(booking.starts_at).astimezone(ZoneInfo(timezone))
    return BookingView(
        public_id=booking.public_id,
        status=str(booking.status),
        status_label=STATUS_LABELS[BookingStatus(booking.status)],
        title=session_type.title,
        creator_name=creator.display_name,
        handle=creator.handle,
        fan_name=booking.fan_name,
        fan_email=booking.fan_email,
        starts_at=as_utc(booking.starts_at),
        ends_at=as_utc(booking.ends_at),
        when_label=f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}",
        timezone=timezone,
        location=session_type.location,
        price_label=format_money(order.amount, order.currency),
        note=booking.note,
        policy_text=rules.describe_policy(
            price=order.amount,
            currency=order.currency,
            free_cancel_hours=session_type.free_cancel_hours,
            late_fee_percent=session_type.late_fee_percent,
        ),
        satisfaction=booking.satisfaction,
        creator_report=booking.creator_report,
        fan_confirmed=booking.fan_confirmed_at is not None,
        dispute_reason=booking.dispute_reason,
        outcome=booking.outcome,
        outcome_label=(booking.outcome or "").replace("_", " "),
        can_cancel=allowed.cancel,
        cancel_is_late=allowed.cancel_is_late,
        can_reschedule=allowed.reschedule,
        can_report=allowed.report,
        can_confirm=allowed.confirm,
        can_dispute=allowed.dispute,
        page_url=booking_page_url(booking.public_id),
        session_type_id=session_type.public_id,
        cancel_refund_text=_cancel_refund_text(order, session_type, is_late=allowed.cancel_is_late),
        penalty_label=format_money(booking.penalty, order.currency) if booking.penalty > 0 else "",
    )


def _cancel_refund_text(order: Order, session_type: SessionType, *, is_late: bool) -> str:
    """What the fan gets back if they cancel now (the same split `_cancel` announces)."""
    if not is_late:
        return f"You get a full refund of {format_money(order.amount, order.currency)}."
    fee = rules.late_fee(price=order.amount, late_fee_percent=session_type.late_fee_percent)
    return (
        f"It starts in less than {session_type.free_cancel_hours} hours: the late fee of "
        f"{format_money(fee, order.currency)} goes to the creator and "
        f"{format_money(order.amount - fee, order.currency)} is refunded to you."
    )


# --- Acting on a booking ----------------------------------------------------------------------------------


async def _fan_booking(session: AsyncSession, public_id: str, key: str) -> tuple[SessionBooking, SessionType]:
    if not is_booking_key_valid(public_id, key):
        raise BookingNotFound()
    booking = await repository.booking_by_public_id(session, public_id, for_update=True)
    if booking is None:
        raise BookingNotFound()
    session_type = await repository.type_by_id(session, booking.session_type_id)
    assert session_type is not None
    return booking, session_type


async def _creators_booking(
    session: AsyncSession, user_id: int, public_id: str
) -> tuple[SessionBooking, SessionType, Creator]:
    """The signed-in creator's own booking, locked; another creator's is not found."""
    creator = await creators.creator_of(session, user_id)
    booking = await repository.booking_by_public_id(session, public_id, for_update=True)
    if booking is None or booking.creator_id != creator.id:
        raise BookingNotFound()
    session_type = await repository.type_by_id(session, booking.session_type_id)
    assert session_type is not None
    return booking, session_type, creator


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise BookingActionRefused(message)


def _enqueue_settlement(session: AsyncSession, booking: SessionBooking) -> None:
    assert booking.id is not None
    queue.enqueue_after_commit(session, SETTLE_JOB, booking.id)


async def cancel_as_fan(*, public_id: str, key: str) -> BookingView:
    """The fan cancels: free with enough notice, else the policy's late fee is kept and the rest refunded."""
    async with db.transaction() as session:
        booking, session_type = await _fan_booking(session, public_id, key)
        await _cancel(session, booking, session_type, by="fan")
    return await get_fan_booking(public_id=public_id, key=key)


async def cancel_as_creator(*, session_token: str, public_id: str) -> BookingView:
    """The creator cancels: the fan is always refunded in full; a late cancel counts against the creator."""
    user = await require_user(session_token)
    async with db.transaction() as session:
        booking, session_type, _ = await _creators_booking(session, user.id, public_id)
        await _cancel(session, booking, session_type, by="creator")
    return await _creator_view(user.id, public_id)


async def _cancel(session: AsyncSession, booking: SessionBooking, session_type: SessionType, *, by: str) -> None:
    now = utc_now()
    allowed = allowed_actions(booking, session_type, now=now)
    _refuse_unless(allowed.cancel, "Only an upcoming session can be cancelled.")
    booking.status, booking.cancelled_by, booking.cancelled_at, booking.updated_at = (
        BookingStatus.CANCELLED,
        by,
        now,
        now,
    )
    session.add(booking)
    await session.flush()
    order = await session.get(Order, booking.order_id)
    assert order is not None
    if by == "creator":
        what = f"The full {format_money(order.amount, order.currency)} is refunded to {booking.fan_name}."
    elif allowed.cancel_is_late:
        fee = rules.late_fee(price=order.amount, late_fee_percent=session_type.late_fee_percent)
        what = (
            f"It was cancelled less than {session_type.free_cancel_hours} hours before the start: the late "
            f"fee of {format_money(fee, order.currency)} goes to the creator and "
            f"{format_money(order.amount - fee, order.currency)} is refunded."
        )
    else:
        what = f"It was cancelled in time: the full {format_money(order.amount, order.currency)} is refunded."
    await notices.send_cancelled(session, booking, what_happens=what)
    _enqueue_settlement(session, booking)


async def reschedule_as_fan(*, public_id: str, key: str, starts_at: str) -> BookingView:
    async with db.transaction() as session:
        booking, session_type = await _fan_booking(session, public_id, key)
        await _reschedule(session, booking, session_type, starts_at)
    return await get_fan_booking(public_id=public_id, key=key)


async def reschedule_as_creator(*, session_token: str, public_id: str, starts_at: str) -> BookingView:
    user = await require_user(session_token)
    async with db.transaction() as session:
        booking, session_type, _ = await _creators_booking(session, user.id, public_id)
        await _reschedule(session, booking, session_type, starts_at)
    return await _creator_view(user.id, public_id)


async def _reschedule(
    session: AsyncSession, booking: SessionBooking, session_type: SessionType, starts_at: str
) -> None:
    """Move to another free slot, in time and at most `MAX_RESCHEDULES` times; the constraint has the last word."""
    now = utc_now()
    allowed = allowed_actions(booking, session_type, now=now)
    _refuse_unless(
        allowed.reschedule,
        f"A session can be moved up to {session_type.free_cancel_hours} hours before it starts, "
        f"{rules.MAX_RESCHEDULES} times at most.",
    )
    start = parse_start(starts_at)
    found = await repository.booking_with_parts(session, booking.public_id)
    assert found is not None
    creator = found[2]
    if start not in await free_slots_of(session, creator, session_type, now=now, except_booking_id=booking.id):
        raise SlotTaken("That time is not free. Please pick another one.", field="starts_at")
    previous = as_utc(booking.starts_at)
    ends_at = start + timedelta(minutes=session_type.duration_minutes)
    try:
        async with session.begin_nested():
            booking.starts_at, booking.ends_at = start, ends_at
            booking.blocked_until = ends_at + timedelta(minutes=session_type.buffer_minutes)
            booking.reschedules += 1
            booking.invite_sequence += 1
            booking.reminded_24h_at = booking.reminded_1h_at = None
            booking.updated_at = now
            session.add(booking)
            await session.flush()
    except IntegrityError:
        raise SlotTaken() from None
    await notices.send_rescheduled(session, booking, previous_start=previous)


async def report_as_creator(*, session_token: str, public_id: str, report: str) -> BookingView:
    """After the start, the creator says what happened: completed, the fan did not show, or they did not."""
    user = await require_user(session_token)
    if report not in CREATOR_REPORTS:
        raise InvalidInput("Say whether the session took place.", field="report")
    async with db.transaction() as session:
        booking, session_type, _ = await _creators_booking(session, user.id, public_id)
        now = utc_now()
        _refuse_unless(
            allowed_actions(booking, session_type, now=now).report,
            "You can report on a session once, after it has started.",
        )
        booking.creator_report, booking.creator_reported_at, booking.updated_at = report, now, now
        if booking.status == BookingStatus.BOOKED:
            booking.status = BookingStatus.COMPLETED
        session.add(booking)
        await session.flush()
        if booking.fan_confirmed_at is not None or report != "completed":
            _enqueue_settlement(session, booking)
    return await _creator_view(user.id, public_id)


async def confirm_as_fan(*, public_id: str, key: str, satisfaction: int | None) -> BookingView:
    """The fan confirms the session took place, rating it 1–5 (optional)."""
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise InvalidInput("Rate the session from 1 to 5.", field="satisfaction")
    async with db.transaction() as session:
        booking, session_type = await _fan_booking(session, public_id, key)
        now = utc_now()
        _refuse_unless(
            allowed_actions(booking, session_type, now=now).confirm,
            "You can confirm a session once, after it starts and within a day of its end.",
        )
        booking.fan_confirmed_at, booking.satisfaction, booking.updated_at = now, satisfaction, now
        session.add(booking)
        await session.flush()
        if booking.creator_report is not None and booking.disputed_at is None:
            _enqueue_settlement(session, booking)
    return await get_fan_booking(public_id=public_id, key=key)


async def dispute_as_fan(*, public_id: str, key: str, reason: str, satisfaction: int | None = None) -> BookingView:
    """The fan disputes the session within a day of its end; an admin then decides how the money splits."""
    text = rules.clean_text(reason, limit=MAX_DISPUTE_LENGTH, field="reason", label="reason", required=True)
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise InvalidInput("Rate the session from 1 to 5.", field="satisfaction")
    async with db.transaction() as session:
        booking, session_type = await _fan_booking(session, public_id, key)
        now = utc_now()
        _refuse_unless(
            allowed_actions(booking, session_type, now=now).dispute,
            "A dispute can be raised once, after the start and within a day of the session's end.",
        )
        booking.status, booking.dispute_reason, booking.disputed_at = BookingStatus.DISPUTED, text, now
        booking.satisfaction = satisfaction if satisfaction is not None else booking.satisfaction
        booking.updated_at = now
        session.add(booking)
    return await get_fan_booking(public_id=public_id, key=key)


async def _creator_view(user_id: int, public_id: str) -> BookingView:
    async with db.reads() as session:
        found = await repository.booking_with_parts(session, public_id)
    assert found is not None
    booking, session_type, creator, order = found
    if creator.user_id != user_id:
        raise BookingNotFound()
    return to_view(booking, session_type, creator, order, timezone=creator.timezone, now=utc_now())
