"""Every query on creators and products."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Creator, Product
from creatorly.models.enums import ProductStatus


async def get_creator_by_handle(session: AsyncSession, handle: str) -> Creator | None:
    return (await session.exec(select(Creator).where(Creator.handle == handle))).first()


async def get_creator_by_user(session: AsyncSession, user_id: int) -> Creator | None:
    return (await session.exec(select(Creator).where(Creator.user_id == user_id))).first()


async def list_published_products(session: AsyncSession, creator_id: int) -> Sequence[Product]:
    statement = (
        select(Product)
        .where(Product.creator_id == creator_id, Product.status == ProductStatus.PUBLISHED)
        .order_by(col(Product.published_at).desc(), col(Product.id).desc())
    )
    return (await session.exec(statement)).all()


async def get_product_by_slug(session: AsyncSession, creator_id: int, slug: str) -> Product | None:
    statement = select(Product).where(Product.creator_id == creator_id, Product.slug == slug)
    return (await session.exec(statement)).first()


async def add(session: AsyncSession, row: Creator | Product) -> None:
    session.add(row)
    await session.flush()


async def list_products(session: AsyncSession, creator_id: int) -> Sequence[Product]:
    statement = select(Product).where(Product.creator_id == creator_id).order_by(col(Product.id))
    return (await session.exec(statement)).all()
