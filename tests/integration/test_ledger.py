"""The ledger on a real database: exact sale and refund entries, idempotency, refusals, concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from creatorly import db
from creatorly.errors import NotFound
from creatorly.models import LedgerEntry, LedgerTransaction
from creatorly.services.ledger import service as ledger
from creatorly.services.ledger.rules import RefundExceedsPayment, RefundReferenceReused
from tests.factories import make_creator

ORDER_ID = 4242  # ledger transactions refer to orders by reference, not by foreign key
PAID_AT = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)
CLEARING = "provider:sandbox:clearing"


async def _creator_id() -> int:
    creator = (await make_creator()).creator
    assert creator.id is not None
    return creator.id


async def _post_sale(creator_id: int, *, order_id: int = ORDER_ID, gross: int = 1000) -> int | None:
    async with db.transaction() as session:
        return await ledger.post_sale(
            session,
            order_id=order_id,
            creator_id=creator_id,
            provider="sandbox",
            gross=gross,
            provider_fee=59,
            currency="USD",
            paid_at=PAID_AT,
            platform_fee_percent=Decimal(10),
            hold_days=7,
        )


async def _post_refund(reference: str, amount: int) -> int:
    async with db.transaction() as session:
        return await ledger.post_refund(session, order_id=ORDER_ID, refund_reference=reference, amount=amount)


async def _counts() -> tuple[int, int]:
    async with db.transaction() as session:
        transactions = (await session.exec(select(func.count()).select_from(LedgerTransaction))).one()
        entries = (await session.exec(select(func.count()).select_from(LedgerEntry))).one()
    return transactions, entries


async def _lines() -> list[tuple[str, str, int, str]]:
    async with db.transaction() as session:
        entries = await ledger.entries_of_order(session, ORDER_ID)
    return [(entry.kind, entry.account, entry.amount, entry.memo) for entry in entries]


async def _balances(creator_id: int) -> tuple[int, int, int]:
    async with db.transaction() as session:
        return (
            await ledger.balance(session, CLEARING, "USD"),
            await ledger.balance(session, "platform:revenue", "USD"),
            await ledger.balance(session, f"creator:{creator_id}:earnings", "USD"),
        )


async def test_a_sale_posts_exact_entries_with_the_hold_on_earnings() -> None:
    creator_id = await _creator_id()

    transaction_id = await _post_sale(creator_id)

    async with db.transaction() as session:
        entries = await ledger.entries_of_order(session, ORDER_ID)
        transaction = await session.get(LedgerTransaction, transaction_id)
    assert transaction is not None
    assert (transaction.kind, transaction.reference, transaction.currency) == ("sale", "order:4242", "USD")
    assert transaction.creator_id == creator_id
    assert [(entry.account, entry.amount, entry.memo, entry.available_at) for entry in entries] == [
        (CLEARING, 1000, "gross", None),
        (CLEARING, -59, "provider fee", None),
        ("platform:revenue", -100, "platform fee", None),
        (f"creator:{creator_id}:earnings", -841, "creator earnings", PAID_AT + timedelta(days=7)),
    ]
    assert {entry.transaction_id for entry in entries} == {transaction_id}
    assert await _balances(creator_id) == (941, -100, -841)


async def test_posting_the_same_sale_again_returns_the_first_transaction_and_writes_nothing() -> None:
    creator_id = await _creator_id()
    first = await _post_sale(creator_id)
    before = await _lines()

    again = await _post_sale(creator_id)

    assert again == first
    assert await _counts() == (1, 4)
    assert await _lines() == before


async def test_a_free_sale_posts_nothing() -> None:
    creator_id = await _creator_id()

    async with db.transaction() as session:
        posted = await ledger.post_sale(
            session,
            order_id=ORDER_ID,
            creator_id=creator_id,
            provider="sandbox",
            gross=0,
            provider_fee=0,
            currency="USD",
            paid_at=PAID_AT,
        )

    assert posted is None
    assert await _counts() == (0, 0)


async def test_partial_refunds_then_the_remainder_return_the_platform_fee_exactly() -> None:
    creator_id = await _creator_id()
    await _post_sale(creator_id)

    first = await _post_refund("re_1", 333)
    second = await _post_refund("re_2", 333)
    replayed = await _post_refund("re_2", 333)
    third = await _post_refund("re_3", 334)

    assert replayed == second
    assert len({first, second, third}) == 3
    earnings = f"creator:{creator_id}:earnings"
    assert (await _lines())[4:] == [
        ("refund", CLEARING, -333, "refund"),
        ("refund", "platform:revenue", 33, "platform fee returned"),
        ("refund", earnings, 300, "creator earnings returned"),
        ("refund", CLEARING, -333, "refund"),
        ("refund", "platform:revenue", 34, "platform fee returned"),
        ("refund", earnings, 299, "creator earnings returned"),
        ("refund", CLEARING, -334, "refund"),
        ("refund", "platform:revenue", 33, "platform fee returned"),
        ("refund", earnings, 301, "creator earnings returned"),
    ]
    # The provider kept its fee and the creator bears it; the platform returned all of its own.
    assert await _balances(creator_id) == (-59, 0, 59)
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"USD": 0}


async def test_an_over_refund_is_refused_and_writes_nothing() -> None:
    creator_id = await _creator_id()
    await _post_sale(creator_id)
    await _post_refund("re_1", 600)
    before = await _counts()

    with pytest.raises(RefundExceedsPayment) as refused:
        await _post_refund("re_2", 401)

    assert refused.value.status == 409
    assert await _counts() == before
    assert await _balances(creator_id) == (941 - 600, -100 + 60, -841 + 540)


async def test_a_refund_reference_reused_with_another_amount_is_refused() -> None:
    creator_id = await _creator_id()
    await _post_sale(creator_id)
    await _post_refund("re_1", 100)
    before = await _counts()

    with pytest.raises(RefundReferenceReused):
        await _post_refund("re_1", 200)

    assert await _counts() == before


async def test_a_refund_of_an_order_without_a_recorded_sale_is_refused() -> None:
    with pytest.raises(NotFound):
        await _post_refund("re_1", 100)
    assert await _counts() == (0, 0)


async def test_the_trial_balance_is_zero_in_every_currency() -> None:
    creator_id = await _creator_id()
    await _post_sale(creator_id, order_id=1, gross=1000)
    await _post_sale(creator_id, order_id=2, gross=2500)
    async with db.transaction() as session:
        await ledger.post_sale(
            session,
            order_id=3,
            creator_id=creator_id,
            provider="sandbox",
            gross=1200,
            provider_fee=43,
            currency="JPY",
            paid_at=PAID_AT,
        )
        await ledger.post_refund(session, order_id=2, refund_reference="re_9", amount=999)

    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"JPY": 0, "USD": 0}


async def test_concurrent_posts_of_one_sale_record_a_single_transaction() -> None:
    creator_id = await _creator_id()

    posted = await asyncio.gather(*(_post_sale(creator_id) for _ in range(10)))

    async with db.transaction() as session:
        ids = (await session.exec(select(LedgerTransaction.id))).all()
        accounts = (await session.exec(select(LedgerEntry.account).order_by(col(LedgerEntry.id)))).all()
    assert len(ids) == 1
    assert set(posted) == {ids[0]}
    assert len(accounts) == 4


async def test_concurrent_refunds_that_together_exceed_the_payment_post_only_what_fits() -> None:
    creator_id = await _creator_id()
    await _post_sale(creator_id)

    results = await asyncio.gather(*(_post_refund(f"re_{number}", 600) for number in range(4)), return_exceptions=True)

    refused = [result for result in results if isinstance(result, BaseException)]
    assert len(refused) == 3
    assert all(isinstance(error, RefundExceedsPayment) for error in refused)
    assert await _counts() == (2, 4 + 3)
    assert await _balances(creator_id) == (941 - 600, -100 + 60, -841 + 540)


async def _post_sale_with_share(creator_id: int) -> ledger.PostedSale:
    async with db.transaction() as session:
        return await ledger.post_sale_with_share(
            session,
            order_id=ORDER_ID,
            creator_id=creator_id,
            provider="sandbox",
            gross=1000,
            provider_fee=59,
            currency="USD",
            paid_at=PAID_AT,
            platform_fee_percent=Decimal(10),
            hold_days=7,
        )


async def test_a_sale_posted_with_its_share_answers_the_creator_net_and_a_replay_answers_the_same() -> None:
    creator_id = await _creator_id()

    first = await _post_sale_with_share(creator_id)
    again = await _post_sale_with_share(creator_id)

    assert first.creator_share == 841
    assert again == first
    assert await _counts() == (1, 4)
    async with db.transaction() as session:
        assert await ledger.creator_share(session, first.transaction_id, creator_id) == 841
