"""Public catalog reads: storefronts, product pages and discovery; helpers other domains reuse."""

from __future__ import annotations

import json
import math
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.markdown import render_markdown
from creatorly.kit.money import Money
from creatorly.kit.slugs import slugify
from creatorly.models import Creator, Product, ProductFile
from creatorly.models.enums import PricingModel, ProductStatus
from creatorly.services.catalog import repository
from creatorly.services.catalog.rules import CATEGORIES, price_label
from creatorly.services.catalog.schemas import (
    DiscoverPage,
    DiscoverQuery,
    NewProduct,
    ProductCard,
    ProductPage,
    Storefront,
)
from creatorly.services.creators import service as creators
from creatorly.services.creators.service import media_url


class StorefrontNotFound(NotFound):
    code = "storefront_not_found"
    default_message = "We couldn't find that storefront."


class StorefrontUnavailable(StorefrontNotFound):
    """A suspended creator's storefront: answered as not found, with words that don't claim it never existed."""

    code = "storefront_unavailable"
    default_message = "This storefront is unavailable."


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = "We couldn't find that product."


def to_card(product: Product, creator: Creator) -> ProductCard:
    return ProductCard(
        slug=product.slug,
        title=product.title,
        summary=product.summary,
        price_label=price_label(product.pricing, product.price_amount, product.currency),
        is_free=product.pricing == PricingModel.FREE,
        cover_url=media_url(product.cover_key),
        creator_handle=creator.handle,
        creator_name=creator.display_name,
    )


async def get_storefront(*, handle: str) -> Storefront:
    """A creator's public storefront with its published products, newest first."""
    async with db.transaction() as session:
        creator = await repository.get_creator_by_handle(session, handle.strip().casefold())
        if creator is None or creator.id is None:
            raise StorefrontNotFound()
        if creators.is_suspended(creator):
            raise StorefrontUnavailable()
        products = await repository.list_published_products(session, creator.id)
        return Storefront(
            handle=creator.handle,
            display_name=creator.display_name,
            bio=creator.bio_markdown,
            bio_html=render_markdown(creator.bio_markdown),
            accent_color=creator.accent_color,
            avatar_url=media_url(creator.avatar_key),
            banner_url=media_url(creator.banner_key),
            social_links=list(json.loads(creator.social_links or "[]")),
            creator_id=creator.id,
            products=[to_card(product, creator) for product in products],
        )


async def get_product_page(*, handle: str, slug: str) -> ProductPage:
    """A published product for its public page; drafts and archived products are not found."""
    async with db.transaction() as session:
        creator = await repository.get_creator_by_handle(session, handle.strip().casefold())
        product = (
            None
            if creator is None or creator.id is None
            else await repository.get_product_by_slug(session, creator.id, slug.strip().lower())
        )
        if creator is None or product is None or product.id is None or product.status != ProductStatus.PUBLISHED:
            raise ProductNotFound()
        if creators.is_suspended(creator):
            raise ProductNotFound()
        file_count = (await repository.file_counts(session, [product.id])).get(product.id, 0)
        return ProductPage(
            handle=creator.handle,
            creator_name=creator.display_name,
            slug=product.slug,
            title=product.title,
            summary=product.summary,
            description_html=render_markdown(product.description_markdown),
            price_label=price_label(product.pricing, product.price_amount, product.currency),
            pricing=product.pricing,
            cover_url=media_url(product.cover_key),
            file_count=file_count,
            is_sold_out=product.quantity_limit is not None and product.sold_count >= product.quantity_limit,
            category_label=CATEGORIES.get(product.category, "Other"),
            tags=[tag for tag in product.tags.split(",") if tag],
            minimum_amount_text=_amount_text(product.price_amount, product.currency),
            suggested_amount_text=_amount_text(product.suggested_amount, product.currency),
            product_id=product.id,
        )


def _amount_text(amount: int | None, currency: str) -> str:
    return "" if amount is None else format(Money(amount, currency).to_decimal(), "f")


async def discover(query: DiscoverQuery) -> DiscoverPage:
    """Published products of every creator: text search, category and price filters, sorting, pages."""
    page_size = max(1, min(query.page_size, 60))
    page = max(1, query.page)
    cleaned = DiscoverQuery(
        text=query.text.strip()[:80],
        category=query.category if query.category in CATEGORIES else "",
        max_price=query.max_price,
        is_free_only=query.is_free_only,
        sort=query.sort,
        page=page,
        page_size=page_size,
    )
    async with db.transaction() as session:
        rows, total = await repository.discover(session, cleaned)
    return DiscoverPage(
        items=[to_card(product, creator) for product, creator in rows],
        total=total,
        page=page,
        page_count=max(1, math.ceil(total / page_size)),
    )


async def add_product(session: AsyncSession, creator: Creator, new: NewProduct) -> Product:
    """Add a product in the caller's transaction (demo data, tests); the slug is unique per creator."""
    assert creator.id is not None
    now = utc_now()
    product = Product(
        creator_id=creator.id,
        slug=await free_slug(session, creator.id, new.title),
        title=new.title,
        summary=new.summary,
        description_markdown=new.description_markdown,
        pricing=new.pricing,
        price_amount=new.price_amount,
        currency=new.currency,
        category=new.category,
        status=ProductStatus.PUBLISHED if new.is_published else ProductStatus.DRAFT,
        published_at=now if new.is_published else None,
    )
    await repository.add(session, product)
    return product


async def free_slug(session: AsyncSession, creator_id: int, title: str, *, except_product_id: int | None = None) -> str:
    base = slugify(title)
    slug, number = base, 2
    while (existing := await repository.get_product_by_slug(session, creator_id, slug)) is not None:
        if existing.id == except_product_id:
            return slug
        slug, number = f"{base}-{number}", number + 1
    return slug


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
        "social_links": json.loads(creator.social_links or "[]"),
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
    creator.display_name, creator.bio_markdown, creator.social_links = "Deleted creator", "", "[]"
    creator.avatar_key, creator.banner_key, creator.updated_at = None, None, utc_now()
    for product in await repository.list_products(session, creator.id):
        product.status = ProductStatus.ARCHIVED


# --- Helpers checkout reuses, in the caller's transaction --------------------------------------------


async def published_product(session: AsyncSession, *, handle: str, slug: str) -> Product:
    """The published product at `/{handle}/{slug}`; drafts, archived and unknown products are not found."""
    creator = await repository.get_creator_by_handle(session, handle.strip().casefold())
    if creator is not None:
        db.keep_loaded(session, creator)  # a checkout records its analytics against it in this transaction
        creators.check_trading(creator)
    product = (
        None
        if creator is None or creator.id is None
        else await repository.get_product_by_slug(session, creator.id, slug.strip().lower())
    )
    if product is None or product.id is None or product.status != ProductStatus.PUBLISHED:
        raise ProductNotFound()
    return product


async def published_product_for_checkout(session: AsyncSession, *, handle: str, slug: str) -> Product:
    """The published product; when its stock is limited, re-read under its row lock so stock checks of it happen
    one at a time. An unlimited product is not locked: checkouts of it need not queue behind each other, and its
    sales are counted by one atomic update (`count_sale`)."""
    product = await published_product(session, handle=handle, slug=slug)
    assert product.id is not None
    if product.quantity_limit is None:
        return product
    return await lock_product(session, product.id)


async def lock_product(session: AsyncSession, product_id: int) -> Product:
    """The product, re-read under a row lock (PostgreSQL; SQLite serialises writers anyway)."""
    product = await session.get(Product, product_id, with_for_update={"key_share": True}, populate_existing=True)
    if product is None:
        raise ProductNotFound()
    return product


async def files_of_product(session: AsyncSession, product_id: int) -> list[ProductFile]:
    return list(await repository.list_files(session, product_id))


async def count_sale(session: AsyncSession, product_id: int) -> Product:
    """One more unit sold, by one atomic UPDATE (its row lock, held until commit, orders it after any stock check
    running for the product), so concurrent sales never lose a count; the product as it is now."""
    product = await repository.add_sale(session, product_id)
    if product is None:
        raise ProductNotFound()
    return product
