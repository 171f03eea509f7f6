"""Every query of the creator's orders dashboard: orders with their product title (or "Tip"), and an order's history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Entitlement, Order, PaymentAttempt, Product, ProductFile
from creatorly.models.enums import OrderKind, OrderStatus
from creatorly.services.orders.status_labels import UNPAID_STATUSES

# Tips and memberships have no product: their orders show what they are instead of a product title.
_TITLE = case(
    (col(Order.kind) == OrderKind.TIP, "Tip"),
    (col(Order.kind) == OrderKind.MEMBERSHIP, "Membership"),
    else_=func.coalesce(col(Product.title), ""),
).label("title")


def _with_title() -> Any:
    return select(Order, _TITLE).outerjoin(Product, col(Product.id) == col(Order.product_id))


def _status_filter(status: OrderStatus, now: datetime) -> Any:
    """Orders shown in `status`: an unpaid checkout past its expiry counts as abandoned, not as unpaid."""
    timed_out = and_(col(Order.status).in_(UNPAID_STATUSES), col(Order.expires_at) <= now)
    if status == OrderStatus.EXPIRED:
        return or_(col(Order.status) == status, timed_out)
    if status in UNPAID_STATUSES:
        return and_(col(Order.status) == status, or_(col(Order.expires_at).is_(None), col(Order.expires_at) > now))
    return col(Order.status) == status


def _filtered(statement: Any, creator_id: int, status: OrderStatus | None, text: str, now: datetime) -> Any:
    statement = statement.where(col(Order.creator_id) == creator_id)
    if status is not None:
        statement = statement.where(_status_filter(status, now))
    if text:
        statement = statement.where(
            or_(
                func.lower(col(Order.buyer_email)).contains(text.lower(), autoescape=True),
                func.lower(col(Order.public_id)).contains(text.lower(), autoescape=True),
            )
        )
    return statement


async def count_of_creator(
    session: AsyncSession, creator_id: int, *, status: OrderStatus | None, text: str, now: datetime
) -> int:
    statement = _filtered(select(func.count()).select_from(Order), creator_id, status, text, now)
    return int((await session.exec(statement)).one())


async def page_of_creator(
    session: AsyncSession,
    creator_id: int,
    *,
    now: datetime,
    status: OrderStatus | None = None,
    text: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[tuple[Order, str]]:
    """Orders newest first, each with its product's title ("Tip" for a tip), in one query."""
    statement = _with_title()
    statement = _filtered(statement, creator_id, status, text, now)
    statement = statement.order_by(col(Order.created_at).desc(), col(Order.id).desc()).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return [(order, title) for order, title in (await session.exec(statement)).all()]


async def order_of_creator(session: AsyncSession, creator_id: int, public_id: str) -> tuple[Order, str] | None:
    statement = _with_title().where(col(Order.creator_id) == creator_id, col(Order.public_id) == public_id)
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1])


async def attempts_of(session: AsyncSession, order_id: int) -> Sequence[PaymentAttempt]:
    statement = select(PaymentAttempt).where(col(PaymentAttempt.order_id) == order_id).order_by(col(PaymentAttempt.id))
    return (await session.exec(statement)).all()


async def entitlements_with_file_names(session: AsyncSession, order_id: int) -> Sequence[tuple[Entitlement, str]]:
    statement = (
        select(Entitlement, ProductFile.original_name)
        .join(ProductFile, col(ProductFile.id) == col(Entitlement.product_file_id))
        .where(col(Entitlement.order_id) == order_id)
        .order_by(col(ProductFile.position), col(ProductFile.id))
    )
    return [(entitlement, name) for entitlement, name in (await session.exec(statement)).all()]
