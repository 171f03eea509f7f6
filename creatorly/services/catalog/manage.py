"""A creator manages their own products: create, edit, publish, archive, delete, cover image.

Every use case resolves the creator from the session token; another creator's product id is not found.
"""

from __future__ import annotations

import secrets

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.kit.images import ImagePurpose
from creatorly.kit.money import Money
from creatorly.kit.streams import single_chunk
from creatorly.models import Creator, Product
from creatorly.models.enums import PricingModel, ProductStatus
from creatorly.providers.registry import get_storage
from creatorly.services.accounts import authorization
from creatorly.services.catalog import repository, rules, scanning
from creatorly.services.catalog.files import file_view
from creatorly.services.catalog.schemas import ProductDetail, ProductInput, ProductRow
from creatorly.services.catalog.service import ProductNotFound, free_slug
from creatorly.services.creators import service as creators
from creatorly.services.creators.service import checked_image, media_url
from creatorly.services.memberships.tiers import TierNotFound, tier_options


class ProductTakenDown(CreatorlyError):
    code = "product_taken_down"
    status = 409
    default_message = "This product was taken down by Creatorly's moderators. See Reports & decisions to appeal."


class ProductHasSales(CreatorlyError):
    code = "product_has_sales"
    status = 409
    default_message = "This product has been sold, so it can't be deleted. Archive it instead."


async def _mine(session: AsyncSession, session_token: str) -> Creator:
    user = await authorization.require_user(session_token)
    return await creators.creator_of(session, user.id)


async def _my_product(session: AsyncSession, creator: Creator, product_id: int) -> Product:
    assert creator.id is not None
    product = await repository.get_product_of_creator(session, creator.id, product_id)
    if product is None:
        raise ProductNotFound()
    return product


def _apply(product: Product, values: ProductInput, currency: str) -> None:
    product.title = rules.check_title(values.title)
    product.summary = rules.check_text(values.summary, field="summary", limit=rules.MAX_SUMMARY)
    product.description_markdown = rules.check_text(
        values.description, field="description", limit=rules.MAX_DESCRIPTION
    )
    product.pricing = PricingModel(values.pricing) if values.pricing in set(PricingModel) else PricingModel.FIXED
    product.price_amount, product.suggested_amount = rules.check_prices(
        values.pricing, values.price, values.suggested_price, currency
    )
    product.currency = currency
    product.category = rules.check_category(values.category)
    product.tags = rules.check_tags(values.tags)
    product.quantity_limit = rules.check_whole_number(
        values.quantity_limit, field="quantity_limit", low=1, high=1_000_000, optional=True
    )
    product.download_limit = (
        rules.check_whole_number(values.download_limit, field="download_limit", low=1, high=100) or 5
    )
    product.link_lifetime_days = (
        rules.check_whole_number(values.link_lifetime_days, field="link_lifetime_days", low=1, high=365) or 7
    )
    product.stamp_pdf = values.stamp_pdf == "on"
    product.updated_at = utc_now()


async def _members_free_tier(session: AsyncSession, creator: Creator, typed: str) -> int | None:
    """The tier whose members (and higher ones') get the product free: one of the creator's own, else not found."""
    chosen = typed.strip()
    if not chosen:
        return None
    assert creator.id is not None
    own = {option.id for option in await tier_options(session, creator.id)}
    if not chosen.isdigit() or int(chosen) not in own:
        raise TierNotFound()
    return int(chosen)


async def create_product(*, session_token: str, values: ProductInput) -> int:
    """A new draft product; returns its id."""
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        assert creator.id is not None
        product = Product(creator_id=creator.id, slug="", title="")
        _apply(product, values, creator.default_currency)
        product.members_free_tier_id = await _members_free_tier(session, creator, values.members_free_tier)
        product.slug = await free_slug(session, creator.id, product.title)
        await repository.add(session, product)
        assert product.id is not None
        return product.id


async def update_product(*, session_token: str, product_id: int, values: ProductInput) -> None:
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        product = await _my_product(session, creator, product_id)
        _apply(product, values, creator.default_currency)
        product.members_free_tier_id = await _members_free_tier(session, creator, values.members_free_tier)
        if product.published_at is None:  # the address follows the title until the product first goes live
            assert creator.id is not None
            product.slug = await free_slug(session, creator.id, product.title, except_product_id=product.id)


async def set_status(*, session_token: str, product_id: int, status: str) -> None:
    """Publish, unpublish (draft) or archive; publishing stamps the first publication time and needs every file
    to have passed its virus check."""
    if status not in set(ProductStatus):
        raise InvalidInput("Choose published, draft or archived.", field="status")
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        product = await _my_product(session, creator, product_id)
        if status == ProductStatus.PUBLISHED:
            assert product.id is not None
            if product.taken_down_at is not None:
                raise ProductTakenDown()
            scanning.ensure_publishable(await repository.list_files(session, product.id))
        product.status, product.updated_at = ProductStatus(status), utc_now()
        if status == ProductStatus.PUBLISHED and product.published_at is None:
            product.published_at = product.updated_at


async def delete_product(*, session_token: str, product_id: int) -> None:
    """Delete a product that never sold (with its files); one with sales must be archived instead."""
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        product = await _my_product(session, creator, product_id)
        assert product.id is not None
        if product.sold_count > 0 or await repository.has_orders(session, product.id):
            raise ProductHasSales()
        keys = [item.storage_key for item in await repository.list_files(session, product.id)]
        keys += [product.cover_key] if product.cover_key else []
        await repository.delete(session, product)
    for key in keys:
        await get_storage().delete(key)


async def list_my_products(*, session_token: str) -> list[ProductRow]:
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        assert creator.id is not None
        products = await repository.list_products_newest_first(session, creator.id)
        counts = await repository.file_counts(session, [product.id for product in products if product.id])
        return [
            ProductRow(
                id=product.id or 0,
                slug=product.slug,
                title=product.title,
                status=product.status,
                price_label=rules.price_label(product.pricing, product.price_amount, product.currency),
                file_count=counts.get(product.id or 0, 0),
                sold_count=product.sold_count,
                updated_at=product.updated_at,
            )
            for product in products
        ]


async def get_my_product(*, session_token: str, product_id: int) -> ProductDetail:
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        product = await _my_product(session, creator, product_id)
        assert product.id is not None
        files = await repository.list_files(session, product.id)
        return ProductDetail(
            id=product.id,
            slug=product.slug,
            status=product.status,
            values=_as_input(product),
            cover_url=media_url(product.cover_key),
            files=[file_view(item) for item in files],
            sold_count=product.sold_count,
            public_url=f"{settings.resolved_public_url}/{creator.handle}/{product.slug}",
            member_tiers=await tier_options(session, product.creator_id),
            currency=product.currency.upper(),
        )


def _as_input(product: Product) -> ProductInput:
    def amount(value: int | None) -> str:
        return "" if value is None else format(Money(value, product.currency).to_decimal(), "f")

    return ProductInput(
        title=product.title,
        summary=product.summary,
        description=product.description_markdown,
        pricing=product.pricing,
        price="" if product.pricing == PricingModel.FREE else amount(product.price_amount),
        suggested_price=amount(product.suggested_amount),
        category=product.category,
        tags=", ".join(tag for tag in product.tags.split(",") if tag),
        quantity_limit="" if product.quantity_limit is None else str(product.quantity_limit),
        download_limit=str(product.download_limit),
        link_lifetime_days=str(product.link_lifetime_days),
        stamp_pdf="on" if product.stamp_pdf else "",
        members_free_tier="" if product.members_free_tier_id is None else str(product.members_free_tier_id),
    )


async def set_cover(*, session_token: str, product_id: int, data: bytes) -> str:
    """Replace the cover image (checked, re-encoded without metadata); returns its public URL."""
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        await _my_product(session, creator, product_id)
    image = await checked_image(data, ImagePurpose.COVER)
    key = f"media/products/{product_id}/cover-{secrets.token_hex(8)}.{image.extension}"
    await get_storage().save(key, single_chunk(image.data), max_bytes=len(image.data))
    async with db.transaction() as session:
        creator = await _mine(session, session_token)
        product = await _my_product(session, creator, product_id)
        previous, product.cover_key, product.updated_at = product.cover_key, key, utc_now()
    if previous:
        await get_storage().delete(previous)
    return media_url(key)
