"""Every query on discount codes (and the product lookups their scope needs)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import DiscountCode, Product


async def add(session: AsyncSession, discount: DiscountCode) -> DiscountCode:
    session.add(discount)
    await session.flush()
    return discount


async def get_by_code(session: AsyncSession, creator_id: int, code: str) -> DiscountCode | None:
    statement = select(DiscountCode).where(DiscountCode.creator_id == creator_id, DiscountCode.code == code)
    return (await session.exec(statement)).first()


async def get_of_creator(session: AsyncSession, creator_id: int, discount_id: int) -> DiscountCode | None:
    statement = select(DiscountCode).where(DiscountCode.creator_id == creator_id, DiscountCode.id == discount_id)
    return (await session.exec(statement)).first()


async def list_with_products(session: AsyncSession, creator_id: int) -> Sequence[tuple[DiscountCode, Product | None]]:
    statement = (
        select(DiscountCode, Product)
        .join(Product, col(Product.id) == col(DiscountCode.product_id), isouter=True)
        .where(DiscountCode.creator_id == creator_id)
        .order_by(col(DiscountCode.created_at).desc(), col(DiscountCode.id).desc())
    )
    return [(discount, product) for discount, product in (await session.exec(statement)).all()]


async def get_product_by_slug(session: AsyncSession, creator_id: int, slug: str) -> Product | None:
    statement = select(Product).where(Product.creator_id == creator_id, Product.slug == slug)
    return (await session.exec(statement)).first()


async def take_redemption(session: AsyncSession, discount_id: int) -> bool:
    """One more redemption in a single conditional UPDATE, so concurrent checkouts can never pass the cap."""
    statement = (
        update(DiscountCode)
        .where(
            col(DiscountCode.id) == discount_id,
            or_(
                col(DiscountCode.max_redemptions).is_(None),
                col(DiscountCode.redemptions) < col(DiscountCode.max_redemptions),
            ),
        )
        .values(redemptions=col(DiscountCode.redemptions) + 1)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def give_back_redemption(session: AsyncSession, discount_id: int) -> None:
    """One redemption fewer (never below zero), in a single UPDATE."""
    statement = (
        update(DiscountCode)
        .where(col(DiscountCode.id) == discount_id, col(DiscountCode.redemptions) > 0)
        .values(redemptions=col(DiscountCode.redemptions) - 1)
    )
    await session.exec(statement)


async def retake_redemption(session: AsyncSession, discount_id: int) -> None:
    """One more redemption past any cap: a payment that arrived late was already taken at this price."""
    statement = (
        update(DiscountCode)
        .where(col(DiscountCode.id) == discount_id)
        .values(redemptions=col(DiscountCode.redemptions) + 1)
    )
    await session.exec(statement)
