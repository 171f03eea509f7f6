"""Membership tiers: a creator manages their own (prices per interval, benefits, order, publishing); fans see
the published ones on the storefront.

Every creator use case resolves the creator from the session token; another creator's tier is not found.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.markdown import render_markdown
from creatorly.kit.money import Money
from creatorly.models import Creator, Tier, TierPrice
from creatorly.models.enums import BillingInterval
from creatorly.services.accounts import authorization
from creatorly.services.creators import service as creators
from creatorly.services.memberships import posts_repository as repository
from creatorly.services.memberships import tier_rules as rules
from creatorly.services.memberships.content_schemas import (
    PublicTier,
    TierDetail,
    TierInput,
    TierOption,
    TierPriceView,
    TierRow,
)


class TierNotFound(NotFound):
    code = "tier_not_found"
    default_message = "We couldn't find that tier."


class TierHasMembers(CreatorlyError):
    code = "tier_has_members"
    status = 409
    default_message = "People have joined this tier, so it can't be deleted. Unpublish it instead."


async def my_creator(session: AsyncSession, session_token: str) -> Creator:
    user = await authorization.require_user(session_token)
    return await creators.creator_of(session, user.id)


async def _my_tier(session: AsyncSession, creator: Creator, tier_id: int) -> Tier:
    assert creator.id is not None
    tier = await repository.tier_of_creator(session, creator.id, tier_id)
    if tier is None:
        raise TierNotFound()
    return tier


def _apply(tier: Tier, values: TierInput) -> None:
    tier.name = rules.check_tier_name(values.name)
    tier.description_markdown = rules.check_tier_description(values.description)
    tier.benefits = rules.benefits_json(rules.check_benefits(values.benefits))
    tier.trial_days = (
        rules.check_whole_number(values.trial_days, field="trial_days", low=0, high=rules.MAX_TRIAL_DAYS) or 0
    )
    tier.member_cap = rules.check_whole_number(values.member_cap, field="member_cap", low=1, high=rules.MAX_MEMBER_CAP)
    tier.welcome_message = rules.check_welcome_message(values.welcome_message)
    tier.updated_at = utc_now()


def _checked_prices(values: TierInput, currency: str) -> dict[BillingInterval, int]:
    typed = {
        BillingInterval.WEEKLY.value: values.price_weekly,
        BillingInterval.MONTHLY.value: values.price_monthly,
        BillingInterval.QUARTERLY.value: values.price_quarterly,
        BillingInterval.YEARLY.value: values.price_yearly,
    }
    return rules.check_prices(typed, currency)


async def _save_prices(session: AsyncSession, tier: Tier, prices: dict[BillingInterval, int], currency: str) -> None:
    """Upsert one row per offered interval; a dropped interval is deactivated (members may still pay it)."""
    assert tier.id is not None
    existing = {price.interval: price for price in await repository.prices_of_tiers(session, [tier.id])}
    for interval in rules.INTERVAL_ORDER:
        row = existing.get(interval)
        if interval in prices:
            if row is None:
                await repository.add(
                    session, TierPrice(tier_id=tier.id, interval=interval, amount=prices[interval], currency=currency)
                )
            else:
                row.amount, row.currency, row.is_active = prices[interval], currency, True
                session.add(row)
        elif row is not None:
            row.is_active = False
            session.add(row)


async def create_tier(*, session_token: str, values: TierInput) -> int:
    """A new unpublished tier, placed above the creator's others; returns its id."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        assert creator.id is not None
        tier = Tier(public_id=f"tier_{secrets.token_hex(8)}", creator_id=creator.id, name="")
        _apply(tier, values)
        prices = _checked_prices(values, creator.default_currency)
        tier.position = await repository.next_tier_position(session, creator.id)
        await repository.add(session, tier)
        await _save_prices(session, tier, prices, creator.default_currency)
        assert tier.id is not None
        return tier.id


async def update_tier(*, session_token: str, tier_id: int, values: TierInput) -> None:
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        tier = await _my_tier(session, creator, tier_id)
        _apply(tier, values)
        await _save_prices(session, tier, _checked_prices(values, creator.default_currency), creator.default_currency)


async def set_tier_published(*, session_token: str, tier_id: int, is_published: bool) -> None:
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        tier = await _my_tier(session, creator, tier_id)
        tier.is_published, tier.updated_at = is_published, utc_now()


async def move_tier(*, session_token: str, tier_id: int, direction: int) -> None:
    """Swap the tier with its neighbour: up (-1) is lower in the ladder, down (+1) higher."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        assert creator.id is not None
        await _my_tier(session, creator, tier_id)
        tiers = list(await repository.tiers_of_creator(session, creator.id))
        by_id = {tier.id: tier for tier in tiers}
        pairs = [(tier.id, tier.position) for tier in tiers if tier.id is not None]
        for moved_id, position in rules.swapped_positions(pairs, tier_id, direction):
            by_id[moved_id].position = position
            session.add(by_id[moved_id])


async def delete_tier(*, session_token: str, tier_id: int) -> None:
    """Delete a tier nobody ever joined; posts gated by it fall back to all members."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        tier = await _my_tier(session, creator, tier_id)
        assert tier.id is not None
        if await repository.has_subscriptions(session, tier.id):
            raise TierHasMembers()
        await repository.delete(session, tier)


def _price_views(prices: Sequence[TierPrice]) -> list[TierPriceView]:
    order = {interval: index for index, interval in enumerate(rules.INTERVAL_ORDER)}
    active = sorted((price for price in prices if price.is_active), key=lambda price: order.get(price.interval, 9))
    return [
        TierPriceView(
            interval=price.interval,
            interval_label=rules.INTERVAL_LABELS.get(price.interval, price.interval),
            amount=price.amount,
            currency=price.currency,
            label=rules.price_label(price.amount, price.currency, price.interval),
        )
        for price in active
    ]


def _prices_by_tier(prices: Sequence[TierPrice]) -> dict[int, list[TierPrice]]:
    grouped: dict[int, list[TierPrice]] = {}
    for price in prices:
        grouped.setdefault(price.tier_id, []).append(price)
    return grouped


async def list_my_tiers(*, session_token: str, now: datetime | None = None) -> list[TierRow]:
    """The creator's tiers in ladder order with their prices, published state and live member count."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        assert creator.id is not None
        tiers = await repository.tiers_of_creator(session, creator.id)
        prices = _prices_by_tier(await repository.prices_of_tiers(session, [tier.id for tier in tiers if tier.id]))
        counts = await repository.live_member_counts(session, creator.id, now or utc_now())
        return [
            TierRow(
                id=tier.id or 0,
                public_id=tier.public_id,
                name=tier.name,
                position=tier.position,
                is_published=tier.is_published,
                price_labels=[view.label for view in _price_views(prices.get(tier.id or 0, []))],
                member_count=counts.get(tier.id or 0, 0),
                member_cap=tier.member_cap,
            )
            for tier in tiers
        ]


async def get_my_tier(*, session_token: str, tier_id: int) -> TierDetail:
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        tier = await _my_tier(session, creator, tier_id)
        assert tier.id is not None
        prices = {view.interval: view for view in _price_views(await repository.prices_of_tiers(session, [tier.id]))}

        def amount(interval: BillingInterval) -> str:
            view = prices.get(interval)
            return "" if view is None else format(Money(view.amount, view.currency).to_decimal(), "f")

        values = TierInput(
            name=tier.name,
            description=tier.description_markdown,
            benefits="\n".join(rules.benefits_from_json(tier.benefits)),
            trial_days=str(tier.trial_days) if tier.trial_days else "",
            member_cap="" if tier.member_cap is None else str(tier.member_cap),
            welcome_message=tier.welcome_message,
            price_weekly=amount(BillingInterval.WEEKLY),
            price_monthly=amount(BillingInterval.MONTHLY),
            price_quarterly=amount(BillingInterval.QUARTERLY),
            price_yearly=amount(BillingInterval.YEARLY),
        )
        return TierDetail(
            id=tier.id,
            public_id=tier.public_id,
            is_published=tier.is_published,
            currency=creator.default_currency,
            values=values,
        )


async def tier_options(session: AsyncSession, creator_id: int) -> list[TierOption]:
    """The creator's tiers (published or not) in ladder order, for choosing a post's lowest tier."""
    return [
        TierOption(id=tier.id or 0, name=tier.name) for tier in await repository.tiers_of_creator(session, creator_id)
    ]


async def public_tiers(session: AsyncSession, creator_id: int, *, now: datetime) -> list[PublicTier]:
    """Published tiers with at least one active price, lowest first, in the caller's transaction."""
    tiers = await repository.tiers_of_creator(session, creator_id, is_published_only=True)
    prices = _prices_by_tier(await repository.prices_of_tiers(session, [tier.id for tier in tiers if tier.id]))
    counts = await repository.live_member_counts(session, creator_id, now)
    shown = []
    for tier in tiers:
        views = _price_views(prices.get(tier.id or 0, []))
        if not views:
            continue
        shown.append(
            PublicTier(
                public_id=tier.public_id,
                name=tier.name,
                position=tier.position,
                description_html=render_markdown(tier.description_markdown),
                benefits=rules.benefits_from_json(tier.benefits),
                trial_days=tier.trial_days,
                prices=views,
                is_full=tier.member_cap is not None and counts.get(tier.id or 0, 0) >= tier.member_cap,
            )
        )
    return shown


async def list_public_tiers(*, handle: str, now: datetime | None = None) -> list[PublicTier]:
    """A storefront's published tiers; an unknown handle has none."""
    async with db.transaction() as session:
        creator = await creators.public_creator_by_handle(session, handle)
        if creator is None or creator.id is None:
            return []
        return await public_tiers(session, creator.id, now=now or utc_now())
