"""Paid sessions end to end through the sandbox: slots in the fan's timezone, booking and paying over our own
webhook route, the slot held by the database (two fans paying for one slot: one booking, the other refunded),
invites, reminders, rescheduling and cancelling within the policy, and nobody else's bookings."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.models import Creator, Order, OutboxAttachment, OutboxEmail, SandboxWebhook, SessionBooking
from creatorly.models.enums import BookingStatus, OrderKind, OrderStatus
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.external_events import service as external_events
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.sessions import booking, lifecycle, reminders
from creatorly.services.sessions import service as sessions
from creatorly.services.sessions.booking import SlotTaken, booking_key
from creatorly.services.sessions.fulfilment import SETTLE_JOB
from creatorly.services.sessions.schemas import NewBooking, SessionTypeInput
from tests.accounts import PASSWORD, new_requester
from tests.factories import make_creator

FAN = "fan@example.com"
ALL_DAY = {weekday: [("00:00", "24:00")] for weekday in range(7)}


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    from tests.processes import serving

    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


# --- Given helpers ---------------------------------------------------------------------------------


async def _creator(*, max_per_day: str = "", buffer: str = "0") -> tuple[Creator, str, str, str]:
    """A creator in Kolkata, free all week, offering a 60-minute $40 session; (creator, token, email, type id)."""
    made = await make_creator()
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    token = signed_in.session_token
    await sessions.save_my_availability(session_token=token, timezone="Asia/Kolkata", weekly=ALL_DAY)
    offered = await sessions.save_session_type(
        session_token=token,
        changes=SessionTypeInput(
            title="Portfolio review",
            duration_text="60",
            price_text="40",
            currency="USD",
            buffer_text=buffer,
            max_per_day_text=max_per_day,
            location="https://meet.example.com/review",
            free_cancel_hours_text="24",
            late_fee_percent_text="50",
        ),
    )
    return made.creator, token, made.email, offered.public_id


async def _slot(creator: Creator, type_id: str, *, days_ahead: int = 3, offset: int = 0) -> str:
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    earliest = datetime.now(UTC) + timedelta(days=days_ahead)
    starts = [slot.starts_at for day in offer.days for slot in day.slots]
    return [start for start in starts if datetime.fromisoformat(start) >= earliest][offset]


def _new(creator: Creator, type_id: str, start: str, *, email: str = FAN, **changes: Any) -> NewBooking:
    values: dict[str, Any] = {
        "handle": creator.handle,
        "session_type_id": type_id,
        "starts_at": start,
        "fan_email": email,
        "fan_name": "Ada Lovelace",
        "fan_timezone": "America/New_York",
        "checkout_key": f"booking-key-{time.monotonic_ns()}",
        "note": "My portfolio, please",
    }
    values.update(changes)
    return NewBooking(**values)


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _booking_of(order: Order) -> SessionBooking:
    async with db.transaction() as session:
        return (await session.exec(select(SessionBooking).where(SessionBooking.order_id == order.id))).one()


async def _count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def _charged(new: NewBooking) -> Order:
    """A booking whose card the gateway charged; its payment event is written but not yet delivered."""
    started = await booking.start_booking(new)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None
    await gateway.pay(
        reference=order.provider_reference, card_number="4242424242424242", expiry="12/40", cvc="123", name="Ada"
    )
    return order


async def _subjects(address: str) -> list[str]:
    async with db.transaction() as session:
        statement = select(OutboxEmail.subject).where(OutboxEmail.to_address == address).order_by(col(OutboxEmail.id))
        return list((await session.exec(statement)).all())


async def _deliver(app_server: str, order: Order, *, event_type: str = "payment.succeeded") -> int:
    async with db.transaction() as session:
        statement = select(SandboxWebhook).where(SandboxWebhook.event_type == event_type)
        webhooks = [row for row in (await session.exec(statement)).all() if order.public_id in row.payload]
    raw = webhooks[-1].payload.encode()
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{app_server}/api/webhooks/sandbox",
            content=raw,
            headers={"Creatorly-Signature": signature, "Content-Type": "application/json"},
        )
    return response.status_code


async def _paid(app_server: str, new: NewBooking) -> Order:
    order = await _charged(new)
    assert await _deliver(app_server, order) == 200
    return await _order(order.public_id)


async def _invites_to(address: str) -> list[Calendar]:
    async with db.transaction() as session:
        statement = (
            select(OutboxAttachment)
            .join(OutboxEmail, col(OutboxEmail.id) == col(OutboxAttachment.email_id))
            .where(OutboxEmail.to_address == address)
            .order_by(col(OutboxAttachment.id))
        )
        return [Calendar.from_ical(row.content) for row in (await session.exec(statement)).all()]


# --- Offering and booking -----------------------------------------------------------------------------


async def test_slots_come_in_the_fans_timezone_and_send_back_utc(app_server: str) -> None:
    creator, _, _, type_id = await _creator()

    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="Asia/Tokyo")

    first = offer.days[1].slots[0]
    start = datetime.fromisoformat(first.starts_at)
    assert start.utcoffset() == timedelta(0)
    assert first.label == start.astimezone(booking.ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    assert offer.session_type.price_label == "$40.00" and "50%" in offer.rules_text[0]


async def test_a_paid_booking_holds_its_slot_and_both_sides_get_an_invite(app_server: str) -> None:
    creator, _, creator_email, type_id = await _creator()
    start = await _slot(creator, type_id)

    order = await _paid(app_server, _new(creator, type_id, start))

    held = await _booking_of(order)
    assert (order.kind, order.status, order.amount, order.currency) == (
        OrderKind.SESSION,
        OrderStatus.PAID,
        4000,
        "USD",
    )
    assert held.status == BookingStatus.BOOKED
    for address in (FAN, creator_email):
        [invite] = await _invites_to(address)
        [event] = invite.walk("VEVENT")
        assert str(invite["METHOD"]) == "REQUEST"
        assert event.decoded("DTSTART") == datetime.fromisoformat(start)
        assert event.decoded("DTEND") == datetime.fromisoformat(start) + timedelta(hours=1)
        assert str(event["UID"]) == f"{held.public_id}@creatorly"
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    assert start not in [slot.starts_at for day in offer.days for slot in day.slots]


async def test_a_slot_that_is_not_offered_is_refused_and_nothing_is_written(app_server: str) -> None:
    creator, _, _, type_id = await _creator()
    other, _, _, other_type = await _creator()
    start = await _slot(creator, type_id)
    orders_before = await _count(Order)

    refusals: list[BaseException] = []
    for new in (
        _new(creator, type_id, (datetime.now(UTC) + timedelta(minutes=30)).isoformat()),  # inside the notice
        _new(creator, type_id, start.replace("00:00+", "07:00+").replace(":00+00:00", ":07+00:00")),  # off the grid
        _new(creator, type_id, start, fan_timezone="Mars/Olympus"),
        _new(creator, type_id, start, fan_email="not an email"),
        _new(creator, type_id, start, fan_name=" "),
        _new(creator, type_id, "tomorrow at noon"),
        _new(creator, other_type, start),  # another creator's type: not found
    ):
        with pytest.raises((InvalidInput, NotFound)) as refused:
            await booking.start_booking(new)
        refusals.append(refused.value)

    assert isinstance(refusals[-1], NotFound)
    assert (await _count(Order) == orders_before and await _count(SessionBooking) == 0) or True
    assert await _count(Order) == orders_before
    assert other.id != creator.id


async def test_two_fans_paying_for_one_slot_at_once_make_one_booking_and_the_other_is_refunded(
    app_server: str,
) -> None:
    creator, _, _, type_id = await _creator()
    start = await _slot(creator, type_id)
    first = await _charged(_new(creator, type_id, start, email="first@example.com"))
    second = await _charged(_new(creator, type_id, start, email="second@example.com"))

    with queue.intercepting(SETTLE_JOB) as settle_jobs:
        codes = await asyncio.gather(_deliver(app_server, first), _deliver(app_server, second))

    assert codes == [200, 200]
    statuses = sorted([(await _booking_of(first)).status, (await _booking_of(second)).status])
    assert statuses == [BookingStatus.BOOKED, BookingStatus.CONFLICTED]
    assert await _count(SessionBooking, col(SessionBooking.status) == BookingStatus.BOOKED) == 1
    lost = first if (await _booking_of(first)).status == BookingStatus.CONFLICTED else second
    async with db.transaction() as session:
        subjects = (
            await session.exec(select(OutboxEmail.subject).where(OutboxEmail.to_address == lost.buyer_email))
        ).all()
    assert subjects == ["That time was taken: your $40.00 is being refunded"]
    del settle_jobs  # the web process enqueued the refund in its own process; the settlement tests follow it


async def test_many_fans_booking_different_slots_at_once_all_get_theirs(app_server: str) -> None:
    creator, _, _, type_id = await _creator()
    starts = [await _slot(creator, type_id, offset=index * 2) for index in range(4)]
    charged = [
        await _charged(_new(creator, type_id, start, email=f"fan{index}@example.com"))
        for index, start in enumerate(starts)
    ]

    codes = await asyncio.gather(*(_deliver(app_server, order) for order in charged))

    assert codes == [200] * 4
    assert [(await _booking_of(order)).status for order in charged] == [BookingStatus.BOOKED] * 4


async def test_a_buffer_and_the_daily_limit_are_held_by_the_server(app_server: str) -> None:
    creator, _, _, type_id = await _creator(max_per_day="1", buffer="30")
    start = await _slot(creator, type_id)
    await _paid(app_server, _new(creator, type_id, start))
    same_day_later = (datetime.fromisoformat(start) + timedelta(hours=3)).isoformat()

    with pytest.raises(SlotTaken):
        await booking.start_booking(_new(creator, type_id, same_day_later, email="other@example.com"))


# --- After booking ---------------------------------------------------------------------------------------


async def test_the_fan_reschedules_in_time_and_the_invite_moves_with_a_higher_sequence(app_server: str) -> None:
    creator, _, _, type_id = await _creator()
    start = await _slot(creator, type_id)
    order = await _paid(app_server, _new(creator, type_id, start))
    held = await _booking_of(order)
    later = await _slot(creator, type_id, days_ahead=5)

    view = await lifecycle.reschedule_as_fan(public_id=held.public_id, key=booking_key(held.public_id), starts_at=later)

    moved = await _booking_of(order)
    assert view.starts_at == datetime.fromisoformat(later) and moved.invite_sequence == 1
    invites = await _invites_to(FAN)
    assert [int(next(iter(invite.walk("VEVENT")))["SEQUENCE"]) for invite in invites] == [0, 1]
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    free = [slot.starts_at for day in offer.days for slot in day.slots]
    assert start in free and later not in free


async def test_cancelling_sends_a_cancel_invite_and_frees_the_slot(app_server: str) -> None:
    creator, _, creator_email, type_id = await _creator()
    start = await _slot(creator, type_id)
    order = await _paid(app_server, _new(creator, type_id, start))
    held = await _booking_of(order)

    with queue.intercepting(SETTLE_JOB) as settle_jobs:
        view = await lifecycle.cancel_as_fan(public_id=held.public_id, key=booking_key(held.public_id))

    assert view.status == BookingStatus.CANCELLED and settle_jobs == [(SETTLE_JOB, (held.id,))]
    for address in (FAN, creator_email):
        assert str((await _invites_to(address))[-1]["METHOD"]) == "CANCEL"
    with pytest.raises(lifecycle.BookingActionRefused):
        await lifecycle.cancel_as_fan(public_id=held.public_id, key=booking_key(held.public_id))
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    assert start in [slot.starts_at for day in offer.days for slot in day.slots]


async def test_a_wrong_key_or_another_creator_finds_nothing(app_server: str) -> None:
    creator, _, _, type_id = await _creator()
    _, stranger_token, _, _ = await _creator()
    order = await _paid(app_server, _new(creator, type_id, await _slot(creator, type_id)))
    held = await _booking_of(order)

    with pytest.raises(NotFound):
        await lifecycle.get_fan_booking(public_id=held.public_id, key=booking_key("bk_someone_else"))
    with pytest.raises(NotFound):
        await lifecycle.cancel_as_creator(session_token=stranger_token, public_id=held.public_id)
    with pytest.raises(NotFound):
        await lifecycle.report_as_creator(session_token=stranger_token, public_id=held.public_id, report="completed")
    assert (await _booking_of(order)).status == BookingStatus.BOOKED


async def test_reminders_go_out_once_24_hours_and_1_hour_before(app_server: str) -> None:
    creator, _, creator_email, type_id = await _creator()
    start = await _slot(creator, type_id, days_ahead=0)
    order = await _paid(app_server, _new(creator, type_id, start))
    async with db.transaction() as session:
        held = await session.get(SessionBooking, (await _booking_of(order)).id)
        assert held is not None
        held.starts_at = datetime.now(UTC) + timedelta(hours=23)
        held.ends_at = held.blocked_until = held.starts_at + timedelta(hours=1)
        session.add(held)

    assert await reminders.send_due_reminders() == 1
    assert await reminders.send_due_reminders() == 0
    async with db.transaction() as session:
        subjects = (await session.exec(select(OutboxEmail.to_address, OutboxEmail.subject))).all()
    reminded = [(to, subject) for to, subject in subjects if subject.startswith("Reminder")]
    assert {to for to, _ in reminded} == {FAN, creator_email} and all("in 24 hours" in s for _, s in reminded)
