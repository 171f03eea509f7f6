"""Queries for statements and exports: a creator's ledger lines and payouts, read only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import LedgerEntry, LedgerTransaction, Order, Payout, PayoutAccount, Product


def _creator_accounts(creator_id: int) -> tuple[str, str]:
    return f"creator:{creator_id}:earnings", f"creator:{creator_id}:payouts_in_transit"


async def transactions_between(
    session: AsyncSession, creator_id: int, start: datetime, end: datetime
) -> Sequence[tuple[LedgerTransaction, LedgerEntry]]:
    """Every entry of the creator's transactions posted in [start, end), oldest first (one query)."""
    statement = (
        select(LedgerTransaction, LedgerEntry)
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == col(LedgerTransaction.id))
        .where(
            col(LedgerTransaction.creator_id) == creator_id,
            col(LedgerTransaction.created_at) >= start,
            col(LedgerTransaction.created_at) < end,
        )
        .order_by(col(LedgerTransaction.created_at), col(LedgerTransaction.id), col(LedgerEntry.id))
    )
    return (await session.exec(statement)).all()


async def earnings_before(session: AsyncSession, creator_id: int, moment: datetime) -> dict[str, int]:
    """The balance owed to the creator (earnings account, sign flipped) just before `moment`, per currency."""
    earnings, _ = _creator_accounts(creator_id)
    statement = (
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount))
        .join(LedgerTransaction, col(LedgerTransaction.id) == col(LedgerEntry.transaction_id))
        .where(col(LedgerEntry.account) == earnings, col(LedgerTransaction.created_at) < moment)
        .group_by(col(LedgerEntry.currency))
    )
    return {currency: -int(total) for currency, total in (await session.exec(statement)).all()}


async def first_activity(session: AsyncSession, creator_id: int) -> datetime | None:
    statement = select(func.min(LedgerTransaction.created_at)).where(col(LedgerTransaction.creator_id) == creator_id)
    return (await session.exec(statement)).one()


async def entries_on_creator_accounts(
    session: AsyncSession, creator_id: int
) -> Sequence[tuple[LedgerTransaction, LedgerEntry]]:
    """Every entry on the creator's own accounts, oldest first."""
    statement = (
        select(LedgerTransaction, LedgerEntry)
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == col(LedgerTransaction.id))
        .where(col(LedgerEntry.account).in_(_creator_accounts(creator_id)))
        .order_by(col(LedgerTransaction.created_at), col(LedgerEntry.id))
    )
    return (await session.exec(statement)).all()


async def payouts_with_accounts(session: AsyncSession, creator_id: int) -> Sequence[tuple[Payout, PayoutAccount]]:
    statement = (
        select(Payout, PayoutAccount)
        .join(PayoutAccount, col(PayoutAccount.id) == col(Payout.payout_account_id))
        .where(col(Payout.creator_id) == creator_id)
        .order_by(col(Payout.created_at).desc(), col(Payout.id).desc())
    )
    return (await session.exec(statement)).all()


async def order_labels(session: AsyncSession, order_ids: set[int]) -> dict[int, str]:
    """ "Product title · ord_…" for each order id, in one query."""
    if not order_ids:
        return {}
    statement = (
        select(Order.id, Order.public_id, Product.title)
        .join(Product, col(Product.id) == col(Order.product_id))
        .where(col(Order.id).in_(order_ids))
    )
    rows = (await session.exec(statement)).all()
    return {order_id: f"{title} · {public_id}" for order_id, public_id, title in rows if order_id is not None}
