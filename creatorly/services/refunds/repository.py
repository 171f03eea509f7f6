"""Every query on refunds."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Refund


async def add(session: AsyncSession, refund: Refund) -> Refund:
    session.add(refund)
    await session.flush()
    return refund


async def of_order(session: AsyncSession, order_id: int) -> Sequence[Refund]:
    statement = select(Refund).where(col(Refund.order_id) == order_id).order_by(col(Refund.id))
    return (await session.exec(statement)).all()


async def find_by_key(session: AsyncSession, idempotency_key: str, *, for_update: bool = False) -> Refund | None:
    statement = select(Refund).where(col(Refund.idempotency_key) == idempotency_key)
    if for_update:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def unsent_with_key_suffix(session: AsyncSession, suffix: str, *, limit: int) -> list[int]:
    """Refunds still requested, never answered by their provider, whose key ends with `suffix`."""
    statement = (
        select(Refund.id)
        .where(
            col(Refund.status) == "requested",
            col(Refund.provider_reference).is_(None),
            col(Refund.idempotency_key).endswith(suffix),
        )
        .order_by(col(Refund.id))
        .limit(limit)
    )
    return [int(row) for row in (await session.exec(statement)).all() if row is not None]
