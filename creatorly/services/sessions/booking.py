"""The fan's side of paid sessions: free slots in their timezone, booking and paying, the booking page.

A booking is an order of kind "session" with a SessionBooking row written in the same transaction; the slot
is checked against the creator's calendar then, but it is only *held* once the payment arrives
(`fulfilment.confirm_paid_booking`), where the database's constraint decides between two fans who paid for
the same slot: the first keeps it, the second is refunded in full.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import as_utc, utc_now
from creatorly.kit.money import format_money
from creatorly.models import Creator, Order, SessionBooking, SessionType
from creatorly.models.enums import BookingStatus, OrderKind, OrderStatus
from creatorly.services.accounts.rules import validated_email
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout.routing import provider_for
from creatorly.services.checkout.schemas import CheckoutStarted
from creatorly.services.creators import service as creators
from creatorly.services.orders import service as orders
from creatorly.services.sessions import repository, rules
from creatorly.services.sessions.rules import BusyRange, SessionTerms
from creatorly.services.sessions.schemas import BookingOffer, NewBooking, Slot, SlotDay
from creatorly.services.sessions.service import SessionTypeNotFound, availability_of, to_view

_BOOKING_SALT = "session-booking-page"
MAX_NAME_LENGTH = 120


class SlotTaken(InvalidInput):
    code = "slot_taken"
    status = 409
    default_message = "That time was just booked by someone else. Please pick another one."


class BookingNotFound(NotFound):
    code = "booking_not_found"
    default_message = "That booking does not exist."


# --- Signed links --------------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(settings.resolved_secret_key, salt=_BOOKING_SALT)


def booking_key(public_id: str) -> str:
    """The fan's key to their booking page (sent in every email about it)."""
    return _serializer().dumps(public_id)


def booking_page_url(public_id: str) -> str:
    return f"{settings.resolved_public_url}/bookings/{public_id}?key={booking_key(public_id)}"


def is_booking_key_valid(public_id: str, key: str) -> bool:
    try:
        signed_for = _serializer().loads(key)
    except BadSignature:
        return False
    return isinstance(signed_for, str) and bool(public_id) and signed_for == public_id


# --- Free slots ------------------------------------------------------------------------------------------


async def get_booking_offer(*, handle: str, session_type_id: str, timezone: str) -> BookingOffer:
    """A session type of a trading creator with its free slots grouped by day in the fan's timezone."""
    fan_zone = rules.checked_timezone(timezone or "UTC")
    now = utc_now()
    async with db.reads() as session:
        creator, session_type = await _offered(session, handle, session_type_id)
        slots = await free_slots_of(session, creator, session_type, now=now)
    zone = ZoneInfo(fan_zone)
    days: list[SlotDay] = []
    for start in slots:
        local = start.astimezone(zone)
        day = local.date().isoformat()
        if not days or days[-1].day != day:
            days.append(SlotDay(day=day, label=f"{local:%A}, {local.day} {local:%B}", slots=[]))
        days[-1].slots.append(Slot(starts_at=start.isoformat(), label=f"{local:%H:%M}"))
    return BookingOffer(
        handle=creator.handle,
        creator_name=creator.display_name,
        session_type=to_view(session_type),
        timezone=fan_zone,
        days=days,
        rules_text=[to_view(session_type).policy_text],
    )


async def list_offered_types(*, handle: str) -> list[tuple[str, str, str, int, str]]:
    """(public id, title, price label, minutes, description) of a trading creator's active session types."""
    async with db.reads() as session:
        creator = await creators.trading_creator_by_handle(session, handle)
        if creator is None or creator.id is None:
            raise creators.CreatorNotFound()
        rows = await repository.types_of_creator(session, creator.id, active_only=True)
    return [
        (row.public_id, row.title, format_money(row.price, row.currency), row.duration_minutes, row.description)
        for row in rows
    ]


async def _offered(session: AsyncSession, handle: str, session_type_id: str) -> tuple[Creator, SessionType]:
    creator = await creators.trading_creator_by_handle(session, handle.strip().lower())
    if creator is None or creator.id is None:
        raise creators.CreatorNotFound()
    session_type = await repository.type_by_public_id(session, session_type_id.strip(), creator_id=creator.id)
    if session_type is None or not session_type.is_active:
        raise SessionTypeNotFound()
    return creator, session_type


async def free_slots_of(
    session: AsyncSession,
    creator: Creator,
    session_type: SessionType,
    *,
    now: datetime,
    except_booking_id: int | None = None,
) -> list[datetime]:
    assert creator.id is not None
    horizon = now + timedelta(days=rules.BOOKING_HORIZON_DAYS + 2)
    weekly, exceptions = await availability_of(
        session, creator.id, from_day=(now - timedelta(days=1)).date(), to_day=horizon.date()
    )
    busy = [
        BusyRange(as_utc(start), as_utc(blocked), is_same_type=type_id == session_type.id)
        for start, blocked, type_id in await repository.busy_between(
            session, creator.id, start=now - timedelta(days=1), end=horizon, except_booking_id=except_booking_id
        )
    ]
    return rules.free_slots(
        terms=SessionTerms(session_type.duration_minutes, session_type.buffer_minutes, session_type.max_per_day),
        timezone=creator.timezone,
        weekly=weekly,
        exceptions=exceptions,
        busy=busy,
        now=now,
    )


def parse_start(text: str) -> datetime:
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("Pick a time from the list.", field="starts_at") from None
    if start.tzinfo is None:
        raise InvalidInput("Pick a time from the list.", field="starts_at")
    return start.astimezone(UTC)


# --- Booking and paying ----------------------------------------------------------------------------------


async def start_booking(new: NewBooking) -> CheckoutStarted:
    """Check the fan's choice, open the session order with its booking, and hand the fan to the provider.

    A repeated click (the same checkout key) resumes the first click's payment, as product checkouts do.
    """
    key = checkout.checked_checkout_key(new.checkout_key)
    address = validated_email(new.fan_email)
    name = rules.clean_text(new.fan_name, limit=MAX_NAME_LENGTH, field="fan_name", label="name", required=True)
    note = rules.clean_text(new.note, limit=rules.MAX_NOTE_LENGTH, field="note", label="note")
    fan_zone = rules.checked_timezone(new.fan_timezone or "UTC", field="fan_timezone")
    start = parse_start(new.starts_at)
    opened = await _open_booking_order(new, key, address, name, note, fan_zone, start)
    if opened is None:
        return await checkout.resume_checkout(key, buyer_email=address)
    order, description = opened
    return await checkout.request_payment(order, description=description)


async def _open_booking_order(
    new: NewBooking, key: str, address: str, name: str, note: str, fan_zone: str, start: datetime
) -> tuple[Order, str] | None:
    """Transaction 1: the pending order and its requested booking, or None when the key was used before."""
    try:
        async with db.transaction() as session:
            if await orders.find_by_checkout_key(session, key) is not None:
                return None
            creator, session_type = await _offered(session, new.handle, new.session_type_id)
            creators.check_trading(creator)
            assert creator.id is not None and session_type.id is not None
            if start not in await free_slots_of(session, creator, session_type, now=utc_now()):
                raise SlotTaken("That time is no longer free. Please pick another one.", field="starts_at")
            order = await orders.add_order(session, _new_order(creator.id, session_type, address, key, new))
            await orders.transition(session, order, OrderStatus.PENDING, cause="session booking started")
            assert order.id is not None
            ends_at = start + timedelta(minutes=session_type.duration_minutes)
            await repository.add(
                session,
                SessionBooking(
                    public_id=f"bk_{secrets.token_hex(10)}",
                    creator_id=creator.id,
                    session_type_id=session_type.id,
                    order_id=order.id,
                    fan_user_id=new.buyer_user_id,
                    fan_email=address,
                    fan_name=name,
                    fan_timezone=fan_zone,
                    note=note,
                    starts_at=start,
                    ends_at=ends_at,
                    blocked_until=ends_at + timedelta(minutes=session_type.buffer_minutes),
                ),
            )
            return order, f"{session_type.title} with {creator.display_name}"
    except IntegrityError:
        async with db.transaction() as session:  # the same key raced us (a double click): theirs is the one
            if await orders.find_by_checkout_key(session, key) is None:
                raise
        return None


def _new_order(creator_id: int, session_type: SessionType, address: str, key: str, new: NewBooking) -> Order:
    return Order(
        public_id=f"ord_{secrets.token_hex(10)}",
        creator_id=creator_id,
        kind=OrderKind.SESSION,
        buyer_user_id=new.buyer_user_id,
        buyer_email=address,
        amount=session_type.price,
        currency=session_type.currency,
        checkout_key=key,
        status=OrderStatus.CREATED,
        provider=provider_for(session_type.currency),
        expires_at=utc_now() + checkout.CHECKOUT_LIFETIME,
    )


async def expire_unpaid_requests(*, limit: int = 500) -> int:
    """Requests whose checkout ran out are marked expired (they never held a slot); how many."""
    now = utc_now()
    async with db.transaction() as session:
        ids = await repository.expired_request_ids(session, before=now, limit=limit)
        for booking_id in ids:
            booking = await session.get(SessionBooking, booking_id, with_for_update=True)
            if booking is not None and booking.status == BookingStatus.REQUESTED:
                booking.status, booking.updated_at = BookingStatus.EXPIRED, now
                session.add(booking)
    return len(ids)
