"""Settling paid sessions through the service: each outcome's exact split from escrow to the creator's pending
balance, the platform and the fan's refund; the batch run twice posts once; an admin decides a dispute."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.models import LedgerTransaction, Order, Refund, SessionBooking
from creatorly.models.enums import BookingStatus, OrderStatus
from creatorly.services.analytics.figures import Period, Totals, figures, paid_orders
from creatorly.services.audit.schemas import Actor
from creatorly.services.ledger import service as ledger
from creatorly.services.refunds import service as refunds
from creatorly.services.refunds.service import OrderNotRefundable
from creatorly.services.sessions import lifecycle, settlement
from creatorly.services.sessions.booking import booking_key
from tests import sessions as given

PRICE = 4000
FEE = 146  # the sandbox provider's 2.9 % + 0.30, kept by the provider: the creator's cost, as on a sale


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    from tests.processes import serving

    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)
    monkeypatch.setattr(settings, "platform_fee_percent", 10)
    monkeypatch.setattr(settings, "hold_period_days", 7)


async def _booked(app_server: str, *, days_ahead: int = 3) -> tuple[int, str, SessionBooking, Order]:
    """A paid booking; (creator id, creator's token, booking, order)."""
    creator, token, _, type_id = await given.creator()
    order = await given.paid(
        app_server, given.new(creator, type_id, await given.slot(creator, type_id, days_ahead=days_ahead))
    )
    assert creator.id is not None
    return creator.id, token, await given.booking_of(order), order


async def _move(booking: SessionBooking, *, starts_in: timedelta) -> None:
    """The clock moves on: the booking now starts `starts_in` from now (negative: in the past)."""
    async with db.transaction() as session:
        row = await session.get(SessionBooking, booking.id)
        assert row is not None
        row.starts_at = datetime.now(UTC) + starts_in
        row.ends_at = row.blocked_until = row.starts_at + timedelta(hours=1)
        session.add(row)


async def _money(creator_id: int) -> tuple[int, int, int]:
    """(escrow, pending, available) of the creator in USD."""
    async with db.transaction() as session:
        [balance] = await ledger.balances_of_creator(session, creator_id, now=datetime.now(UTC))
        assert set((await ledger.trial_balance(session)).values()) <= {0}
    return balance.escrow, balance.pending, balance.available


async def _revenue(creator_id: int) -> Totals:
    """The creator's dashboard totals for the last week."""
    today = datetime.now(UTC).date()
    async with db.reads() as session:
        found = await figures(session, creator_id=creator_id, period=Period(today - timedelta(days=6), today))
    return found.totals


async def _settlements() -> int:
    async with db.transaction() as session:
        rows = (
            await session.exec(select(LedgerTransaction).where(LedgerTransaction.kind == "session_settlement"))
        ).all()
    return len(rows)


async def _refund_of(order: Order) -> Refund | None:
    async with db.transaction() as session:
        return (await session.exec(select(Refund).where(col(Refund.order_id) == order.id))).first()


async def _state(booking: SessionBooking) -> SessionBooking:
    async with db.transaction() as session:
        row = await session.get(SessionBooking, booking.id)
        assert row is not None
        return row


async def test_paid_money_waits_in_escrow_not_in_the_creators_balance(app_server: str) -> None:
    creator_id, _, _, order = await _booked(app_server)

    assert order.provider_fee == FEE
    assert await _money(creator_id) == (PRICE - FEE, 0, 0)


async def test_completed_and_rated_five_moves_the_price_less_fees_to_pending_once(app_server: str) -> None:
    creator_id, token, booking, order = await _booked(app_server)
    await _move(booking, starts_in=-timedelta(hours=2))
    key = booking_key(booking.public_id)

    await lifecycle.report_as_creator(session_token=token, public_id=booking.public_id, report="completed")
    view = await lifecycle.confirm_as_fan(public_id=booking.public_id, key=key, satisfaction=5)
    first = await settlement.settle_due_sessions()
    second = await settlement.settle_due_sessions()

    assert view.satisfaction == 5 and first.get("completed") == 1 and "completed" not in second
    assert await _money(creator_id) == (0, 3600 - FEE, 0)  # 40.00 less 10 % and the provider's fee, held 7 days
    assert await _settlements() == 1 and await _refund_of(order) is None
    assert (await _state(booking)).status == BookingStatus.SETTLED
    assert (await given.fetch_order(order.public_id)).status == OrderStatus.PAID
    totals = await _revenue(creator_id)  # gross counted once when paid; the creator's share added once settled
    assert (totals.gross, totals.net, paid_orders(totals)) == ({"USD": PRICE}, {"USD": 3600 - FEE}, 1)


async def test_nothing_is_due_before_the_end_or_within_the_fans_day_without_confirmation(app_server: str) -> None:
    creator_id, token, booking, _ = await _booked(app_server)
    await _move(booking, starts_in=-timedelta(hours=3))  # ended 2 hours ago
    await lifecycle.report_as_creator(session_token=token, public_id=booking.public_id, report="completed")

    assert booking.id is not None and await settlement.settle_booking(booking_id=booking.id) == "not_due"
    await _move(booking, starts_in=-timedelta(hours=26))  # ended 25 hours ago: the fan's silence confirms
    assert await settlement.settle_booking(booking_id=booking.id) == "completed"
    assert await _money(creator_id) == (0, 3600 - FEE, 0)


async def test_a_fan_who_cancels_late_pays_the_late_fee_and_gets_the_rest_back(app_server: str) -> None:
    creator_id, _, booking, order = await _booked(app_server, days_ahead=0)
    await _move(booking, starts_in=timedelta(hours=5))  # the policy gives 24 hours

    view = await lifecycle.cancel_as_fan(public_id=booking.public_id, key=booking_key(booking.public_id))
    assert view.status == BookingStatus.CANCELLED
    assert booking.id is not None and await settlement.settle_booking(booking_id=booking.id) == "fan_cancelled_late"

    assert await _money(creator_id) == (0, 1800 - FEE, 0)  # half of 40.00 kept, less 10 % of it and the fee
    refund = await _refund_of(order)
    assert refund is not None and (refund.amount, refund.status) == (2000, "requested")


async def test_a_creator_who_cancels_late_refunds_everything_and_gets_a_penalty(app_server: str) -> None:
    creator_id, token, booking, order = await _booked(app_server, days_ahead=0)
    await _move(booking, starts_in=timedelta(hours=5))

    await lifecycle.cancel_as_creator(session_token=token, public_id=booking.public_id)
    assert booking.id is not None and await settlement.settle_booking(booking_id=booking.id) == "creator_cancelled_late"

    assert await _money(creator_id) == (0, 0, -FEE)  # the fan gets all 40.00 back; the creator bears the fee
    refund = await _refund_of(order)
    assert refund is not None and refund.amount == PRICE
    settled = await _state(booking)
    assert (settled.outcome, settled.penalty) == ("creator_cancelled_late", 2000)
    [shown] = await lifecycle.list_my_calendar(session_token=token, days=120)  # the creator's calendar says so
    assert (shown.public_id, shown.penalty_label) == (booking.public_id, "$20.00")
    assert (await _revenue(creator_id)).net == {"USD": -FEE}  # what the creator is left with: the provider's fee


async def test_a_fan_no_show_keeps_the_late_fee_for_the_creator(app_server: str) -> None:
    creator_id, token, booking, order = await _booked(app_server)
    await _move(booking, starts_in=-timedelta(hours=30))

    await lifecycle.report_as_creator(session_token=token, public_id=booking.public_id, report="fan_no_show")
    assert booking.id is not None and await settlement.settle_booking(booking_id=booking.id) == "fan_no_show"

    assert await _money(creator_id) == (0, 1800 - FEE, 0)
    refund = await _refund_of(order)
    assert refund is not None and refund.amount == 2000


async def test_a_dispute_waits_for_an_admin_whose_split_is_exact_and_audited(app_server: str) -> None:
    creator_id, _, booking, order = await _booked(app_server)
    await _move(booking, starts_in=-timedelta(hours=2))
    key = booking_key(booking.public_id)

    await lifecycle.dispute_as_fan(
        public_id=booking.public_id, key=key, reason="They left after 10 minutes", satisfaction=1
    )
    await _move(booking, starts_in=-timedelta(hours=40))  # the window has passed: still waits for the admin
    assert booking.id is not None and await settlement.settle_booking(booking_id=booking.id) == "not_due"

    admin = Actor(user_id=None, email="admin@example.com", role="admin")
    assert (
        await settlement.decide_dispute(
            actor=admin, booking_public_id=booking.public_id, creator_percent=25, reason="Partly delivered"
        )
        == "dispute_split"
    )

    assert await _money(creator_id) == (0, 900 - FEE, 0)  # 25 % of 40.00 = 10.00, less 10 % of it and the fee
    refund = await _refund_of(order)
    assert refund is not None and refund.amount == 3000


async def test_a_session_order_is_refunded_only_by_its_settlement(app_server: str) -> None:
    _, token, booking, order = await _booked(app_server)

    with pytest.raises(OrderNotRefundable):
        await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="")

    assert await _refund_of(order) is None and (await _state(booking)).status == BookingStatus.BOOKED
