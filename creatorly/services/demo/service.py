"""Load the demo creator once — storefront, pictures, tiers, posts and a year of sales, tips, members, visits and
payouts, all through the real use cases — running it again changes nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from creatorly import db
from creatorly.kit.clock import pinned_at, utc_now
from creatorly.kit.images import ImagePurpose
from creatorly.models import Creator, Product
from creatorly.models.enums import PostAudience, ProductStatus, Role
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.sessions import open_session
from creatorly.services.catalog import files, manage
from creatorly.services.catalog import service as catalog
from creatorly.services.creators import service as creators
from creatorly.services.demo import content, history, images
from creatorly.services.demo.content import DEMO_PRODUCTS as DEMO_PRODUCTS
from creatorly.services.demo.gateway import sandbox_in_this_process
from creatorly.services.memberships import posts, tiers
from creatorly.services.memberships.content_schemas import PostInput
from creatorly.services.payouts import accounts as payout_accounts
from creatorly.services.payouts.schemas import PayoutAccountForm

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "creatorly-demo-2026"  # noqa: S105 (public demo account, printed by make run)
DEMO_HANDLE = "mira"
DEMO_SEED = 2026  # every name, amount and moment of the demo's history comes from this seed

_BIO = (
    "Film photographer and illustrator in Lisbon. I make **presets**, brushes and field guides "
    "for people who like their pictures warm and a little grainy."
)
_PAYOUT_ACCOUNT = PayoutAccountForm(
    kind="bank",
    currency="USD",
    country="US",
    holder_name="Mira Costa",
    routing_code="110000000",
    account_number="000123456789",
)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    password: str
    handle: str
    was_created: bool
    seconds: float = 0.0
    summary: list[str] = field(default_factory=list)


async def seed_demo_data() -> DemoAccount:
    """Create the demo creator with a storefront, products and a year of history unless it already exists."""
    started = time.monotonic()
    async with db.transaction() as session:
        if await accounts.find_user_by_email(session, DEMO_EMAIL) is not None:
            return DemoAccount(DEMO_EMAIL, DEMO_PASSWORD, DEMO_HANDLE, was_created=False)
    history_start = utc_now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=history.HISTORY_DAYS)
    async with db.bulk_loading():
        figures, visits = await _load(history_start)
    summary = [
        f"{figures.sales} paid orders, {figures.free_downloads} free downloads, "
        f"{figures.abandoned} abandoned checkouts, {figures.tips} tips,",
        f"{figures.members} members ({figures.renewals} renewals), {figures.payouts} payouts, {visits} visitors",
    ]
    return DemoAccount(
        DEMO_EMAIL,
        DEMO_PASSWORD,
        DEMO_HANDLE,
        was_created=True,
        seconds=time.monotonic() - started,
        summary=summary + figures.notes[:3],
    )


async def _load(history_start: datetime) -> tuple[history.Figures, int]:
    """The storefront as it was a year ago, then the year replayed day by day, then its visits."""
    with pinned_at(history_start - timedelta(days=2)):
        creator, products, token = await _open_storefront()
        await _decorate(products, token)
        await _add_tiers(token)
        await accounts.sign_out(session_token=token)
    public_tiers = await tiers.list_public_tiers(handle=DEMO_HANDLE)
    shop = _shop(creator, products, tier_public_ids=[tier.public_id for tier in public_tiers])
    await _add_posts(shop)
    with sandbox_in_this_process() as sandbox:
        figures = await history.replay_money(shop, sandbox, start=history_start, seed=DEMO_SEED)
    visits = await history.record_visits(shop, start=history_start, seed=DEMO_SEED)
    return figures, visits


async def _open_storefront() -> tuple[Creator, list[Product], str]:
    """The account, its storefront and products (one a draft), each with its small file, and a session to act as her."""
    async with db.transaction() as session:
        user = await accounts.add_verified_user(
            session, email=DEMO_EMAIL, password=DEMO_PASSWORD, display_name="Mira Costa", role=Role.CREATOR
        )
        assert user.id is not None
        creator = await creators.add_creator(
            session, user_id=user.id, handle=DEMO_HANDLE, display_name="Mira Costa", bio_markdown=_BIO, currency="USD"
        )
        added = [await catalog.add_product(session, creator, product) for product in DEMO_PRODUCTS]
        token = await open_session(session, user.id, user_agent="creatorly seed-demo")
    assert creator.id is not None
    for product in added:
        assert product.id is not None
        await files.add_file_as_platform(
            creator_id=creator.id, product_id=product.id, filename="README.txt", data=demo_file_text(product.title)
        )
    await payout_accounts.add_payout_account(creator.id, _PAYOUT_ACCOUNT)
    return creator, added, token


def _shop(creator: Creator, products: list[Product], *, tier_public_ids: list[str]) -> history.Shop:
    published = [product for product in products if product.status == ProductStatus.PUBLISHED]
    return history.Shop(
        creator=creator,
        handle=creator.handle,
        product_slugs={product.title: product.slug for product in products},
        product_ids={product.title: product.id for product in published if product.id is not None},
        tier_public_ids=tier_public_ids,
    )


async def _decorate(products: list[Product], token: str) -> None:
    """Covers for every product, an avatar and a banner, through the same upload checks as the dashboard's."""
    for index, product in enumerate(products):
        assert product.id is not None
        await manage.set_cover(
            session_token=token,
            product_id=product.id,
            data=images.cover_png(product.title, index=index, seed=DEMO_SEED),
        )
    await creators.set_image(
        session_token=token, purpose=ImagePurpose.AVATAR, data=images.avatar_png("MC", seed=DEMO_SEED)
    )
    await creators.set_image(session_token=token, purpose=ImagePurpose.BANNER, data=images.banner_png(seed=DEMO_SEED))


async def _add_tiers(token: str) -> None:
    for values in content.TIERS:
        tier_id = await tiers.create_tier(session_token=token, values=values)
        await tiers.set_tier_published(session_token=token, tier_id=tier_id, is_published=True)


async def _add_posts(shop: history.Shop) -> None:
    """Four posts over the year, some for members only; each written on its day."""
    tier_ids = await _tier_ids(shop)
    now = utc_now()
    for days_ago, title, teaser, body, tier_index in content.POSTS:
        moment = now - timedelta(days=days_ago)
        with pinned_at(moment):
            token = await _session_as_demo()
            await posts.create_post(
                session_token=token,
                values=PostInput(
                    title=title,
                    teaser=teaser,
                    body=body,
                    audience=_audience_of(tier_index),
                    min_tier_id="" if not tier_index else str(tier_ids[tier_index]),
                    status="published",
                ),
                now=moment,
            )
            await accounts.sign_out(session_token=token)


def _audience_of(tier_index: int | None) -> str:
    """Public, every member (the lowest tier), or members of a higher tier and above."""
    if tier_index is None:
        return PostAudience.PUBLIC
    return PostAudience.MEMBERS if tier_index == 0 else PostAudience.TIER


async def _tier_ids(shop: history.Shop) -> list[int]:
    token = await _session_as_demo()
    rows = await tiers.list_my_tiers(session_token=token)
    await accounts.sign_out(session_token=token)
    return [row.id for row in sorted(rows, key=lambda row: row.position)]


async def _session_as_demo() -> str:
    async with db.transaction() as session:
        user = await accounts.find_user_by_email(session, DEMO_EMAIL)
        assert user is not None and user.id is not None
        return await open_session(session, user.id, user_agent="creatorly seed-demo")


def demo_file_text(title: str) -> bytes:
    """The small text file each demo product delivers, so a local purchase downloads something real."""
    return (
        f"{title}\n{'=' * len(title)}\n\nThank you for trying Creatorly's demo storefront!\n"
        "This file stands in for the real product: it was paid for with the sandbox, and no money moved.\n"
    ).encode()
