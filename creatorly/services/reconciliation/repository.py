"""Every query of reconciliation: set-based reads of orders, payouts and ledger postings since a moment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from creatorly.models import LedgerEntry, LedgerTransaction, Order, Payout
from creatorly.services.reconciliation.schemas import OrderFacts, PayoutFacts

# Bound parameters per IN (…) list: far below SQLite's and asyncpg's limits.
_CHUNK = 500


async def orders_created_since(session: AsyncSession, since: datetime) -> list[OrderFacts]:
    statement = select(Order).where(col(Order.created_at) >= since).order_by(col(Order.id))
    return [
        OrderFacts(
            id=order.id or 0,
            public_id=order.public_id,
            status=str(order.status),
            amount=order.amount,
            currency=order.currency,
            refunded_amount=order.refunded_amount,
            provider=str(order.provider),
            provider_reference=order.provider_reference,
        )
        for order in (await session.exec(statement)).all()
    ]


async def payouts_created_since(session: AsyncSession, since: datetime) -> list[PayoutFacts]:
    statement = select(Payout).where(col(Payout.created_at) >= since).order_by(col(Payout.id))
    return [
        PayoutFacts(
            public_id=payout.public_id,
            status=str(payout.status),
            amount=payout.amount,
            currency=payout.currency,
            provider=payout.provider,
            provider_reference=payout.provider_reference,
        )
        for payout in (await session.exec(statement)).all()
    ]


async def legs_with_memo_since(
    session: AsyncSession, *, kind: str, memo: str, since: datetime
) -> Sequence[tuple[str, str, str, int]]:
    """(reference, currency, account, amount) of every leg with `memo` in transactions of `kind` posted since."""
    statement = cast(
        "Select[str, str, str, int]",
        select(LedgerTransaction.reference, LedgerTransaction.currency, LedgerEntry.account)
        .add_columns(col(LedgerEntry.amount))
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == col(LedgerTransaction.id))
        .where(
            col(LedgerTransaction.kind) == kind,
            col(LedgerEntry.memo) == memo,
            col(LedgerTransaction.created_at) >= since,
        )
        .order_by(col(LedgerEntry.id)),
    )
    return [
        (reference, currency, account, int(amount))
        for reference, currency, account, amount in (await session.exec(statement)).all()
    ]


async def moved_amounts_since(
    session: AsyncSession, *, kinds: Sequence[str], since: datetime
) -> Sequence[tuple[str, str, str, int]]:
    """(kind, reference, currency, amount moved) per transaction of `kinds` posted since: its largest leg."""
    largest_leg = func.max(func.abs(col(LedgerEntry.amount)))
    statement = cast(
        "Select[str, str, str, int]",
        select(LedgerTransaction.kind, LedgerTransaction.reference, LedgerTransaction.currency)
        .add_columns(largest_leg)
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == col(LedgerTransaction.id))
        .where(col(LedgerTransaction.kind).in_(kinds), col(LedgerTransaction.created_at) >= since)
        .group_by(col(LedgerTransaction.id), col(LedgerTransaction.kind), col(LedgerTransaction.reference))
        .group_by(col(LedgerTransaction.currency)),
    )
    return [
        (kind, reference, currency, int(total))
        for kind, reference, currency, total in (await session.exec(statement)).all()
    ]


async def existing_order_ids(session: AsyncSession, order_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(order_ids), _CHUNK):
        chunk = list(order_ids[start : start + _CHUNK])
        statement = select(Order.id).where(col(Order.id).in_(chunk))
        found.update(order_id for order_id in (await session.exec(statement)).all() if order_id is not None)
    return found


async def existing_payout_ids(session: AsyncSession, public_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(public_ids), _CHUNK):
        chunk = list(public_ids[start : start + _CHUNK])
        statement = select(Payout.public_id).where(col(Payout.public_id).in_(chunk))
        found.update((await session.exec(statement)).all())
    return found
