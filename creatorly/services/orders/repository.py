"""Every query on orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Entitlement, Order, OrderEvent, PaymentAttempt
from creatorly.models.enums import OrderStatus


def _of_buyer(user_id: int, email: str) -> ColumnElement[bool]:
    return or_(col(Order.buyer_user_id) == user_id, col(Order.buyer_email) == email)


async def list_of_buyer(session: AsyncSession, user_id: int, email: str) -> Sequence[Order]:
    statement = select(Order).where(_of_buyer(user_id, email)).order_by(col(Order.id))
    return (await session.exec(statement)).all()


async def anonymize_buyer(session: AsyncSession, user_id: int, email: str, *, replacement_email: str) -> None:
    statement = update(Order).where(_of_buyer(user_id, email)).values(buyer_email=replacement_email, buyer_user_id=None)
    await session.exec(statement)


async def add(session: AsyncSession, row: Order | OrderEvent | PaymentAttempt | Entitlement) -> None:
    session.add(row)
    await session.flush()


async def get_by_checkout_key(session: AsyncSession, checkout_key: str) -> Order | None:
    return (await session.exec(select(Order).where(Order.checkout_key == checkout_key))).first()


async def get_by_public_id(session: AsyncSession, public_id: str, *, for_update: bool = False) -> Order | None:
    statement = select(Order).where(Order.public_id == public_id)
    if for_update:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def count_open_pending(session: AsyncSession, product_id: int, *, now: datetime) -> int:
    statement = (
        select(func.count())
        .select_from(Order)
        .where(
            Order.product_id == product_id,
            Order.status == OrderStatus.PENDING,
            col(Order.expires_at) > now,
        )
    )
    return int((await session.exec(statement)).one())


async def lock_abandoned(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[Order]:
    """Orders still waiting for payment (pending, or created and never handed to a provider) past their expiry,
    locked; rows another transaction holds (being paid) are skipped."""
    statement = (
        select(Order)
        .where(col(Order.status).in_((OrderStatus.CREATED, OrderStatus.PENDING)), col(Order.expires_at) <= now)
        .order_by(col(Order.id))
        .limit(limit)
        .with_for_update(skip_locked=True, key_share=True)
    )
    return (await session.exec(statement)).all()


async def events_of(session: AsyncSession, order_id: int) -> Sequence[OrderEvent]:
    statement = select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(col(OrderEvent.id))
    return (await session.exec(statement)).all()


async def entitlements_of(session: AsyncSession, order_id: int) -> Sequence[Entitlement]:
    statement = select(Entitlement).where(Entitlement.order_id == order_id).order_by(col(Entitlement.id))
    return (await session.exec(statement)).all()


async def latest_attempt(session: AsyncSession, order_id: int, *, action: str, outcome: str) -> PaymentAttempt | None:
    statement = (
        select(PaymentAttempt)
        .where(PaymentAttempt.order_id == order_id, PaymentAttempt.action == action, PaymentAttempt.outcome == outcome)
        .order_by(col(PaymentAttempt.id).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def get_by_provider_reference(
    session: AsyncSession, provider: str, provider_reference: str, *, for_update: bool = False
) -> Order | None:
    statement = select(Order).where(Order.provider == provider, Order.provider_reference == provider_reference)
    if for_update:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()
