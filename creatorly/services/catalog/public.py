"""Public read models for search engines: page meta for storefronts and products, the sitemap, public images."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlmodel import col, select

from creatorly import db
from creatorly.config import settings
from creatorly.kit.markdown import plain_text_excerpt
from creatorly.kit.money import Money
from creatorly.models import Creator, Product
from creatorly.models.enums import ProductStatus
from creatorly.providers.registry import get_storage
from creatorly.providers.storage.base import ObjectMissing
from creatorly.services.creators.service import media_url as _media_url

SITE_NAME = "Creatorly"
STATIC_PAGES = (
    "/",
    "/discover",
    "/legal/terms",
    "/legal/privacy",
    "/legal/refunds",
    "/legal/seller-agreement",
    "/legal/content-guidelines",
)
# First path segments that are never a storefront: static routes, Reflex's own paths, files we serve.
RESERVED_FIRST_SEGMENTS = frozenset(
    {
        "api", "static", "assets", "sitemap.xml", "robots.txt", "favicon.ico", "legal", "signin", "signup",
        "account", "dashboard", "discover", "dev", "reset-password", "verify-email", "audience", "media", "health",
        "orders", "sandbox",
    }
)  # fmt: skip
_SEGMENT = re.compile(r"[a-z0-9_-]{1,80}")
_PUBLIC_IMAGE_KEY = re.compile(r"media/[a-z0-9/_-]+\.(webp|png|jpe?g)")
_IMAGE_TYPES = {"webp": "image/webp", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str
    description: str
    canonical_url: str
    image_url: str | None
    og_type: Literal["profile", "product"]
    price_amount: str | None = None  # a decimal string in major units, e.g. "12.00"
    price_currency: str | None = None


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    loc: str
    lastmod: date | None = None


@dataclass(frozen=True, slots=True)
class PublicImage:
    content_type: str
    size_bytes: int
    chunks: AsyncIterator[bytes]


def media_url(key: str) -> str:
    """The public address of a stored image (the same one storefront pages use)."""
    return _media_url(key)


def absolute_url(path: str) -> str:
    return f"{settings.resolved_public_url}{path}"


def public_page_path(path: str) -> tuple[str, str | None] | None:
    """(handle, slug or None) when `path` could be a storefront or product page; None otherwise."""
    segments = path.strip("/").split("/")
    if len(segments) > 2 or segments[0].startswith("_") or segments[0] in RESERVED_FIRST_SEGMENTS:
        return None
    handle, slug = segments[0].casefold(), (segments[1].lower() if len(segments) == 2 else None)
    if not _SEGMENT.fullmatch(handle) or (slug is not None and not _SEGMENT.fullmatch(slug)):
        return None
    return handle, slug


async def page_meta_for_path(path: str) -> PageMeta | None:
    """Title, description, canonical address and image of a public page; None for anything else."""
    parsed = public_page_path(path)
    if parsed is None:
        return None
    handle, slug = parsed
    async with db.transaction() as session:
        if slug is None:
            creator = (await session.exec(select(Creator).where(Creator.handle == handle))).first()
            return None if creator is None else _storefront_meta(creator)
        statement = (
            select(Product, Creator)
            .join(Creator, col(Creator.id) == col(Product.creator_id))
            .where(Creator.handle == handle, Product.slug == slug, Product.status == ProductStatus.PUBLISHED)
        )
        row = (await session.exec(statement)).first()
        return None if row is None else _product_meta(*row)


def _storefront_meta(creator: Creator) -> PageMeta:
    image_key = creator.banner_key or creator.avatar_key
    return PageMeta(
        title=f"{creator.display_name} · {SITE_NAME}",
        description=plain_text_excerpt(creator.bio_markdown)
        or f"Digital products by {creator.display_name}, on {SITE_NAME}.",
        canonical_url=absolute_url(f"/{creator.handle}"),
        image_url=media_url(image_key) if image_key else None,
        og_type="profile",
    )


def _product_meta(product: Product, creator: Creator) -> PageMeta:
    price = Money(product.price_amount, product.currency)
    return PageMeta(
        title=f"{product.title} by {creator.display_name} · {SITE_NAME}",
        description=plain_text_excerpt(product.summary)
        or plain_text_excerpt(product.description_markdown)
        or f"{product.title} by {creator.display_name}, on {SITE_NAME}.",
        canonical_url=absolute_url(f"/{creator.handle}/{product.slug}"),
        image_url=media_url(product.cover_key) if product.cover_key else None,
        og_type="product",
        price_amount=format(price.to_decimal(), "f"),
        price_currency=price.currency.upper(),
    )


async def sitemap_urls() -> list[SitemapUrl]:
    """Home, discovery and legal pages, then each creator with published products and those products."""
    statement = (
        select(Creator.handle, Creator.updated_at, Product.slug, Product.updated_at)
        .join(Creator, col(Creator.id) == col(Product.creator_id))
        .where(Product.status == ProductStatus.PUBLISHED)
        .order_by(col(Creator.handle), col(Product.slug))
    )
    async with db.transaction() as session:
        rows = (await session.exec(statement)).all()
    return [SitemapUrl(loc=absolute_url(path)) for path in STATIC_PAGES] + _creator_urls(rows)


def _creator_urls(rows: Sequence[tuple[str, datetime, str, datetime]]) -> list[SitemapUrl]:
    """Rows of (handle, creator updated, slug, product updated), ordered by handle then slug."""
    urls: list[SitemapUrl] = []
    for handle, group in itertools.groupby(rows, key=lambda row: row[0]):
        products = list(group)
        # A storefront changes with its profile and with any of its published products.
        latest = max([products[0][1], *(product_updated for *_, product_updated in products)])
        urls.append(SitemapUrl(loc=absolute_url(f"/{handle}"), lastmod=latest.date()))
        urls.extend(
            SitemapUrl(loc=absolute_url(f"/{handle}/{slug}"), lastmod=updated.date())
            for _, _, slug, updated in products
        )
    return urls


async def open_public_image(path: str) -> PublicImage | None:
    """A public image under the media/ prefix, ready to stream; None for any other or a missing key."""
    key = f"media/{path}"
    match = _PUBLIC_IMAGE_KEY.fullmatch(key)  # fullmatch: "$" would let a trailing newline through
    if match is None:
        return None
    storage = get_storage()
    try:
        size = await storage.size(key)
    except (ObjectMissing, ValueError):
        return None
    return PublicImage(content_type=_IMAGE_TYPES[match.group(1)], size_bytes=size, chunks=storage.read(key))
