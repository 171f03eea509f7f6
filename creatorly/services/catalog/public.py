"""Public read models for search engines: page meta for storefronts, products and posts, the sitemap, public images.

A gated post's meta and sitemap entry show only what its locked page shows (title, teaser, image), never its body.
"""

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
from creatorly.kit.clock import utc_now
from creatorly.kit.markdown import plain_text_excerpt
from creatorly.kit.money import Money
from creatorly.models import Creator, Post, Product
from creatorly.models.enums import ProductStatus
from creatorly.providers.registry import get_storage
from creatorly.providers.storage.base import ObjectMissing
from creatorly.services.creators.service import media_url as _media_url
from creatorly.services.memberships.tier_rules import PostFacts, is_gated

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
POSTS_SEGMENT = "posts"  # /{handle}/posts/{slug}
_PUBLIC_IMAGE_KEY = re.compile(r"media/[a-z0-9/_-]+\.(webp|png|jpe?g)")
_IMAGE_TYPES = {"webp": "image/webp", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str
    description: str
    canonical_url: str
    image_url: str | None
    og_type: Literal["profile", "product", "article"]
    price_amount: str | None = None  # a decimal string in major units, e.g. "12.00"
    price_currency: str | None = None
    published_time: str | None = None  # an article's ISO 8601 publication time


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


@dataclass(frozen=True, slots=True)
class PublicPath:
    """A path that could be a storefront (`/{handle}`), a product (`/{handle}/{slug}`) or a post page."""

    handle: str
    slug: str | None = None
    post_slug: str | None = None


def public_page_path(path: str) -> PublicPath | None:
    """What public page `path` could be; None when it can't be a storefront, product or post page."""
    segments = path.strip("/").split("/")
    if segments[0].startswith("_") or segments[0] in RESERVED_FIRST_SEGMENTS:
        return None
    if len(segments) == 3 and segments[1] == POSTS_SEGMENT:
        parsed = PublicPath(handle=segments[0].casefold(), post_slug=segments[2].lower())
    elif len(segments) <= 2:
        parsed = PublicPath(handle=segments[0].casefold(), slug=segments[1].lower() if len(segments) == 2 else None)
    else:
        return None
    parts = [parsed.handle, parsed.slug, parsed.post_slug]
    return parsed if all(_SEGMENT.fullmatch(part) for part in parts if part is not None) else None


async def page_meta_for_path(path: str, *, now: datetime | None = None) -> PageMeta | None:
    """Title, description, canonical address and image of a public page; None for anything else."""
    parsed = public_page_path(path)
    if parsed is None:
        return None
    async with db.transaction() as session:
        if parsed.post_slug is not None:
            statement = (
                select(Post, Creator)
                .join(Creator, col(Creator.id) == col(Post.creator_id))
                .where(Creator.handle == parsed.handle, Post.slug == parsed.post_slug)
                .where(col(Creator.suspended_at).is_(None))
                .where(col(Post.published_at).is_not(None), col(Post.published_at) <= (now or utc_now()))
            )
            post_row = (await session.exec(statement)).first()
            return None if post_row is None else _post_meta(*post_row, now=now or utc_now())
        if parsed.slug is None:
            creator = (await session.exec(select(Creator).where(Creator.handle == parsed.handle))).first()
            return None if creator is None or creator.suspended_at is not None else _storefront_meta(creator)
        statement_product = (
            select(Product, Creator)
            .join(Creator, col(Creator.id) == col(Product.creator_id))
            .where(Creator.handle == parsed.handle, Product.slug == parsed.slug)
            .where(Product.status == ProductStatus.PUBLISHED, col(Creator.suspended_at).is_(None))
        )
        row = (await session.exec(statement_product)).first()
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


def _post_meta(post: Post, creator: Creator, *, now: datetime) -> PageMeta:
    facts = PostFacts(
        audience=post.audience, published_at=post.published_at, public_at=post.public_at, min_tier_position=None
    )
    # A gated post's page shows its teaser only; so does its description.
    body = "" if is_gated(facts, now) else plain_text_excerpt(post.body_markdown)
    return PageMeta(
        title=f"{post.title} by {creator.display_name} · {SITE_NAME}",
        description=plain_text_excerpt(post.teaser) or body or f"A post by {creator.display_name}, on {SITE_NAME}.",
        canonical_url=absolute_url(f"/{creator.handle}/{POSTS_SEGMENT}/{post.slug}"),
        image_url=media_url(post.image_key) if post.image_key else None,
        og_type="article",
        published_time=post.published_at.isoformat() if post.published_at else None,
    )


@dataclass(frozen=True, slots=True)
class _Page:
    """One page of a storefront in the sitemap: its path under the handle ("" for the storefront itself)."""

    handle: str
    creator_updated: datetime
    path: str
    updated: datetime


async def sitemap_urls(*, now: datetime | None = None) -> list[SitemapUrl]:
    """Home, discovery and legal pages, then each creator with published products or posts, and those pages.

    Posts count once published (not drafts, not scheduled ones); gated posts are listed, their page shows the teaser.
    """
    moment = now or utc_now()
    products = (
        select(Creator.handle, Creator.updated_at, Product.slug, Product.updated_at)
        .join(Creator, col(Creator.id) == col(Product.creator_id))
        .where(Product.status == ProductStatus.PUBLISHED, col(Creator.suspended_at).is_(None))
    )
    posts = (
        select(Creator, Post.slug, Post.updated_at, Post.published_at)
        .join(Creator, col(Creator.id) == col(Post.creator_id))
        .where(col(Post.published_at).is_not(None), col(Post.published_at) <= moment)
        .where(col(Creator.suspended_at).is_(None))
    )
    async with db.transaction() as session:
        product_rows = (await session.exec(products)).all()
        post_rows = (await session.exec(posts)).all()
    pages = [
        _Page(handle, creator_updated, f"/{slug}", updated) for handle, creator_updated, slug, updated in product_rows
    ]
    pages += [
        # A post scheduled ahead changes on the page when it goes out, not when it was last edited.
        _Page(creator.handle, creator.updated_at, f"/{POSTS_SEGMENT}/{slug}", max(updated, published_at or updated))
        for creator, slug, updated, published_at in post_rows
    ]
    return [SitemapUrl(loc=absolute_url(path)) for path in STATIC_PAGES] + _creator_urls(pages)


def _creator_urls(pages: Sequence[_Page]) -> list[SitemapUrl]:
    """Per creator (by handle): the storefront, then its products by slug, then its posts by slug."""
    ordered = sorted(pages, key=lambda page: (page.handle, page.path.startswith(f"/{POSTS_SEGMENT}/"), page.path))
    urls: list[SitemapUrl] = []
    for handle, group in itertools.groupby(ordered, key=lambda page: page.handle):
        listed = list(group)
        # A storefront changes with its profile and with any of its published products and posts.
        latest = max([listed[0].creator_updated, *(page.updated for page in listed)])
        urls.append(SitemapUrl(loc=absolute_url(f"/{handle}"), lastmod=latest.date()))
        urls.extend(
            SitemapUrl(loc=absolute_url(f"/{handle}{page.path}"), lastmod=page.updated.date()) for page in listed
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
