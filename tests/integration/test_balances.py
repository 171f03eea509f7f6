"""Balances from the ledger on a real database: pending with release dates, refunds during the hold, one query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlmodel import select

from creatorly import db
from creatorly.kit.clock import as_utc
from creatorly.models import Order
from creatorly.services.ledger import fees
from creatorly.services.payouts import balances, withdrawals
from creatorly.services.payouts.outcomes import apply_payout_outcome
from creatorly.services.payouts.schemas import ReleaseItem
from tests.integration.payout_helpers import add_us_bank, make_seller, net_of, refund, sell, trial_balance

NET = net_of(2000)  # 1712


async def _paid_at(order: Order) -> Any:
    async with db.transaction() as session:
        row = (await session.exec(select(Order).where(Order.public_id == order.public_id))).one()
    assert row.paid_at is not None
    return as_utc(row.paid_at)


async def test_held_sales_are_pending_with_their_release_dates() -> None:
    seller = await make_seller(hold_days=7)
    first = await sell(seller)
    second = await sell(seller, gross=3000)

    [balance] = await balances.balances_of(seller.creator_id)

    releases = [
        ReleaseItem(release_on=await _paid_at(first) + timedelta(days=7), amount=NET),
        ReleaseItem(release_on=await _paid_at(second) + timedelta(days=7), amount=net_of(3000)),
    ]
    assert (balance.currency, balance.pending, balance.available, balance.in_payout, balance.paid_out) == (
        "USD",
        NET + net_of(3000),
        0,
        0,
        0,
    )
    assert balance.lifetime_earnings == NET + net_of(3000)
    assert balance.releases == releases
    assert balance.next_release == releases[0]
    assert (balance.minimum_payout, balance.is_negative) == (1000, False)
    readiness = await withdrawals.payout_readiness(seller.creator_id, "USD")
    assert (readiness.can_withdraw, readiness.reason_code) == (False, "nothing_available")


async def test_a_creator_without_sales_has_no_balances() -> None:
    seller = await make_seller()
    assert await balances.balances_of(seller.creator_id) == []


async def test_each_currency_has_its_own_balance() -> None:
    dollars = await make_seller(hold_days=0)
    rupees = await make_seller(hold_days=0, currency="INR")
    await sell(dollars)
    await sell(rupees)

    [usd] = await balances.balances_of(dollars.creator_id)
    [inr] = await balances.balances_of(rupees.creator_id)

    assert (usd.currency, usd.available, usd.minimum_payout) == ("USD", NET, 1000)
    assert (inr.currency, inr.available, inr.minimum_payout) == ("INR", NET, 50000)


async def test_a_partial_refund_during_the_hold_lowers_pending_not_available() -> None:
    seller = await make_seller(hold_days=7)
    order = await sell(seller)

    await refund(order, 1000)  # the creator gives back 900: all of it from the held 1712

    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.pending, balance.available, balance.lifetime_earnings) == (NET - 900, 0, NET - 900)
    assert [release.amount for release in balance.releases] == [NET - 900]


async def test_a_full_refund_during_the_hold_empties_it_and_takes_the_provider_fee_from_available() -> None:
    seller = await make_seller(hold_days=7)
    order = await sell(seller)

    await refund(order, 1000, "re_1")
    await refund(order, 1000, "re_2")  # all 2000 back: the creator returns 1800, 88 more than was held

    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.pending, balance.available, balance.is_negative) == (0, -88, True)
    assert (balance.releases, balance.next_release, balance.lifetime_earnings) == ([], None, -88)
    assert await trial_balance() == {"USD": 0}


async def test_a_fee_charged_later_counts_against_the_hold_and_lifetime_earnings() -> None:
    seller = await make_seller(hold_days=7)
    order = await sell(seller)
    assert order.id is not None
    async with db.transaction() as session:
        await fees.post_provider_fee(session, order_id=order.id, fee=50)

    await refund(order, 2000)  # 1800 back: the 1662 still held, then 138 from available

    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.pending, balance.available, balance.lifetime_earnings) == (0, -138, NET - 50 - 1800)
    assert balance.available + balance.pending + balance.in_payout + balance.paid_out == balance.lifetime_earnings
    assert await trial_balance() == {"USD": 0}


@contextmanager
def _counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_arguments: Any) -> None:
        statements.append(statement)

    engine = db.get_engine().sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_balance_read_is_one_query_however_many_entries() -> None:
    seller = await make_seller(hold_days=0)
    for _ in range(6):
        await sell(seller)
    await add_us_bank(seller)
    payout = await withdrawals.withdraw(seller.creator_id, "USD")
    async with db.transaction() as session:
        await apply_payout_outcome(
            session,
            provider="sandbox",
            provider_reference="tr_1",
            merchant_reference=payout.public_id,
            outcome="paid",
            reason="",
            cause="test",
        )
    await sell(seller)

    with _counting_statements() as statements:
        [balance] = await balances.balances_of(seller.creator_id)

    assert [statement for statement in statements if "ledger_entries" in statement.lower()] == [statements[-1]]
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert (balance.available, balance.paid_out, balance.lifetime_earnings) == (NET, 6 * NET, 7 * NET)
    assert balance.available + balance.pending + balance.in_payout + balance.paid_out == balance.lifetime_earnings


async def test_the_balance_identity_holds_through_sales_refunds_and_payouts() -> None:
    seller = await make_seller(hold_days=0)
    held_seller_orders = [await sell(seller) for _ in range(3)]
    await add_us_bank(seller)
    failed = await withdrawals.withdraw(seller.creator_id, "USD")
    async with db.transaction() as session:
        await apply_payout_outcome(
            session,
            provider="sandbox",
            provider_reference=None,
            merchant_reference=failed.public_id,
            outcome="failed",
            reason="The bank account doesn't exist.",
            cause="test",
        )
    await refund(held_seller_orders[0], 700)
    open_payout = await withdrawals.withdraw(seller.creator_id, "USD")
    await sell(seller, gross=4000)

    [balance] = await balances.balances_of(seller.creator_id)

    earned = 3 * NET - 630 + net_of(4000)  # a 700 refund takes 70 back from the platform, 630 from the creator
    assert (balance.lifetime_earnings, balance.in_payout, balance.paid_out) == (earned, open_payout.amount, 0)
    assert open_payout.amount == 3 * NET - 630
    assert balance.available == net_of(4000)
    assert balance.available + balance.pending + balance.in_payout + balance.paid_out == balance.lifetime_earnings
    assert await trial_balance() == {"USD": 0}
