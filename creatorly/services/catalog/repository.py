"""Every query on creators' storefronts, products and product files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Creator, Order, Product, ProductFile, User
from creatorly.models.enums import PricingModel, ProductStatus, ScanStatus
from creatorly.services.catalog.schemas import DiscoverQuery


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


async def get_product_of_creator(session: AsyncSession, creator_id: int, product_id: int) -> Product | None:
    statement = select(Product).where(Product.id == product_id, Product.creator_id == creator_id)
    return (await session.exec(statement)).first()


async def hold_product(session: AsyncSession, product_id: int) -> None:
    """Take the product row's write lock with a no-op update, so checks of its files run one at a time
    (a row lock on PostgreSQL; on SQLite the write lock, which SELECT … FOR UPDATE does not take)."""
    statement = update(Product).where(col(Product.id) == product_id).values(download_limit=Product.download_limit)
    await session.exec(statement)


async def add(session: AsyncSession, row: Creator | Product | ProductFile) -> None:
    session.add(row)
    await session.flush()


async def delete(session: AsyncSession, row: Product | ProductFile) -> None:
    await session.delete(row)
    await session.flush()


async def list_products(session: AsyncSession, creator_id: int) -> Sequence[Product]:
    statement = select(Product).where(Product.creator_id == creator_id).order_by(col(Product.id))
    return (await session.exec(statement)).all()


async def list_products_newest_first(session: AsyncSession, creator_id: int) -> Sequence[Product]:
    statement = select(Product).where(Product.creator_id == creator_id).order_by(col(Product.updated_at).desc())
    return (await session.exec(statement)).all()


async def file_counts(session: AsyncSession, product_ids: Sequence[int]) -> dict[int, int]:
    """Files per product in one query (no N+1)."""
    if not product_ids:
        return {}
    statement = (
        select(ProductFile.product_id, func.count())
        .where(col(ProductFile.product_id).in_(product_ids))
        .group_by(col(ProductFile.product_id))
    )
    return dict((await session.exec(statement)).all())


async def list_files(session: AsyncSession, product_id: int) -> Sequence[ProductFile]:
    statement = (
        select(ProductFile)
        .where(ProductFile.product_id == product_id)
        .order_by(col(ProductFile.position), col(ProductFile.id))
    )
    return (await session.exec(statement)).all()


async def get_file_of_creator(session: AsyncSession, creator_id: int, file_id: int) -> ProductFile | None:
    statement = (
        select(ProductFile)
        .join(Product, col(Product.id) == col(ProductFile.product_id))
        .where(ProductFile.id == file_id, Product.creator_id == creator_id)
    )
    return (await session.exec(statement)).first()


async def has_orders(session: AsyncSession, product_id: int) -> bool:
    statement = select(Order.id).where(Order.product_id == product_id).limit(1)
    return (await session.exec(statement)).first() is not None


def _discover_filters(query: DiscoverQuery) -> list[Any]:
    filters: list[Any] = [col(Product.status) == ProductStatus.PUBLISHED, col(Creator.suspended_at).is_(None)]
    if query.text:
        pattern = f"%{query.text.lower()}%"
        filters.append(
            or_(
                func.lower(col(Product.title)).like(pattern),
                func.lower(col(Product.summary)).like(pattern),
                func.lower(col(Product.tags)).like(pattern),
                func.lower(col(Creator.display_name)).like(pattern),
            )
        )
    if query.category:
        filters.append(col(Product.category) == query.category)
    if query.is_free_only:
        filters.append(col(Product.pricing) == PricingModel.FREE)
    elif query.max_price is not None:
        filters.append(col(Product.price_amount) <= query.max_price)
    return filters


_SORTS: dict[str, list[Any]] = {
    "newest": [col(Product.published_at).desc(), col(Product.id).desc()],
    "price_low": [col(Product.price_amount).asc(), col(Product.id).desc()],
    "price_high": [col(Product.price_amount).desc(), col(Product.id).desc()],
    "popular": [col(Product.sold_count).desc(), col(Product.published_at).desc(), col(Product.id).desc()],
}


async def discover(session: AsyncSession, query: DiscoverQuery) -> tuple[Sequence[tuple[Product, Creator]], int]:
    """One page of published products of every creator, with the total count: two queries."""
    filters = _discover_filters(query)
    joined = select(Product, Creator).join(Creator, col(Creator.id) == col(Product.creator_id)).where(*filters)
    page = joined.order_by(*_SORTS.get(query.sort, _SORTS["newest"])).offset((query.page - 1) * query.page_size)
    rows = (await session.exec(page.limit(query.page_size))).all()
    counted = select(func.count()).select_from(Product).join(Creator, col(Creator.id) == col(Product.creator_id))
    total = (await session.exec(counted.where(*filters))).one()
    return rows, int(total)


async def add_sale(session: AsyncSession, product_id: int) -> Product | None:
    """`sold_count + 1` in the database (no lost update under concurrency); the updated product, None if unknown."""
    statement = (
        update(Product)
        .where(col(Product.id) == product_id)
        .values(sold_count=col(Product.sold_count) + 1)
        .returning(Product)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return (await session.exec(statement)).scalars().first()


async def get_file_with_owner(
    session: AsyncSession, file_id: int, *, for_update: bool = False
) -> tuple[ProductFile, Product, str] | None:
    """A file with its product and the email address of the creator who owns it, in one query."""
    statement = (
        select(ProductFile, Product, User.email)
        .join(Product, col(Product.id) == col(ProductFile.product_id))
        .join(Creator, col(Creator.id) == col(Product.creator_id))
        .join(User, col(User.id) == col(Creator.user_id))
        .where(col(ProductFile.id) == file_id)
    )
    if for_update:
        statement = statement.with_for_update(of=ProductFile)
    row = (await session.exec(statement.execution_options(populate_existing=True))).first()
    return None if row is None else (row[0], row[1], str(row[2]))


async def files_to_scan(
    session: AsyncSession, *, stuck_before: datetime, quarantine_prefix: str, limit: int
) -> Sequence[int]:
    """Files whose scan was lost or stalled (waiting, or started, before `stuck_before`) and infected files whose
    bytes were not yet moved to quarantine, oldest first."""
    waiting = (col(ProductFile.scan_status) == ScanStatus.PENDING) & (col(ProductFile.created_at) < stuck_before)
    stalled = (col(ProductFile.scan_status) == ScanStatus.SCANNING) & (
        col(ProductFile.scan_started_at).is_(None) | (col(ProductFile.scan_started_at) < stuck_before)
    )
    unmoved = (col(ProductFile.scan_status) == ScanStatus.INFECTED) & ~col(ProductFile.storage_key).startswith(
        quarantine_prefix
    )
    statement = select(ProductFile.id).where(or_(waiting, stalled, unmoved)).order_by(col(ProductFile.id)).limit(limit)
    return [file_id for file_id in (await session.exec(statement)).all() if file_id is not None]
