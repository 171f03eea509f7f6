"""Every query of delivery: orders with their product and creator, entitlements with their files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Creator, Entitlement, Order, Product, ProductFile


async def get_order_with_product(session: AsyncSession, order_public_id: str) -> tuple[Order, Product, Creator] | None:
    statement = (
        select(Order, Product, Creator)
        .join(Product, col(Product.id) == col(Order.product_id))
        .join(Creator, col(Creator.id) == col(Order.creator_id))
        .where(col(Order.public_id) == order_public_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1], row[2])


async def list_entitlements_with_files(
    session: AsyncSession, order_id: int
) -> Sequence[tuple[Entitlement, ProductFile]]:
    statement = (
        select(Entitlement, ProductFile)
        .join(ProductFile, col(ProductFile.id) == col(Entitlement.product_file_id))
        .where(col(Entitlement.order_id) == order_id)
        .order_by(col(ProductFile.position), col(ProductFile.id))
    )
    return [(entitlement, product_file) for entitlement, product_file in (await session.exec(statement)).all()]


async def list_entitlements_of_orders(
    session: AsyncSession, order_ids: Sequence[int]
) -> Sequence[tuple[Entitlement, ProductFile]]:
    """The entitlements of many orders at once (a library page), in file order within each order."""
    if not order_ids:
        return []
    statement = (
        select(Entitlement, ProductFile)
        .join(ProductFile, col(ProductFile.id) == col(Entitlement.product_file_id))
        .where(col(Entitlement.order_id).in_(order_ids))
        .order_by(col(Entitlement.order_id), col(ProductFile.position), col(ProductFile.id))
    )
    return [(entitlement, product_file) for entitlement, product_file in (await session.exec(statement)).all()]


async def get_download_facts(
    session: AsyncSession, entitlement_id: int
) -> tuple[Entitlement, Order, ProductFile, Product] | None:
    """An entitlement with its order, file and product, in one query (what every download checks)."""
    statement = (
        select(Entitlement, Order, ProductFile, Product)
        .join(Order, col(Order.id) == col(Entitlement.order_id))
        .join(ProductFile, col(ProductFile.id) == col(Entitlement.product_file_id))
        .join(Product, col(Product.id) == col(ProductFile.product_id))
        .where(col(Entitlement.id) == entitlement_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


async def count_download(session: AsyncSession, entitlement_id: int, *, now: datetime) -> bool:
    """Add one download in a single conditional UPDATE, so concurrent requests can never pass the limit."""
    statement = (
        update(Entitlement)
        .where(
            col(Entitlement.id) == entitlement_id,
            col(Entitlement.download_count) < col(Entitlement.download_limit),
            col(Entitlement.revoked_at).is_(None),
            col(Entitlement.expires_at) > now,
        )
        .values(download_count=col(Entitlement.download_count) + 1)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)
