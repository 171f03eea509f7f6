"""Every query of the admin console's creators, products and orders: searches newest first by id, and details."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Creator, Order, PayoutSettings, Post, Product, ProductFile, Refund, User
from creatorly.models.enums import OrderKind, OrderStatus
from creatorly.services.orders.rules import PAID_STATUSES


def _contains(column: Any, text: str) -> Any:
    return func.lower(col(column)).contains(text.lower(), autoescape=True)


def _older_than(statement: Any, id_column: Any, before_id: int | None) -> Any:
    return statement if before_id is None else statement.where(col(id_column) < before_id)


async def creator_for_update(session: AsyncSession, creator_id: int) -> Creator | None:
    statement = select(Creator).where(col(Creator.id) == creator_id).with_for_update()
    return (await session.exec(statement)).first()


async def email_of_user(session: AsyncSession, user_id: int) -> str | None:
    return (await session.exec(select(User.email).where(col(User.id) == user_id))).first()


async def search_creators(
    session: AsyncSession, *, text: str, before_id: int | None, limit: int
) -> Sequence[tuple[Creator, str]]:
    """Creators with their account email, by handle, name or email."""
    statement = select(Creator, User.email).join(User, col(User.id) == col(Creator.user_id))
    if text:
        statement = statement.where(
            or_(_contains(Creator.handle, text), _contains(Creator.display_name, text), _contains(User.email, text))
        )
    statement = _older_than(statement, Creator.id, before_id).order_by(col(Creator.id).desc()).limit(limit)
    return list((await session.exec(statement)).all())


async def creator_with_email(session: AsyncSession, creator_id: int) -> tuple[Creator, str] | None:
    statement = select(Creator, User.email).join(User, col(User.id) == col(Creator.user_id))
    row = (await session.exec(statement.where(col(Creator.id) == creator_id))).first()
    return None if row is None else (row[0], row[1])


async def payout_settings_of(session: AsyncSession, creator_id: int) -> PayoutSettings | None:
    return await session.get(PayoutSettings, creator_id)


async def product_count(session: AsyncSession, creator_id: int) -> int:
    statement = select(func.count()).select_from(Product).where(col(Product.creator_id) == creator_id)
    return int((await session.exec(statement)).one())


def _orders_with_labels() -> Any:
    return (
        select(Order, Creator.handle, Product.title)
        .join(Creator, col(Creator.id) == col(Order.creator_id))
        .outerjoin(Product, col(Product.id) == col(Order.product_id))
    )


async def search_orders(
    session: AsyncSession,
    *,
    text: str,
    status: OrderStatus | None,
    creator_id: int | None,
    before_id: int | None,
    limit: int,
) -> Sequence[tuple[Order, str, str | None]]:
    """Orders with their creator's handle and product title, by public id, buyer email or creator handle."""
    statement = _orders_with_labels()
    if text:
        statement = statement.where(
            or_(_contains(Order.public_id, text), _contains(Order.buyer_email, text), _contains(Creator.handle, text))
        )
    if status is not None:
        statement = statement.where(col(Order.status) == status)
    if creator_id is not None:
        statement = statement.where(col(Order.creator_id) == creator_id)
    statement = _older_than(statement, Order.id, before_id).order_by(col(Order.id).desc()).limit(limit)
    return [(order, handle, title) for order, handle, title in (await session.exec(statement)).all()]


async def order_with_labels(session: AsyncSession, order_id: int) -> tuple[Order, str, str | None] | None:
    row = (await session.exec(_orders_with_labels().where(col(Order.id) == order_id))).first()
    return None if row is None else (row[0], row[1], row[2])


async def order_for_update(session: AsyncSession, order_id: int) -> Order | None:
    return (await session.exec(select(Order).where(col(Order.id) == order_id).with_for_update())).first()


async def refunds_of(session: AsyncSession, order_id: int) -> Sequence[Refund]:
    statement = select(Refund).where(col(Refund.order_id) == order_id).order_by(col(Refund.id))
    return list((await session.exec(statement)).all())


async def search_products(
    session: AsyncSession, *, text: str, before_id: int | None, limit: int
) -> Sequence[tuple[Product, str]]:
    """Products with their creator's handle, by title or creator handle or name."""
    statement = select(Product, Creator.handle).join(Creator, col(Creator.id) == col(Product.creator_id))
    if text:
        statement = statement.where(
            or_(_contains(Product.title, text), _contains(Creator.handle, text), _contains(Creator.display_name, text))
        )
    statement = _older_than(statement, Product.id, before_id).order_by(col(Product.id).desc()).limit(limit)
    return [(product, handle) for product, handle in (await session.exec(statement)).all()]


async def product_with_creator(session: AsyncSession, product_id: int) -> tuple[Product, Creator] | None:
    statement = select(Product, Creator).join(Creator, col(Creator.id) == col(Product.creator_id))
    row = (await session.exec(statement.where(col(Product.id) == product_id))).first()
    return None if row is None else (row[0], row[1])


async def files_of(session: AsyncSession, product_id: int) -> Sequence[ProductFile]:
    statement = select(ProductFile).where(col(ProductFile.product_id) == product_id)
    return list((await session.exec(statement.order_by(col(ProductFile.position), col(ProductFile.id)))).all())


async def paid_sales_count(session: AsyncSession, product_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(Order)
        .where(col(Order.product_id) == product_id, col(Order.kind) == OrderKind.PRODUCT)
        .where(col(Order.status).in_(list(PAID_STATUSES)))
    )
    return int((await session.exec(statement)).one())


async def recent_posts(session: AsyncSession, creator_id: int, *, limit: int) -> Sequence[Post]:
    statement = select(Post).where(Post.creator_id == creator_id).order_by(col(Post.id).desc()).limit(limit)
    return (await session.exec(statement)).all()
