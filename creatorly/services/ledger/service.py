"""Ledger use cases: post a paid order and its refunds once each, and read balances back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.models import LedgerEntry, LedgerTransaction
from creatorly.services.ledger import repository, rules
from creatorly.services.ledger.balances import BalanceRow, CreatorBalance, Release, creator_balances
from creatorly.services.ledger.rules import (
    FeesExceedGross,
    LedgerInconsistent,
    LedgerUnbalanced,
    RefundExceedsPayment,
    RefundReferenceReused,
    SaleNotRecorded,
)

__all__ = [
    "CreatorBalance",
    "FeesExceedGross",
    "LedgerInconsistent",
    "LedgerUnbalanced",
    "OrderEntry",
    "PostedSale",
    "RefundExceedsPayment",
    "RefundReferenceReused",
    "Release",
    "SaleNotRecorded",
    "balance",
    "balances_of_creator",
    "entries_of_order",
    "post_payout",
    "post_payout_failed",
    "post_payout_paid",
    "post_refund",
    "post_sale",
    "post_sale_with_share",
    "trial_balance",
]


@dataclass(frozen=True, slots=True)
class OrderEntry:
    """One ledger line of an order, as plain data for the dashboard."""

    transaction_id: int
    kind: str
    reference: str
    account: str
    amount: int
    currency: str
    memo: str
    available_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PostedSale:
    transaction_id: int | None  # None for a free order: nothing is posted
    creator_share: int  # what the sale moved to the creator's earnings (net of every fee)


async def post_sale(
    session: AsyncSession,
    *,
    order_id: int,
    creator_id: int,
    provider: str,
    gross: int,
    provider_fee: int,
    currency: str,
    paid_at: datetime,
    platform_fee_percent: Decimal | None = None,
    hold_days: int | None = None,
) -> int | None:
    """Record a paid order exactly once; the transaction id, or None for a free order (nothing posted).

    Posting the same order again, even concurrently, writes nothing and returns the first id.
    """
    posted = await post_sale_with_share(
        session,
        order_id=order_id,
        creator_id=creator_id,
        provider=provider,
        gross=gross,
        provider_fee=provider_fee,
        currency=currency,
        paid_at=paid_at,
        platform_fee_percent=platform_fee_percent,
        hold_days=hold_days,
    )
    return posted.transaction_id


async def post_sale_with_share(
    session: AsyncSession,
    *,
    order_id: int,
    creator_id: int,
    provider: str,
    gross: int,
    provider_fee: int,
    currency: str,
    paid_at: datetime,
    platform_fee_percent: Decimal | None = None,
    hold_days: int | None = None,
) -> PostedSale:
    """`post_sale`, also answering the creator's share, from the postings themselves when this call wrote them
    (two statements: the transaction, its entries) and from the stored entries when the sale was posted before."""
    code = currency.upper()
    postings = rules.sale_postings(
        provider=provider,
        creator_id=creator_id,
        gross=gross,
        provider_fee=provider_fee,
        platform_fee_percent=settings.platform_fee_percent if platform_fee_percent is None else platform_fee_percent,
        currency=code,
        paid_at=paid_at,
        hold=timedelta(days=settings.hold_period_days if hold_days is None else hold_days),
    )
    reference = rules.sale_reference(order_id)
    if not postings:
        existing = await repository.transaction_id_of(session, rules.SALE, reference)
        return PostedSale(existing, await creator_share(session, existing, creator_id))
    transaction = LedgerTransaction(
        kind=rules.SALE,
        reference=reference,
        currency=code,
        creator_id=creator_id,
        description=f"Sale of order {order_id}",
    )
    rules.assert_balanced(postings)
    transaction_id = await repository.insert_transaction_if_new(session, transaction)
    if transaction_id is None:  # posted before (a replay, or a concurrent writer): theirs stands
        existing = await repository.transaction_id_of(session, rules.SALE, reference)
        return PostedSale(existing, await creator_share(session, existing, creator_id))
    await _add_entries(session, transaction_id, code, postings)
    earnings = rules.creator_earnings_account(creator_id)
    return PostedSale(transaction_id, -sum(posting.amount for posting in postings if posting.account == earnings))


async def post_refund(session: AsyncSession, *, order_id: int, refund_reference: str, amount: int) -> int:
    """Record one refund of a posted sale exactly once per reference; the transaction id.

    The sale's row is locked first, so refunds of one order are posted one after another and can never
    together exceed the payment.
    """
    reference = rules.refund_reference(order_id, refund_reference)
    sale = await repository.lock_transaction(session, rules.SALE, rules.sale_reference(order_id))
    if sale is None or sale.id is None or sale.creator_id is None:
        raise SaleNotRecorded()
    existing = await repository.find_transaction(session, rules.REFUND, reference)
    if existing is not None and existing.id is not None:
        return await _replayed_refund(session, existing.id, amount)
    sale_entries = await repository.entries_of_transaction(session, sale.id)
    recorded = rules.recorded_sale(sale_entries)
    earlier = await repository.entries_of_kind_with_prefix(session, rules.REFUND, rules.refund_prefix(order_id))
    postings = rules.refund_postings(
        sale=recorded,
        before=rules.refunded_so_far(recorded.clearing_account, earlier),
        amount=amount,
        creator_id=sale.creator_id,
        currency=sale.currency,
        held=await _held_earnings(session, order_id, sale.id, sale.creator_id, sale_entries),
    )
    transaction = LedgerTransaction(
        kind=rules.REFUND,
        reference=reference,
        currency=sale.currency,
        creator_id=sale.creator_id,
        description=f"Refund {refund_reference.strip()} of order {order_id}"[:200],
    )
    return await _record_once(session, transaction, postings)


async def post_payout(
    session: AsyncSession, *, payout_public_id: str, creator_id: int, amount: int, currency: str
) -> int:
    """Move a payout's amount from the creator's earnings into transit, once per payout; the transaction id."""
    code = currency.upper()
    transaction = LedgerTransaction(
        kind=rules.PAYOUT,
        reference=rules.payout_reference(payout_public_id),
        currency=code,
        creator_id=creator_id,
        description=f"Payout {payout_public_id}",
    )
    postings = rules.payout_postings(creator_id=creator_id, amount=amount, currency=code)
    return await _record_once(session, transaction, postings)


async def post_payout_paid(
    session: AsyncSession, *, payout_public_id: str, creator_id: int, provider: str, amount: int, currency: str
) -> int:
    """The provider paid the payout: out of transit as disbursed by `provider`, once per payout."""
    code = currency.upper()
    transaction = LedgerTransaction(
        kind=rules.PAYOUT_PAID,
        reference=rules.payout_reference(payout_public_id),
        currency=code,
        creator_id=creator_id,
        description=f"Payout {payout_public_id} paid by {provider}",
    )
    postings = rules.payout_paid_postings(creator_id=creator_id, provider=provider, amount=amount, currency=code)
    return await _record_once(session, transaction, postings)


async def post_payout_failed(
    session: AsyncSession, *, payout_public_id: str, creator_id: int, amount: int, currency: str
) -> int:
    """The payout failed: its amount returns from transit to the creator's available earnings, once per payout."""
    code = currency.upper()
    transaction = LedgerTransaction(
        kind=rules.PAYOUT_FAILED,
        reference=rules.payout_reference(payout_public_id),
        currency=code,
        creator_id=creator_id,
        description=f"Payout {payout_public_id} returned",
    )
    postings = rules.payout_failed_postings(creator_id=creator_id, amount=amount, currency=code)
    return await _record_once(session, transaction, postings)


async def post_payout_reversed(
    session: AsyncSession, *, payout_public_id: str, creator_id: int, provider: str, amount: int, currency: str
) -> int:
    """A paid payout was reversed by the bank: the money is back in the creator's available earnings, once."""
    code = currency.upper()
    transaction = LedgerTransaction(
        kind=rules.PAYOUT_REVERSED,
        reference=rules.payout_reference(payout_public_id),
        currency=code,
        creator_id=creator_id,
        description=f"Payout {payout_public_id} reversed by the bank",
    )
    postings = rules.payout_reversed_postings(creator_id=creator_id, provider=provider, amount=amount, currency=code)
    return await _record_once(session, transaction, postings)


async def balances_of_creator(session: AsyncSession, creator_id: int, *, now: datetime) -> list[CreatorBalance]:
    """The creator's balances per currency at `now`, from the ledger entries in one query."""
    accounts = [
        rules.creator_earnings_account(creator_id),
        rules.creator_payouts_in_transit_account(creator_id),
        rules.creator_escrow_account(creator_id),
    ]
    rows = await repository.creator_balance_rows(session, accounts, now=now)
    return creator_balances(
        creator_id,
        (
            BalanceRow(account=account, currency=currency, memo=memo, release_at=release_at, amount=amount)
            for account, currency, memo, release_at, amount in rows
        ),
    )


async def _held_earnings(
    session: AsyncSession, order_id: int, sale_id: int, creator_id: int, sale_entries: Sequence[LedgerEntry]
) -> rules.HeldEarnings | None:
    """What of the sale is still on hold, after what its refunds and later fees already took from the hold."""
    rows = await repository.entries_with_references(
        session, rules.sale_reference(order_id), rules.refund_prefix(order_id)
    )
    later = [entry for transaction, entry in rows if transaction.id != sale_id]
    return rules.held_earnings(sale_entries, later, creator_id=creator_id, now=utc_now())


async def _replayed_refund(session: AsyncSession, transaction_id: int, amount: int) -> int:
    """A refund seen again must carry the amount first recorded; anything else is a caller's bug."""
    entries = await repository.entries_of_transaction(session, transaction_id)
    recorded_amount = -sum(entry.amount for entry in entries if entry.memo == rules.MEMO_REFUND)
    if recorded_amount != amount:
        raise RefundReferenceReused()
    return transaction_id


async def _record_once(session: AsyncSession, transaction: LedgerTransaction, postings: list[rules.Posting]) -> int:
    """Insert the transaction unless its (kind, reference) is posted already (then, even if a concurrent writer
    posted it, use theirs and write nothing), then its entries."""
    rules.assert_balanced(postings)
    transaction_id = await repository.insert_transaction_if_new(session, transaction)
    if transaction_id is None:
        existing = await repository.transaction_id_of(session, transaction.kind, transaction.reference)
        if existing is None:
            raise LedgerInconsistent(f"{transaction.kind} {transaction.reference} was refused but is not posted")
        return existing
    await _add_entries(session, transaction_id, transaction.currency, postings)
    return transaction_id


async def _add_entries(
    session: AsyncSession, transaction_id: int, currency: str, postings: list[rules.Posting]
) -> None:
    entries = [
        LedgerEntry(
            transaction_id=transaction_id,
            account=posting.account,
            amount=posting.amount,
            currency=currency,
            memo=posting.memo,
            available_at=posting.available_at,
        )
        for posting in postings
    ]
    await repository.add_entries(session, entries)


async def balance(session: AsyncSession, account: str, currency: str) -> int:
    """Sum of an account's entries, debit positive: earnings owed to a creator show as negative."""
    return await repository.sum_of_account(session, account, currency.upper())


async def creator_share(session: AsyncSession, transaction_id: int | None, creator_id: int) -> int:
    """What a sale (positive) or refund (negative) transaction moved to or from the creator's earnings."""
    if transaction_id is None:
        return 0
    account = rules.creator_earnings_account(creator_id)
    entries = await repository.entries_of_transaction(session, transaction_id)
    return -sum(entry.amount for entry in entries if entry.account == account)


async def trial_balance(session: AsyncSession) -> dict[str, int]:
    """Sum of every entry per currency; each must be zero, or the ledger is broken."""
    return await repository.sums_per_currency(session)


async def entries_of_order(session: AsyncSession, order_id: int) -> list[OrderEntry]:
    """Every line posted for an order, its sale first then its refunds, in posting order."""
    rows = await repository.entries_with_references(
        session, rules.sale_reference(order_id), rules.refund_prefix(order_id)
    )
    return [
        OrderEntry(
            transaction_id=entry.transaction_id,
            kind=transaction.kind,
            reference=transaction.reference,
            account=entry.account,
            amount=entry.amount,
            currency=entry.currency,
            memo=entry.memo,
            available_at=entry.available_at,
            created_at=entry.created_at,
        )
        for transaction, entry in rows
    ]
