"""Ledger use cases: post a paid order and its refunds once each, and read balances back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.config import settings
from creatorly.models import LedgerEntry, LedgerTransaction
from creatorly.services.ledger import repository, rules
from creatorly.services.ledger.rules import (
    FeesExceedGross,
    LedgerInconsistent,
    LedgerUnbalanced,
    RefundExceedsPayment,
    RefundReferenceReused,
    SaleNotRecorded,
)

__all__ = [
    "FeesExceedGross",
    "LedgerInconsistent",
    "LedgerUnbalanced",
    "OrderEntry",
    "RefundExceedsPayment",
    "RefundReferenceReused",
    "SaleNotRecorded",
    "balance",
    "entries_of_order",
    "post_refund",
    "post_sale",
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
    reference = rules.sale_reference(order_id)
    existing = await repository.transaction_id_of(session, rules.SALE, reference)
    if existing is not None:
        return existing
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
    if not postings:
        return None
    transaction = LedgerTransaction(
        kind=rules.SALE,
        reference=reference,
        currency=code,
        creator_id=creator_id,
        description=f"Sale of order {order_id}",
    )
    return await _record_once(session, transaction, postings)


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
    recorded = rules.recorded_sale(await repository.entries_of_transaction(session, sale.id))
    earlier = await repository.entries_of_kind_with_prefix(session, rules.REFUND, rules.refund_prefix(order_id))
    postings = rules.refund_postings(
        sale=recorded,
        before=rules.refunded_so_far(recorded.clearing_account, earlier),
        amount=amount,
        creator_id=sale.creator_id,
        currency=sale.currency,
    )
    transaction = LedgerTransaction(
        kind=rules.REFUND,
        reference=reference,
        currency=sale.currency,
        creator_id=sale.creator_id,
        description=f"Refund {refund_reference.strip()} of order {order_id}"[:200],
    )
    return await _record_once(session, transaction, postings)


async def _replayed_refund(session: AsyncSession, transaction_id: int, amount: int) -> int:
    """A refund seen again must carry the amount first recorded; anything else is a caller's bug."""
    entries = await repository.entries_of_transaction(session, transaction_id)
    recorded_amount = -sum(entry.amount for entry in entries if entry.memo == rules.MEMO_REFUND)
    if recorded_amount != amount:
        raise RefundReferenceReused()
    return transaction_id


async def _record_once(session: AsyncSession, transaction: LedgerTransaction, postings: list[rules.Posting]) -> int:
    """Insert under a savepoint; if a concurrent writer posted the same (kind, reference), use theirs."""
    rules.assert_balanced(postings)
    entries = [
        LedgerEntry(
            transaction_id=0,  # set once the transaction has its id
            account=posting.account,
            amount=posting.amount,
            currency=transaction.currency,
            memo=posting.memo,
            available_at=posting.available_at,
        )
        for posting in postings
    ]
    try:
        async with session.begin_nested():
            return await repository.add_transaction(session, transaction, entries)
    except IntegrityError:
        existing = await repository.transaction_id_of(session, transaction.kind, transaction.reference)
        if existing is None:
            raise
        return existing


async def balance(session: AsyncSession, account: str, currency: str) -> int:
    """Sum of an account's entries, debit positive: earnings owed to a creator show as negative."""
    return await repository.sum_of_account(session, account, currency.upper())


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
