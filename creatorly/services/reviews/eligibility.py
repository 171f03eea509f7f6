"""Who may rate what: a buyer with a paid, not fully refunded order of the product; an active member of the tier.

The creator never rates their own products or tiers. Helpers take the caller's session and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.errors import CreatorlyError
from creatorly.models.enums import ProductStatus
from creatorly.services.accounts.schemas import CurrentUser
from creatorly.services.memberships.tier_rules import SubscriptionFacts, grants_access
from creatorly.services.reviews import repository
from creatorly.services.reviews.errors import (
    OwnProductReview,
    ReviewNotAllowed,
    ReviewTargetNotFound,
    TierReviewNotAllowed,
)
from creatorly.services.reviews.schemas import ReviewTarget


def _verified_email(user: CurrentUser) -> str | None:
    return user.email if user.is_email_verified else None


async def target_creator_id(session: AsyncSession, target: ReviewTarget) -> int:
    """The creator of a published product or tier; ReviewTargetNotFound otherwise."""
    if target.product_id is not None:
        product = await repository.get_product(session, target.product_id)
        if product is None or product.status != ProductStatus.PUBLISHED:
            raise ReviewTargetNotFound()
        return product.creator_id
    assert target.tier_id is not None
    tier = await repository.get_tier(session, target.tier_id)
    if tier is None or not tier.is_published:
        raise ReviewTargetNotFound()
    return tier.creator_id


async def is_active_member(session: AsyncSession, *, tier_id: int, user: CurrentUser, now: datetime) -> bool:
    subscriptions = await repository.tier_subscriptions(
        session, tier_id=tier_id, user_id=user.id, email=_verified_email(user)
    )
    return any(
        grants_access(
            SubscriptionFacts(
                status=subscription.status,
                current_period_end=subscription.current_period_end,
                grace_until=subscription.grace_until,
                cancel_at_period_end=subscription.cancel_at_period_end,
            ),
            now,
        )
        for subscription in subscriptions
    )


async def check_may_review(session: AsyncSession, *, target: ReviewTarget, user: CurrentUser, now: datetime) -> int:
    """The target's creator id when `user` may rate it now; a clear refusal otherwise."""
    creator_id = await target_creator_id(session, target)
    if await repository.creator_user_id(session, creator_id) == user.id:
        raise OwnProductReview()
    if target.tier_id is not None:
        if not await is_active_member(session, tier_id=target.tier_id, user=user, now=now):
            raise TierReviewNotAllowed()
        return creator_id
    assert target.product_id is not None
    if not await repository.has_bought(
        session, product_id=target.product_id, user_id=user.id, email=_verified_email(user)
    ):
        raise ReviewNotAllowed()
    return creator_id


async def may_review(session: AsyncSession, *, target: ReviewTarget, user: CurrentUser | None, now: datetime) -> bool:
    if user is None:
        return False
    try:
        await check_may_review(session, target=target, user=user, now=now)
    except CreatorlyError:
        return False
    return True
