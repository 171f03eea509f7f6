"""Catalog use cases: read a storefront; create creators and products (demo data for now)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.slugs import slugify
from creatorly.models import Creator, Product
from creatorly.models.enums import ProductStatus
from creatorly.services.catalog import repository
from creatorly.services.catalog.rules import price_label
from creatorly.services.catalog.schemas import NewProduct, ProductCard, Storefront


class StorefrontNotFound(NotFound):
    code = "storefront_not_found"
    default_message = "We couldn't find that storefront."


async def get_storefront(*, handle: str) -> Storefront:
    """A creator's public storefront with its published products, newest first."""
    async with db.transaction() as session:
        creator = await repository.get_creator_by_handle(session, handle.strip().casefold())
        if creator is None or creator.id is None:
            raise StorefrontNotFound()
        products = await repository.list_published_products(session, creator.id)
        return Storefront(
            handle=creator.handle,
            display_name=creator.display_name,
            bio=creator.bio_markdown,
            accent_color=creator.accent_color,
            products=[
                ProductCard(
                    slug=product.slug,
                    title=product.title,
                    summary=product.summary,
                    price_label=price_label(product.pricing, product.price_amount, product.currency),
                    is_free=product.price_amount == 0,
                )
                for product in products
            ],
        )


async def add_product(session: AsyncSession, creator: Creator, new: NewProduct) -> Product:
    """Add a product to a creator's catalog in the caller's transaction; the slug is unique per creator."""
    assert creator.id is not None
    slug = slugify(new.title)
    if await repository.get_product_by_slug(session, creator.id, slug) is not None:
        return await _add_with_free_slug(session, creator.id, slug, new)
    return await _insert_product(session, creator.id, slug, new)


async def _add_with_free_slug(session: AsyncSession, creator_id: int, slug: str, new: NewProduct) -> Product:
    number = 2
    while await repository.get_product_by_slug(session, creator_id, f"{slug}-{number}") is not None:
        number += 1
    return await _insert_product(session, creator_id, f"{slug}-{number}", new)


async def _insert_product(session: AsyncSession, creator_id: int, slug: str, new: NewProduct) -> Product:
    now = utc_now()
    product = Product(
        creator_id=creator_id,
        slug=slug,
        title=new.title,
        summary=new.summary,
        description_markdown=new.description_markdown,
        pricing=new.pricing,
        price_amount=new.price_amount,
        currency=new.currency,
        status=ProductStatus.PUBLISHED if new.is_published else ProductStatus.DRAFT,
        published_at=now if new.is_published else None,
    )
    await repository.add(session, product)
    return product


async def add_creator(
    session: AsyncSession, *, user_id: int, handle: str, display_name: str, bio_markdown: str, currency: str
) -> Creator:
    """Make a user a creator with a storefront handle, in the caller's transaction."""
    normalized = handle.strip().casefold()
    creator = Creator(
        user_id=user_id,
        handle=normalized,
        handle_skeleton=normalized,
        display_name=display_name,
        bio_markdown=bio_markdown,
        default_currency=currency,
    )
    await repository.add(session, creator)
    return creator


async def get_creator_of_user(session: AsyncSession, user_id: int) -> Creator | None:
    return await repository.get_creator_by_user(session, user_id)


async def export_creator_data(session: AsyncSession, *, user_id: int) -> dict[str, Any] | None:
    """A creator's storefront and products, for their data export (None if they are not a creator)."""
    creator = await repository.get_creator_by_user(session, user_id)
    if creator is None or creator.id is None:
        return None
    products = await repository.list_products(session, creator.id)
    return {
        "handle": creator.handle,
        "display_name": creator.display_name,
        "bio": creator.bio_markdown,
        "default_currency": creator.default_currency,
        "timezone": creator.timezone,
        "created_at": creator.created_at.isoformat(),
        "products": [
            {
                "slug": product.slug,
                "title": product.title,
                "status": product.status,
                "price": price_label(product.pricing, product.price_amount, product.currency),
                "created_at": product.created_at.isoformat(),
            }
            for product in products
        ],
    }


async def retire_creator(session: AsyncSession, *, user_id: int) -> None:
    """When a creator deletes their account: no personal details left, every product archived."""
    creator = await repository.get_creator_by_user(session, user_id)
    if creator is None or creator.id is None:
        return
    creator.display_name, creator.bio_markdown, creator.updated_at = "Deleted creator", "", utc_now()
    for product in await repository.list_products(session, creator.id):
        product.status = ProductStatus.ARCHIVED
