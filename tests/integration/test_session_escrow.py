"""Paid sessions in the ledger: escrow held apart from earnings, settled once per order with exact amounts."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.models import LedgerEntry, LedgerTransaction, Order
from creatorly.models.enums import OrderStatus
from creatorly.services.ledger import escrow
from creatorly.services.ledger import service as ledger
from creatorly.services.payouts import withdrawals
from creatorly.services.reconciliation import service as reconciliation
from creatorly.services.sessions.settlement_rules import (
    CancellationPolicy,
    DisputeSplit,
    Outcome,
    Settlement,
    SettlementInput,
    settle,
)
from tests.integration.payout_helpers import Seller, add_us_bank, make_seller, net_of, sell

ORDER_ID = 9001  # ledger transactions refer to orders by reference, not by foreign key
PAID_AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
CLEARING = "provider:sandbox:clearing"
GROSS, PROVIDER_FEE, ESCROWED = 5000, 150, 4850
POLICY = CancellationPolicy(free_until_hours=24, late_fee_percent=50)


async def _post_escrow(creator_id: int, *, order_id: int = ORDER_ID, gross: int = GROSS) -> int | None:
    async with db.transaction() as session:
        return await escrow.post_session_escrow(
            session,
            order_id=order_id,
            creator_id=creator_id,
            provider="sandbox",
            gross=gross,
            provider_fee=PROVIDER_FEE if gross else 0,
            currency="usd",
            paid_at=PAID_AT,
            platform_fee_percent=Decimal(10),
        )


def _settlement(outcome: Outcome, split: DisputeSplit | None = None) -> Settlement:
    return settle(
        SettlementInput(
            escrowed=ESCROWED,
            currency="USD",
            price=GROSS,
            platform_fee_percent=Decimal(10),
            policy=POLICY,
            outcome=outcome,
            split=split,
        )
    )


async def _settle(creator_id: int, settlement: Settlement, *, settled_at: datetime | None = None) -> int:
    async with db.transaction() as session:
        return await escrow.post_session_settlement(
            session,
            order_id=ORDER_ID,
            creator_id=creator_id,
            settlement=settlement,
            currency="USD",
            settled_at=settled_at or utc_now(),
            hold_days=7,
        )


async def _counts() -> tuple[int, int]:
    async with db.transaction() as session:
        transactions = (await session.exec(select(func.count()).select_from(LedgerTransaction))).one()
        entries = (await session.exec(select(func.count()).select_from(LedgerEntry))).one()
    return transactions, entries


async def _lines_of(kind: str) -> list[tuple[str, int, str]]:
    async with db.transaction() as session:
        entries = await ledger.entries_of_order(session, ORDER_ID)
    return [(entry.account, entry.amount, entry.memo) for entry in entries if entry.kind == kind]


async def _accounts(creator_id: int) -> tuple[int, int, int, int]:
    """Clearing, platform revenue, the creator's earnings and escrow, as the ledger sums them."""
    async with db.transaction() as session:
        return (
            await ledger.balance(session, CLEARING, "USD"),
            await ledger.balance(session, "platform:revenue", "USD"),
            await ledger.balance(session, f"creator:{creator_id}:earnings", "USD"),
            await ledger.balance(session, f"creator:{creator_id}:escrow", "USD"),
        )


async def _balance(creator_id: int, *, now: datetime) -> ledger.CreatorBalance:
    async with db.transaction() as session:
        [balance] = await ledger.balances_of_creator(session, creator_id, now=now)
    return balance


async def _trial_balance() -> dict[str, int]:
    async with db.transaction() as session:
        return await ledger.trial_balance(session)


async def _creator_id() -> int:
    return (await make_seller(hold_days=7)).creator_id


async def test_a_paid_session_is_held_in_escrow_not_in_earnings() -> None:
    creator_id = await _creator_id()

    transaction_id = await _post_escrow(creator_id)

    async with db.transaction() as session:
        transaction = await session.get(LedgerTransaction, transaction_id)
        held = await escrow.escrow_balance(session, creator_id, "usd")
    assert transaction is not None
    assert (transaction.kind, transaction.reference, transaction.currency, transaction.creator_id) == (
        "session_escrow",
        f"order:{ORDER_ID}",
        "USD",
        creator_id,
    )
    assert await _lines_of("session_escrow") == [
        (CLEARING, 5000, "gross"),
        (CLEARING, -150, "provider fee"),
        (f"creator:{creator_id}:escrow", -4850, "session escrow"),
    ]
    assert held == ESCROWED
    assert await _accounts(creator_id) == (4850, 0, 0, -4850)
    balance = await _balance(creator_id, now=PAID_AT + timedelta(days=30))
    assert (balance.escrow, balance.pending, balance.available, balance.in_payout, balance.lifetime_earnings) == (
        4850,
        0,
        0,
        0,
        0,
    )
    assert await _trial_balance() == {"USD": 0}


async def test_posting_the_escrow_again_even_concurrently_writes_it_once() -> None:
    creator_id = await _creator_id()
    first = await _post_escrow(creator_id)

    again = await asyncio.gather(*(_post_escrow(creator_id) for _ in range(10)))

    assert set(again) == {first}
    assert await _counts() == (1, 3)


async def test_a_free_session_holds_nothing() -> None:
    creator_id = await _creator_id()

    assert await _post_escrow(creator_id, gross=0) is None

    assert await _counts() == (0, 0)


# (outcome, split, to creator, platform fee, fan refund): 10% platform fee, 50% late fee of the 50.00 price.
OUTCOMES = [
    (Outcome.COMPLETED, None, 4365, 485, 0),
    (Outcome.CREATOR_NO_SHOW, None, 0, 0, 4850),
    (Outcome.CREATOR_CANCELLED_LATE, None, 0, 0, 4850),
    (Outcome.CREATOR_CANCELLED, None, 0, 0, 4850),
    (Outcome.FAN_NO_SHOW, None, 2250, 250, 2350),
    (Outcome.FAN_CANCELLED_LATE, None, 2250, 250, 2350),
    (Outcome.FAN_CANCELLED, None, 0, 0, 4850),
    # 30% of 4850 = 1455; fee 145.5 rounds half up to 146.
    (Outcome.DISPUTE_SPLIT, DisputeSplit(creator_percent=30), 1309, 146, 3395),
]


@pytest.mark.parametrize(("outcome", "split", "to_creator", "platform_fee", "refund"), OUTCOMES)
async def test_each_outcome_settles_the_whole_escrow_to_the_right_accounts(
    outcome: Outcome, split: DisputeSplit | None, to_creator: int, platform_fee: int, refund: int
) -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)
    settled_at = utc_now()
    settlement = _settlement(outcome, split)

    transaction_id = await _settle(creator_id, settlement, settled_at=settled_at)

    assert (settlement.to_creator, settlement.platform_fee, settlement.to_fan_refund) == (
        to_creator,
        platform_fee,
        refund,
    )
    expected = [
        (f"creator:{creator_id}:escrow", 4850, "session escrow settled"),
        (f"creator:{creator_id}:earnings", -to_creator, "creator earnings"),
        ("platform:revenue", -platform_fee, "platform fee"),
        (CLEARING, -refund, "refund"),
    ]
    assert await _lines_of("session_settlement") == [line for line in expected if line[1] != 0]
    assert await _accounts(creator_id) == (4850 - refund, -platform_fee, -to_creator, 0)
    async with db.transaction() as session:
        transaction = await session.get(LedgerTransaction, transaction_id)
        earnings_legs = (
            await session.exec(
                select(LedgerEntry.available_at).where(
                    LedgerEntry.transaction_id == transaction_id,
                    col(LedgerEntry.account) == f"creator:{creator_id}:earnings",
                )
            )
        ).all()
        assert await escrow.escrow_balance(session, creator_id, "USD") == 0
    assert transaction is not None
    assert (transaction.kind, transaction.reference, transaction.creator_id) == (
        "session_settlement",
        f"order:{ORDER_ID}",
        creator_id,
    )
    assert list(earnings_legs) == ([settled_at + timedelta(days=7)] if to_creator else [])
    assert await _trial_balance() == {"USD": 0}


async def test_the_creator_share_is_pending_until_the_hold_passes_then_available() -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)
    settled_at = utc_now()

    await _settle(creator_id, _settlement(Outcome.COMPLETED), settled_at=settled_at)

    during = await _balance(creator_id, now=settled_at + timedelta(days=7) - timedelta(seconds=1))
    after = await _balance(creator_id, now=settled_at + timedelta(days=7))
    assert (during.escrow, during.pending, during.available, during.lifetime_earnings) == (0, 4365, 0, 4365)
    assert [(release.available_at, release.amount) for release in during.releases] == [
        (settled_at + timedelta(days=7), 4365)
    ]
    assert (after.escrow, after.pending, after.available, after.lifetime_earnings) == (0, 0, 4365, 4365)


async def test_settling_again_even_concurrently_posts_once() -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)
    settlement = _settlement(Outcome.FAN_CANCELLED_LATE)
    first = await _settle(creator_id, settlement)

    again = await asyncio.gather(*(_settle(creator_id, settlement) for _ in range(10)))

    assert set(again) == {first}
    assert await _counts() == (2, 3 + 4)
    assert await _accounts(creator_id) == (4850 - 2350, -250, -2250, 0)


async def test_concurrent_first_settlements_post_once() -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)
    settlement = _settlement(Outcome.COMPLETED)

    posted = await asyncio.gather(*(_settle(creator_id, settlement) for _ in range(10)))

    assert len(set(posted)) == 1
    assert await _counts() == (2, 3 + 3)
    assert await _trial_balance() == {"USD": 0}


async def test_settling_again_with_other_parts_is_refused_and_writes_nothing() -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)
    await _settle(creator_id, _settlement(Outcome.COMPLETED))
    before = await _counts()

    with pytest.raises(escrow.SessionAlreadySettled):
        await _settle(creator_id, _settlement(Outcome.CREATOR_NO_SHOW))

    assert await _counts() == before
    assert await _accounts(creator_id) == (4850, -485, -4365, 0)


async def test_settling_without_an_escrow_is_refused_and_writes_nothing() -> None:
    creator_id = await _creator_id()

    with pytest.raises(escrow.EscrowNotRecorded):
        await _settle(creator_id, _settlement(Outcome.COMPLETED))

    assert await _counts() == (0, 0)


async def test_a_settlement_that_does_not_add_up_to_the_escrow_is_refused_and_writes_nothing() -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)
    wrong = Settlement(Outcome.COMPLETED, to_creator=4500, platform_fee=500, to_fan_refund=0, penalty=0, reason="")

    with pytest.raises(escrow.SettlementMismatch):
        await _settle(creator_id, wrong)

    assert await _counts() == (1, 3)


async def test_another_creators_settlement_of_the_order_is_refused() -> None:
    creator_id = await _creator_id()
    other_id = await _creator_id()
    await _post_escrow(creator_id)

    with pytest.raises(escrow.SettlementMismatch):
        await _settle(other_id, _settlement(Outcome.COMPLETED))

    assert await _counts() == (1, 3)


async def test_escrow_is_never_paid_out() -> None:
    seller = await make_seller(hold_days=0)
    await add_us_bank(seller)
    await _post_escrow(seller.creator_id)

    readiness = await withdrawals.payout_readiness(seller.creator_id, "USD")
    assert (readiness.can_withdraw, readiness.amount) == (False, 0)

    await sell(seller, gross=2000)
    payout = await withdrawals.withdraw(seller.creator_id, "USD")

    assert payout.amount == net_of(2000)
    balance = await _balance(seller.creator_id, now=utc_now())
    assert (balance.escrow, balance.available, balance.in_payout) == (4850, 0, net_of(2000))
    assert await _trial_balance() == {"USD": 0}


async def _post_fee(fee: int) -> int | None:
    async with db.transaction() as session:
        return await escrow.post_session_provider_fee(session, order_id=ORDER_ID, fee=fee)


async def _escrowed() -> int:
    async with db.transaction() as session:
        return await escrow.escrowed_of_order(session, order_id=ORDER_ID)


async def test_a_provider_fee_reported_before_settlement_lowers_what_is_held_once() -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)

    first = await _post_fee(100)
    again = await _post_fee(100)

    assert again == first
    assert await _lines_of("session_provider_fee") == [
        (CLEARING, -100, "provider fee"),
        (f"creator:{creator_id}:escrow", 100, "provider fee charged"),
    ]
    assert await _escrowed() == 4750
    assert await _accounts(creator_id) == (4750, 0, 0, -4750)
    settlement = settle(
        SettlementInput(
            escrowed=await _escrowed(),
            currency="USD",
            price=GROSS,
            platform_fee_percent=Decimal(10),
            policy=POLICY,
            outcome=Outcome.COMPLETED,
        )
    )
    await _settle(creator_id, settlement)
    assert (settlement.to_creator, settlement.platform_fee) == (4275, 475)
    assert await _accounts(creator_id) == (4750, -475, -4275, 0)
    assert await _trial_balance() == {"USD": 0}


async def test_a_provider_fee_reported_after_settlement_comes_out_of_the_held_earnings() -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)
    settled_at = utc_now()
    await _settle(creator_id, _settlement(Outcome.COMPLETED), settled_at=settled_at)

    await _post_fee(100)

    assert await _accounts(creator_id) == (4750, -485, -4265, 0)
    balance = await _balance(creator_id, now=settled_at)
    assert (balance.pending, balance.available, balance.escrow) == (4265, 0, 0)
    assert await _trial_balance() == {"USD": 0}


async def test_a_provider_fee_larger_than_the_escrow_or_without_one_is_refused_and_writes_nothing() -> None:
    creator_id = await _creator_id()

    with pytest.raises(escrow.EscrowNotRecorded):
        await _post_fee(100)
    await _post_escrow(creator_id)
    with pytest.raises(escrow.FeesExceedGross):
        await _post_fee(4851)

    assert await _counts() == (1, 3)
    assert await _post_fee(0) is None
    assert await _counts() == (1, 3)


async def test_a_settlement_made_before_a_fee_arrived_no_longer_adds_up_and_is_refused() -> None:
    creator_id = await _creator_id()
    await _post_escrow(creator_id)
    stale = _settlement(Outcome.COMPLETED)
    await _post_fee(100)

    with pytest.raises(escrow.SettlementMismatch):
        await _settle(creator_id, stale)

    assert await _counts() == (2, 5)


async def _paid_session_order(seller: Seller) -> Order:
    """A paid order of GROSS whose money the ledger holds in escrow, as checkout does for a session."""
    async with db.transaction() as session:
        order = Order(
            public_id=f"ord_{secrets.token_hex(8)}",
            creator_id=seller.creator_id,
            product_id=seller.product.id,
            buyer_email="fan@example.com",
            amount=GROSS,
            currency="USD",
            provider_fee=PROVIDER_FEE,
            status=OrderStatus.PAID,
            paid_at=utc_now(),
        )
        session.add(order)
        await session.flush()
        assert order.id is not None
        await escrow.post_session_escrow(
            session,
            order_id=order.id,
            creator_id=seller.creator_id,
            provider="sandbox",
            gross=GROSS,
            provider_fee=PROVIDER_FEE,
            currency="USD",
            paid_at=utc_now(),
        )
    return order


async def _ledger_mismatches_of(order: Order) -> list[tuple[str, str]]:
    report = await reconciliation.reconcile(days=30)
    references = {order.public_id, f"order:{order.id}"}
    return [
        (item.area, item.problem)
        for item in report.mismatches
        if item.reference in references and item.area != "payment_provider"
    ]


async def test_an_escrowed_then_settled_session_reconciles_with_its_order() -> None:
    seller = await make_seller(hold_days=7)
    order = await _paid_session_order(seller)
    assert order.id is not None

    assert await _ledger_mismatches_of(order) == []

    async with db.transaction() as session:
        await escrow.post_session_settlement(
            session,
            order_id=order.id,
            creator_id=seller.creator_id,
            settlement=_settlement(Outcome.FAN_CANCELLED_LATE),
            currency="USD",
            settled_at=utc_now(),
        )
        row = await session.get(Order, order.id)
        assert row is not None
        row.refunded_amount, row.status = 2350, OrderStatus.PARTIALLY_REFUNDED
        session.add(row)

    assert await _ledger_mismatches_of(order) == []
    async with db.transaction() as session:
        row = await session.get(Order, order.id)
        assert row is not None
        row.refunded_amount = 2000
        session.add(row)
    assert await _ledger_mismatches_of(order) == [
        ("orders", "the refunds posted differ from the order's refunded amount")
    ]
