"""Who may read what: a person's highest live tier with a creator, and the post gate built on it.

Reads Subscription rows directly (the subscription engine writes them); helpers take the caller's session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.errors import CreatorlyError
from creatorly.models import Creator, Post, Tier
from creatorly.models.enums import PostAudience
from creatorly.services.accounts import authorization
from creatorly.services.memberships import posts_repository as repository
from creatorly.services.memberships.tier_rules import PostFacts, SubscriptionFacts, grants_access
from creatorly.services.memberships.tier_rules import can_read as can_read_post


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is looking at a page: nobody (signed out), or a user with the email we may match them by."""

    user_id: int | None = None
    email: str | None = None
    display_name: str = ""


ANONYMOUS = Reader()


async def reader_of(session_token: str) -> Reader:
    """The signed-in person behind the token (their email only when verified); anonymous otherwise."""
    if not session_token:
        return ANONYMOUS
    try:
        user = await authorization.require_user(session_token)
    except CreatorlyError:
        return ANONYMOUS
    return Reader(user_id=user.id, email=user.email if user.is_email_verified else None, display_name=user.display_name)


async def member_tier_position(
    session: AsyncSession, *, creator_id: int, user_id: int | None, email: str | None, now: datetime
) -> int | None:
    """The highest tier position among the person's subscriptions with this creator that grant access now.

    Trialing and active count; past due only within its grace period; cancelled at period end only while
    the period lasts; paused never. None when the person is not a member.
    """
    rows = await repository.access_subscriptions(session, creator_id=creator_id, user_id=user_id, email=email)
    positions = [
        position
        for subscription, position in rows
        if grants_access(
            SubscriptionFacts(
                status=subscription.status,
                current_period_end=subscription.current_period_end,
                grace_until=subscription.grace_until,
                cancel_at_period_end=subscription.cancel_at_period_end,
            ),
            now,
        )
    ]
    return max(positions) if positions else None


def post_facts(post: Post, tier_positions: dict[int, int]) -> PostFacts:
    return PostFacts(
        audience=post.audience,
        published_at=post.published_at,
        public_at=post.public_at,
        min_tier_position=tier_positions.get(post.min_tier_id) if post.min_tier_id is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Gate:
    """Everything needed to decide, post by post, what a reader sees of one creator's posts."""

    is_owner: bool
    member_position: int | None
    tiers: dict[int, Tier]

    @property
    def positions(self) -> dict[int, int]:
        return {tier_id: tier.position for tier_id, tier in self.tiers.items()}

    def can_read(self, post: Post, now: datetime) -> bool:
        facts = post_facts(post, self.positions)
        return can_read_post(facts, member_position=self.member_position, is_owner=self.is_owner, now=now)

    def lock_text(self, post: Post) -> str:
        tier = self.tiers.get(post.min_tier_id or 0)
        if post.audience == PostAudience.TIER and tier is not None:
            return f"For {tier.name} members and above"
        return "For members"


async def gate_for(session: AsyncSession, creator: Creator, reader: Reader, now: datetime) -> Gate:
    assert creator.id is not None
    tiers = {tier.id: tier for tier in await repository.tiers_of_creator(session, creator.id) if tier.id is not None}
    is_owner = reader.user_id is not None and reader.user_id == creator.user_id
    position = await member_tier_position(
        session, creator_id=creator.id, user_id=reader.user_id, email=reader.email, now=now
    )
    return Gate(is_owner=is_owner, member_position=position, tiers=tiers)
