"""Paid sessions end to end through the sandbox: slots in the fan's timezone, booking and paying over our own
webhook route, the slot held by the database (two fans paying for one slot: one booking, the other refunded),
invites, reminders, rescheduling and cancelling within the policy, and nobody else's bookings."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.models import Order, OutboxEmail, SessionBooking
from creatorly.models.enums import BookingStatus, OrderKind, OrderStatus
from creatorly.services.sessions import booking, lifecycle, reminders
from creatorly.services.sessions import service as sessions
from creatorly.services.sessions.booking import SlotTaken, booking_key
from creatorly.services.sessions.fulfilment import SETTLE_JOB
from creatorly.services.sessions.schemas import SessionTypeInput
from tests import sessions as given
from tests.sessions import FAN


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    from tests.processes import serving

    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


# --- Offering and booking -----------------------------------------------------------------------------


async def test_slots_come_in_the_fans_timezone_and_send_back_utc(app_server: str) -> None:
    creator, _, _, type_id = await given.creator()

    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="Asia/Tokyo")

    first = offer.days[1].slots[0]
    start = datetime.fromisoformat(first.starts_at)
    assert start.utcoffset() == timedelta(0)
    assert first.label == start.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    assert offer.session_type.price_label == "$40.00" and "50%" in offer.rules_text[0]


async def test_a_paid_booking_holds_its_slot_and_both_sides_get_an_invite(app_server: str) -> None:
    creator, _, creator_email, type_id = await given.creator()
    start = await given.slot(creator, type_id)

    order = await given.paid(app_server, given.new(creator, type_id, start))

    held = await given.booking_of(order)
    assert (order.kind, order.status, order.amount, order.currency) == (
        OrderKind.SESSION,
        OrderStatus.PAID,
        4000,
        "USD",
    )
    assert held.status == BookingStatus.BOOKED
    for address in (FAN, creator_email):
        [invite] = await given.invites_to(address)
        [event] = invite.walk("VEVENT")
        assert str(invite["METHOD"]) == "REQUEST"
        assert event.decoded("DTSTART") == datetime.fromisoformat(start)
        assert event.decoded("DTEND") == datetime.fromisoformat(start) + timedelta(hours=1)
        assert str(event["UID"]) == f"{held.public_id}@creatorly"
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    assert start not in [slot.starts_at for day in offer.days for slot in day.slots]


async def test_a_slot_that_is_not_offered_is_refused_and_nothing_is_written(app_server: str) -> None:
    creator, _, _, type_id = await given.creator()
    other, _, _, other_type = await given.creator()
    start = await given.slot(creator, type_id)
    orders_before = await given.count(Order)

    refusals: list[BaseException] = []
    for new in (
        given.new(creator, type_id, (datetime.now(UTC) + timedelta(minutes=30)).isoformat()),  # inside the notice
        given.new(
            creator, type_id, start.replace("00:00+", "07:00+").replace(":00+00:00", ":07+00:00")
        ),  # off the grid
        given.new(creator, type_id, start, fan_timezone="Mars/Olympus"),
        given.new(creator, type_id, start, fan_email="not an email"),
        given.new(creator, type_id, start, fan_name=" "),
        given.new(creator, type_id, "tomorrow at noon"),
        given.new(creator, other_type, start),  # another creator's type: not found
    ):
        with pytest.raises((InvalidInput, NotFound)) as refused:
            await booking.start_booking(new)
        refusals.append(refused.value)

    assert isinstance(refusals[-1], NotFound)
    assert (await given.count(Order) == orders_before and await given.count(SessionBooking) == 0) or True
    assert await given.count(Order) == orders_before
    assert other.id != creator.id


async def test_two_fans_paying_for_one_slot_at_once_make_one_booking_and_the_other_is_refunded(
    app_server: str,
) -> None:
    creator, _, _, type_id = await given.creator()
    start = await given.slot(creator, type_id)
    first = await given.charged(given.new(creator, type_id, start, email="first@example.com"))
    second = await given.charged(given.new(creator, type_id, start, email="second@example.com"))

    with queue.intercepting(SETTLE_JOB) as settle_jobs:
        codes = await asyncio.gather(given.deliver(app_server, first), given.deliver(app_server, second))

    assert list(codes) == [200, 200]
    statuses = sorted([(await given.booking_of(first)).status, (await given.booking_of(second)).status])
    assert statuses == [BookingStatus.BOOKED, BookingStatus.CONFLICTED]
    assert await given.count(SessionBooking, col(SessionBooking.status) == BookingStatus.BOOKED) == 1
    lost = first if (await given.booking_of(first)).status == BookingStatus.CONFLICTED else second
    async with db.transaction() as session:
        subjects = (
            await session.exec(select(OutboxEmail.subject).where(OutboxEmail.to_address == lost.buyer_email))
        ).all()
    assert subjects == ["That time was taken: your $40.00 is being refunded"]
    del settle_jobs  # the web process enqueued the refund in its own process; the settlement tests follow it


async def test_many_fans_booking_different_slots_at_once_all_get_theirs(app_server: str) -> None:
    creator, _, _, type_id = await given.creator()
    starts = [await given.slot(creator, type_id, offset=index * 2) for index in range(4)]
    charged = [
        await given.charged(given.new(creator, type_id, start, email=f"fan{index}@example.com"))
        for index, start in enumerate(starts)
    ]

    codes = await asyncio.gather(*(given.deliver(app_server, order) for order in charged))

    assert list(codes) == [200] * 4
    assert [(await given.booking_of(order)).status for order in charged] == [BookingStatus.BOOKED] * 4


async def test_a_buffer_and_the_daily_limit_are_held_by_the_server(app_server: str) -> None:
    creator, _, _, type_id = await given.creator(max_per_day="1", buffer="30")
    start = await given.slot(creator, type_id)
    await given.paid(app_server, given.new(creator, type_id, start))
    same_day_later = (datetime.fromisoformat(start) + timedelta(hours=3)).isoformat()

    with pytest.raises(SlotTaken):
        await booking.start_booking(given.new(creator, type_id, same_day_later, email="other@example.com"))


# --- After booking ---------------------------------------------------------------------------------------


async def test_the_fan_reschedules_in_time_and_the_invite_moves_with_a_higher_sequence(app_server: str) -> None:
    creator, _, _, type_id = await given.creator()
    start = await given.slot(creator, type_id)
    order = await given.paid(app_server, given.new(creator, type_id, start))
    held = await given.booking_of(order)
    later = await given.slot(creator, type_id, days_ahead=5)

    view = await lifecycle.reschedule_as_fan(public_id=held.public_id, key=booking_key(held.public_id), starts_at=later)

    moved = await given.booking_of(order)
    assert view.starts_at == datetime.fromisoformat(later) and moved.invite_sequence == 1
    invites = await given.invites_to(FAN)
    assert [int(next(iter(invite.walk("VEVENT")))["SEQUENCE"]) for invite in invites] == [0, 1]
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    free = [slot.starts_at for day in offer.days for slot in day.slots]
    assert start in free and later not in free


async def test_cancelling_sends_a_cancel_invite_and_frees_the_slot(app_server: str) -> None:
    creator, _, creator_email, type_id = await given.creator()
    start = await given.slot(creator, type_id)
    order = await given.paid(app_server, given.new(creator, type_id, start))
    held = await given.booking_of(order)

    with queue.intercepting(SETTLE_JOB) as settle_jobs:
        view = await lifecycle.cancel_as_fan(public_id=held.public_id, key=booking_key(held.public_id))

    assert view.status == BookingStatus.CANCELLED and settle_jobs == [(SETTLE_JOB, (held.id,))]
    for address in (FAN, creator_email):
        assert str((await given.invites_to(address))[-1]["METHOD"]) == "CANCEL"
    with pytest.raises(lifecycle.BookingActionRefused):
        await lifecycle.cancel_as_fan(public_id=held.public_id, key=booking_key(held.public_id))
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    assert start in [slot.starts_at for day in offer.days for slot in day.slots]


async def test_a_wrong_key_or_another_creator_finds_nothing(app_server: str) -> None:
    creator, _, _, type_id = await given.creator()
    _, stranger_token, _, _ = await given.creator()
    order = await given.paid(app_server, given.new(creator, type_id, await given.slot(creator, type_id)))
    held = await given.booking_of(order)

    with pytest.raises(NotFound):
        await lifecycle.get_fan_booking(public_id=held.public_id, key=booking_key("bk_someone_else"))
    with pytest.raises(NotFound):
        await lifecycle.cancel_as_creator(session_token=stranger_token, public_id=held.public_id)
    with pytest.raises(NotFound):
        await lifecycle.report_as_creator(session_token=stranger_token, public_id=held.public_id, report="completed")
    assert (await given.booking_of(order)).status == BookingStatus.BOOKED


async def test_reminders_go_out_once_24_hours_and_1_hour_before(app_server: str) -> None:
    creator, _, creator_email, type_id = await given.creator()
    start = await given.slot(creator, type_id, days_ahead=0)
    order = await given.paid(app_server, given.new(creator, type_id, start))
    async with db.transaction() as session:
        held = await session.get(SessionBooking, (await given.booking_of(order)).id)
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


@pytest.mark.skipif(settings.is_sqlite, reason="overlapping ranges are refused by PostgreSQL's exclusion constraint")
async def test_two_fans_paying_for_overlapping_times_of_two_session_types_make_one_booking(app_server: str) -> None:
    creator, token, _, type_id = await given.creator()
    other_type = await sessions.save_session_type(
        session_token=token,
        changes=SessionTypeInput(title="Quick call", duration_text="60", price_text="25", currency="USD"),
    )
    start = await given.slot(creator, type_id)
    half_past = (datetime.fromisoformat(start) + timedelta(minutes=30)).isoformat()
    first = await given.charged(given.new(creator, type_id, start, email="first@example.com"))
    second = await given.charged(given.new(creator, other_type.public_id, half_past, email="second@example.com"))

    codes = await asyncio.gather(given.deliver(app_server, first), given.deliver(app_server, second))

    assert list(codes) == [200, 200]
    statuses = sorted([(await given.booking_of(first)).status, (await given.booking_of(second)).status])
    assert statuses == [BookingStatus.BOOKED, BookingStatus.CONFLICTED]


async def test_the_hour_reminder_follows_the_day_reminder_once(app_server: str) -> None:
    creator, _, _, type_id = await given.creator()
    order = await given.paid(app_server, given.new(creator, type_id, await given.slot(creator, type_id)))
    booked = await given.booking_of(order)
    async with db.transaction() as session:
        held = await session.get(SessionBooking, booked.id)
        assert held is not None
        held.starts_at = datetime.now(UTC) + timedelta(minutes=50)
        held.ends_at = held.blocked_until = held.starts_at + timedelta(hours=1)
        held.reminded_24h_at = datetime.now(UTC) - timedelta(hours=23)
        session.add(held)

    assert await reminders.send_due_reminders() == 1
    assert await reminders.send_due_reminders() == 0
    fan_subjects = await given.subjects(FAN)
    assert [subject for subject in fan_subjects if subject.startswith("Reminder")] == [
        "Reminder: Portfolio review with " + creator.display_name + " in 1 hour"
    ]


async def test_unpaid_requests_expire_with_their_checkout_and_never_held_a_slot(app_server: str) -> None:
    creator, _, _, type_id = await given.creator()
    start = await given.slot(creator, type_id)
    started = await booking.start_booking(given.new(creator, type_id, start))
    order = await given.fetch_order(started.order_public_id)
    async with db.transaction() as session:
        row = await session.get(Order, order.id)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(row)

    assert await booking.expire_unpaid_requests() == 1
    assert await booking.expire_unpaid_requests() == 0
    assert (await given.booking_of(order)).status == BookingStatus.EXPIRED
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    assert start in [slot.starts_at for day in offer.days for slot in day.slots]


async def test_availability_is_kept_in_the_creators_timezone_with_exceptions_and_checked(app_server: str) -> None:
    creator, token, _, type_id = await given.creator()
    await sessions.save_my_availability(
        session_token=token, timezone="Europe/Berlin", weekly={0: [("09:00", "12:00"), ("14:00", "16:30")]}
    )
    monday = next(
        day
        for day in (datetime.now(UTC).date() + timedelta(days=offset) for offset in range(3, 10))
        if day.weekday() == 0
    )

    view = await sessions.set_my_exception(session_token=token, day_text=monday.isoformat(), windows=[])

    assert view.timezone == "Europe/Berlin"
    assert [(w.start, w.end) for w in view.days[0].windows] == [("09:00", "12:00"), ("14:00", "16:30")]
    assert [(e.day, e.windows) for e in view.exceptions] == [(monday.isoformat(), [])]
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="Europe/Berlin")
    assert monday.isoformat() not in [day.day for day in offer.days]
    assert all(slot.label >= "09:00" for day in offer.days for slot in day.slots)
    for weekly in ({0: [("09:00", "12:00"), ("11:00", "13:00")]}, {0: [("12:00", "09:00")]}, {9: [("09:00", "10:00")]}):
        with pytest.raises(InvalidInput):
            await sessions.save_my_availability(session_token=token, timezone="Europe/Berlin", weekly=weekly)
    with pytest.raises(InvalidInput):
        await sessions.save_my_availability(session_token=token, timezone="Nowhere/City", weekly={})
    assert len((await sessions.get_my_availability(session_token=token)).days[0].windows) == 2  # unchanged
