"""Every query of reviews: targets, eligibility facts, summaries, pages of reviews, votes and replies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Creator, Order, Product, Subscription, Tier, User
from creatorly.models.enums import OrderStatus, ProductStatus
from creatorly.models.reviews import Review, ReviewVote
from creatorly.services.memberships.tier_rules import ACCESS_STATUSES
from creatorly.services.reviews.rules import SORT_HELPFUL
from creatorly.services.reviews.schemas import ReviewTarget

BOUGHT_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


# --- Targets ---------------------------------------------------------------------------------------------


async def published_product(session: AsyncSession, handle: str, slug: str) -> Product | None:
    statement = (
        select(Product)
        .join(Creator, col(Creator.id) == col(Product.creator_id))
        .where(Creator.handle == handle, Product.slug == slug, Product.status == ProductStatus.PUBLISHED)
    )
    return (await session.exec(statement)).first()


async def get_product(session: AsyncSession, product_id: int) -> Product | None:
    return await session.get(Product, product_id)


async def get_tier(session: AsyncSession, tier_id: int) -> Tier | None:
    return await session.get(Tier, tier_id)


async def published_tiers_of_handle(session: AsyncSession, handle: str) -> Sequence[Tier]:
    statement = (
        select(Tier)
        .join(Creator, col(Creator.id) == col(Tier.creator_id))
        .where(Creator.handle == handle, col(Tier.is_published).is_(True))
        .order_by(col(Tier.position), col(Tier.id))
    )
    return (await session.exec(statement)).all()


async def creator_user_id(session: AsyncSession, creator_id: int) -> int | None:
    creator = await session.get(Creator, creator_id)
    return None if creator is None else creator.user_id


# --- Eligibility facts --------------------------------------------------------------------------------


def _order_of(user_id: int, email: str | None) -> ColumnElement[bool]:
    who = [col(Order.buyer_user_id) == user_id]
    if email:
        who.append(func.lower(col(Order.buyer_email)) == email.strip().lower())
    return or_(*who)


async def has_bought(session: AsyncSession, *, product_id: int, user_id: int, email: str | None) -> bool:
    """A paid order of the product, not fully refunded, by this user (or to their verified email)."""
    statement = (
        select(col(Order.id))
        .where(
            col(Order.product_id) == product_id,
            col(Order.status).in_([status.value for status in BOUGHT_STATUSES]),
            _order_of(user_id, email),
        )
        .limit(1)
    )
    return (await session.exec(statement)).first() is not None


async def tier_subscriptions(
    session: AsyncSession, *, tier_id: int, user_id: int, email: str | None
) -> Sequence[Subscription]:
    """The person's subscriptions of this tier in a status that may grant access (the caller checks the dates)."""
    who = [col(Subscription.member_user_id) == user_id]
    if email:
        who.append(func.lower(col(Subscription.member_email)) == email.strip().lower())
    statement = select(Subscription).where(
        col(Subscription.tier_id) == tier_id,
        col(Subscription.status).in_([status.value for status in ACCESS_STATUSES]),
        or_(*who),
    )
    return (await session.exec(statement)).all()


# --- Reviews -------------------------------------------------------------------------------------------------


def _of_target(target: ReviewTarget) -> ColumnElement[bool]:
    if target.tier_id is not None:
        return col(Review.tier_id) == target.tier_id
    return col(Review.product_id) == target.product_id


async def get_review(session: AsyncSession, review_id: int, *, for_update: bool = False) -> Review | None:
    statement = select(Review).where(col(Review.id) == review_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def review_by(session: AsyncSession, *, user_id: int, target: ReviewTarget) -> Review | None:
    statement = select(Review).where(col(Review.reviewer_user_id) == user_id, _of_target(target))
    return (await session.exec(statement)).first()


async def add(session: AsyncSession, row: Review | ReviewVote) -> None:
    session.add(row)
    await session.flush()


async def rating_totals(session: AsyncSession, target: ReviewTarget) -> tuple[int, int]:
    """(count, sum of ratings) of the target's visible reviews."""
    statement = select(func.count(), func.coalesce(func.sum(col(Review.rating)), 0)).where(
        _of_target(target), col(Review.hidden_at).is_(None)
    )
    count, total = (await session.exec(statement)).one()
    return int(count), int(total)


async def rating_totals_by_product(session: AsyncSession, product_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    if not product_ids:
        return {}
    statement = (
        select(col(Review.product_id), func.count(), func.sum(col(Review.rating)))
        .where(col(Review.product_id).in_(list(product_ids)), col(Review.hidden_at).is_(None))
        .group_by(col(Review.product_id))
    )
    rows = (await session.exec(statement)).all()
    return {int(key or 0): (int(count), int(total or 0)) for key, count, total in rows}


async def rating_totals_by_tier(session: AsyncSession, tier_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    if not tier_ids:
        return {}
    statement = (
        select(col(Review.tier_id), func.count(), func.sum(col(Review.rating)))
        .where(col(Review.tier_id).in_(list(tier_ids)), col(Review.hidden_at).is_(None))
        .group_by(col(Review.tier_id))
    )
    rows = (await session.exec(statement)).all()
    return {int(key or 0): (int(count), int(total or 0)) for key, count, total in rows}


async def visible_reviews(
    session: AsyncSession, target: ReviewTarget, *, sort: str, offset: int, limit: int
) -> Sequence[tuple[Review, str]]:
    """A page of the target's visible reviews with their writer's display name, newest or most helpful first."""
    order = (
        (col(Review.helpful_count).desc(), col(Review.created_at).desc(), col(Review.id).desc())
        if sort == SORT_HELPFUL
        else (col(Review.created_at).desc(), col(Review.id).desc())
    )
    statement = (
        select(Review, User.display_name)
        .join(User, col(User.id) == col(Review.reviewer_user_id))
        .where(_of_target(target), col(Review.hidden_at).is_(None))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return [(review, name) for review, name in (await session.exec(statement)).all()]


async def voted_review_ids(session: AsyncSession, *, user_id: int, review_ids: Sequence[int]) -> set[int]:
    if not review_ids:
        return set()
    statement = select(col(ReviewVote.review_id)).where(
        col(ReviewVote.user_id) == user_id, col(ReviewVote.review_id).in_(list(review_ids))
    )
    return set((await session.exec(statement)).all())


async def count_helpful(session: AsyncSession, review_id: int) -> None:
    """One more helpful vote, counted in the database (two voters at once both count)."""
    statement = update(Review).where(col(Review.id) == review_id).values(helpful_count=col(Review.helpful_count) + 1)
    await session.exec(statement)


async def set_reply_once(session: AsyncSession, *, review_id: int, body: str, now: datetime) -> bool:
    """Store the reply unless the review has one already; False when it had one (or a racing reply won)."""
    statement = (
        update(Review)
        .where(col(Review.id) == review_id, col(Review.replied_at).is_(None))
        .values(reply_body=body, replied_at=now)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def reviews_of_creator(
    session: AsyncSession, creator_id: int, *, offset: int, limit: int
) -> Sequence[tuple[Review, str, str | None, str | None]]:
    """The creator's reviews, hidden ones too, newest first: (review, writer, product title, tier name)."""
    statement = (
        select(Review, User.display_name, Product.title, Tier.name)
        .join(User, col(User.id) == col(Review.reviewer_user_id))
        .outerjoin(Product, col(Product.id) == col(Review.product_id))
        .outerjoin(Tier, col(Tier.id) == col(Review.tier_id))
        .where(col(Review.creator_id) == creator_id)
        .order_by(col(Review.created_at).desc(), col(Review.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return [tuple(row) for row in (await session.exec(statement)).all()]  # type: ignore[misc]


async def reviews_by(session: AsyncSession, user_id: int) -> Sequence[Review]:
    statement = select(Review).where(col(Review.reviewer_user_id) == user_id).order_by(col(Review.id))
    return (await session.exec(statement)).all()


async def delete_reviews_by(session: AsyncSession, user_id: int) -> None:
    """The person's reviews and votes go; counts of votes they cast on others' reviews go down with them."""
    voted = select(col(ReviewVote.review_id)).where(col(ReviewVote.user_id) == user_id)
    await session.exec(
        update(Review).where(col(Review.id).in_(voted)).values(helpful_count=col(Review.helpful_count) - 1)
    )
    await session.exec(delete(ReviewVote).where(col(ReviewVote.user_id) == user_id))
    await session.exec(delete(Review).where(col(Review.reviewer_user_id) == user_id))
