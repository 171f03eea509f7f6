"""Every query on tiers, tier prices, posts, comments and commenter blocks (and the subscription reads access needs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import CommenterBlock, Post, PostComment, Subscription, Tier, TierPrice, User
from creatorly.models.enums import SubscriptionStatus
from creatorly.services.memberships.tier_rules import ACCESS_STATUSES

# --- Tiers ---------------------------------------------------------------------------------------


async def tiers_of_creator(
    session: AsyncSession, creator_id: int, *, is_published_only: bool = False
) -> Sequence[Tier]:
    statement = select(Tier).where(Tier.creator_id == creator_id)
    if is_published_only:
        statement = statement.where(col(Tier.is_published).is_(True))
    return (await session.exec(statement.order_by(col(Tier.position), col(Tier.id)))).all()


async def tier_of_creator(session: AsyncSession, creator_id: int, tier_id: int) -> Tier | None:
    statement = select(Tier).where(Tier.id == tier_id, Tier.creator_id == creator_id)
    return (await session.exec(statement)).first()


async def next_tier_position(session: AsyncSession, creator_id: int) -> int:
    highest = (await session.exec(select(func.max(Tier.position)).where(Tier.creator_id == creator_id))).one()
    return 0 if highest is None else int(highest) + 1


async def prices_of_tiers(session: AsyncSession, tier_ids: list[int]) -> Sequence[TierPrice]:
    if not tier_ids:
        return []
    statement = select(TierPrice).where(col(TierPrice.tier_id).in_(tier_ids)).order_by(col(TierPrice.id))
    return (await session.exec(statement)).all()


def _live_at(now: datetime) -> ColumnElement[bool]:
    """The SQL twin of tier_rules.grants_access."""
    in_period = col(Subscription.current_period_end) > now
    return or_(
        and_(
            col(Subscription.status).in_([SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE]),
            or_(col(Subscription.cancel_at_period_end).is_(False), in_period),
        ),
        and_(col(Subscription.status) == SubscriptionStatus.PAST_DUE, col(Subscription.grace_until) > now),
        and_(
            col(Subscription.status) == SubscriptionStatus.CANCELED,
            col(Subscription.cancel_at_period_end).is_(True),
            in_period,
        ),
    )


async def live_member_counts(session: AsyncSession, creator_id: int, now: datetime) -> dict[int, int]:
    """Members with access now, per tier id, in one query."""
    statement = (
        select(Subscription.tier_id, func.count())
        .where(Subscription.creator_id == creator_id, _live_at(now))
        .group_by(col(Subscription.tier_id))
    )
    return dict((await session.exec(statement)).all())


async def access_subscriptions(
    session: AsyncSession, *, creator_id: int, user_id: int | None, email: str | None
) -> Sequence[tuple[Subscription, int]]:
    """The person's subscriptions with this creator that may grant access, with their tier's position."""
    who = []
    if user_id is not None:
        who.append(col(Subscription.member_user_id) == user_id)
    if email:
        who.append(func.lower(col(Subscription.member_email)) == email.strip().lower())
    if not who:
        return []
    statement = (
        select(Subscription, Tier.position)
        .join(Tier, col(Tier.id) == col(Subscription.tier_id))
        .where(
            col(Subscription.creator_id) == creator_id,
            col(Subscription.status).in_(list(ACCESS_STATUSES)),
            or_(*who),
        )
    )
    return (await session.exec(statement)).all()


# --- Posts ---------------------------------------------------------------------------------------


async def posts_of_creator(session: AsyncSession, creator_id: int) -> Sequence[Post]:
    statement = (
        select(Post)
        .where(Post.creator_id == creator_id)
        .order_by(col(Post.published_at).desc().nulls_first(), col(Post.id).desc())
    )
    return (await session.exec(statement)).all()


async def published_posts(session: AsyncSession, creator_id: int, now: datetime, *, limit: int) -> Sequence[Post]:
    statement = (
        select(Post)
        .where(Post.creator_id == creator_id, col(Post.published_at).is_not(None), col(Post.published_at) <= now)
        .where(col(Post.hidden_at).is_(None))
        .order_by(col(Post.published_at).desc(), col(Post.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def post_of_creator(session: AsyncSession, creator_id: int, post_id: int) -> Post | None:
    statement = select(Post).where(Post.id == post_id, Post.creator_id == creator_id)
    return (await session.exec(statement)).first()


async def post_by_slug(session: AsyncSession, creator_id: int, slug: str) -> Post | None:
    statement = select(Post).where(Post.creator_id == creator_id, Post.slug == slug)
    return (await session.exec(statement)).first()


async def tier_positions(session: AsyncSession, tier_ids: list[int]) -> dict[int, int]:
    if not tier_ids:
        return {}
    statement = select(Tier.id, Tier.position).where(col(Tier.id).in_(tier_ids))
    return {tier_id: position for tier_id, position in (await session.exec(statement)).all() if tier_id is not None}


async def comment_counts(session: AsyncSession, post_ids: list[int]) -> dict[int, int]:
    if not post_ids:
        return {}
    statement = (
        select(PostComment.post_id, func.count())
        .where(col(PostComment.post_id).in_(post_ids))
        .group_by(col(PostComment.post_id))
    )
    return dict((await session.exec(statement)).all())


# --- Comments ------------------------------------------------------------------------------------


async def comments_of_post(
    session: AsyncSession, post_id: int, *, is_hidden_included: bool, limit: int = 200
) -> Sequence[tuple[PostComment, str]]:
    """Comments oldest first with the author's display name."""
    statement = (
        select(PostComment, User.display_name)
        .join(User, col(User.id) == col(PostComment.author_user_id))
        .where(PostComment.post_id == post_id)
    )
    if not is_hidden_included:
        statement = statement.where(col(PostComment.is_hidden).is_(False), col(PostComment.hidden_at).is_(None))
    statement = statement.order_by(col(PostComment.created_at), col(PostComment.id)).limit(limit)
    return (await session.exec(statement)).all()


async def comment_of_creator(session: AsyncSession, creator_id: int, comment_id: int) -> PostComment | None:
    statement = (
        select(PostComment)
        .join(Post, col(Post.id) == col(PostComment.post_id))
        .where(PostComment.id == comment_id, Post.creator_id == creator_id)
    )
    return (await session.exec(statement)).first()


async def blocked_user_ids(session: AsyncSession, creator_id: int) -> set[int]:
    statement = select(CommenterBlock.user_id).where(CommenterBlock.creator_id == creator_id)
    return set((await session.exec(statement)).all())


async def is_blocked(session: AsyncSession, creator_id: int, user_id: int) -> bool:
    statement = select(CommenterBlock.id).where(
        CommenterBlock.creator_id == creator_id, CommenterBlock.user_id == user_id
    )
    return (await session.exec(statement)).first() is not None


async def add(session: AsyncSession, row: Tier | TierPrice | Post | PostComment | CommenterBlock) -> None:
    session.add(row)
    await session.flush()


async def delete(session: AsyncSession, row: Tier | Post) -> None:
    await session.delete(row)
    await session.flush()


async def has_subscriptions(session: AsyncSession, tier_id: int) -> bool:
    statement = select(Subscription.id).where(Subscription.tier_id == tier_id).limit(1)
    return (await session.exec(statement)).first() is not None
