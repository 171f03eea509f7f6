"""The creator's reads of their memberships: members, MRR and active members by tier (re-exported by lifecycle)."""

from __future__ import annotations

from collections import defaultdict

from creatorly import db
from creatorly.models.enums import SubscriptionStatus
from creatorly.models.memberships import Tier
from creatorly.services.memberships import repository, rules
from creatorly.services.memberships.schemas import Member, TierFigure


async def members_of(*, creator_id: int) -> list[Member]:
    """Everyone who joined (paid or trialing, now or before): tier, status, since, lifetime value."""
    async with db.transaction() as session:
        tiers = {tier.id: tier for tier in await repository.tiers_of(session, creator_id)}
        totals = await repository.paid_totals(session, creator_id)
        rows = await repository.subscriptions_of_creator(session, creator_id)
    return [
        Member(
            subscription_public_id=row.public_id,
            member_email=row.member_email,
            tier_name=_tier_name(tiers, row.tier_id),
            status=row.status,
            since=row.created_at,
            lifetime_value=totals.get(row.id or 0, 0),
            currency=row.currency,
        )
        for row in rows
    ]


def _tier_name(tiers: dict[int | None, Tier], tier_id: int) -> str:
    tier = tiers.get(tier_id)
    return tier.name if tier is not None else ""


# Statuses that count in MRR and active members: paying now (trials pay nothing yet, paused ones neither).
_PAYING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)


async def mrr_by_tier(*, creator_id: int) -> list[TierFigure]:
    """Monthly recurring revenue per tier and currency: each paying member's price normalised to a month with
    `rules.monthly_amount` (weekly ×52/12, quarterly /3, yearly /12, each rounded half up per member), summed."""
    async with db.transaction() as session:
        tiers = await repository.tiers_of(session, creator_id)
        rows = await repository.subscriptions_of_creator(session, creator_id)
    monthly: dict[tuple[int, str], int] = defaultdict(int)
    members: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        if row.status in _PAYING and not row.cancel_at_period_end:
            monthly[(row.tier_id, row.currency)] += rules.monthly_amount(row.amount, row.interval)
        if row.status in _PAYING:
            members[(row.tier_id, row.currency)] += 1
    figures = []
    for tier in tiers:
        for (tier_id, currency), count in sorted(members.items()):
            if tier_id == tier.id:
                figures.append(
                    TierFigure(
                        tier_public_id=tier.public_id,
                        tier_name=tier.name,
                        currency=currency,
                        monthly_amount=monthly[(tier_id, currency)],
                        active_members=count,
                    )
                )
    return figures


async def active_members_by_tier(*, creator_id: int) -> dict[str, int]:
    """Tier public id → members paying now (active or past due within grace)."""
    return {figure.tier_public_id: figure.active_members for figure in await mrr_by_tier(creator_id=creator_id)}
