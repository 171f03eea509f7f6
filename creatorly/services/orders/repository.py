"""Every query on orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, insert, literal, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.kit.clock import utc_now
from creatorly.models import Entitlement, Order, OrderEvent, PaymentAttempt, ProductFile
from creatorly.models.base import UTCDateTime
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


async def get_by_provider_payment_id(
    session: AsyncSession, provider: str, provider_payment_id: str, *, for_update: bool = False
) -> Order | None:
    statement = select(Order).where(Order.provider == provider, Order.provider_payment_id == provider_payment_id)
    if for_update:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def add_entitlements_to_files(
    session: AsyncSession, *, order_id: int, product_id: int, download_limit: int, expires_at: datetime
) -> None:
    """INSERT … SELECT: an entitlement for each of the product's files, in their order, in one round trip."""
    stamp = UTCDateTime()
    files = (
        sa_select(
            literal(order_id),
            col(ProductFile.id),
            literal(0),
            literal(download_limit),
            literal(expires_at, type_=stamp),
            literal(utc_now(), type_=stamp),
        )
        .where(col(ProductFile.product_id) == product_id)
        .order_by(col(ProductFile.position), col(ProductFile.id))
    )
    columns = ["order_id", "product_file_id", "download_count", "download_limit", "expires_at", "created_at"]
    await session.exec(insert(Entitlement).from_select(columns, files))


async def set_provider_reference_if_unset(
    session: AsyncSession, order_id: int, provider_reference: str, *, at: datetime
) -> bool:
    statement = (
        update(Order)
        .where(col(Order.id) == order_id, col(Order.provider_reference).is_(None))
        .values(provider_reference=provider_reference, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool((await session.exec(statement)).rowcount)
