"""A storefront's tiers with their rating summaries, and which of them the reader may rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.services.reviews import eligibility, repository
from creatorly.services.reviews.schemas import RatingSummary, ReviewTarget
from creatorly.services.reviews.service import reader_of, summaries_of_tiers


@dataclass(frozen=True, slots=True)
class TierRating:
    tier_id: int
    name: str
    summary: RatingSummary
    can_review: bool  # the reader is an active member of this tier


async def tier_ratings(*, handle: str, session_token: str = "", now: datetime | None = None) -> list[TierRating]:
    """Every published tier of the storefront, lowest first, with its summary (tiers without reviews too)."""
    reader = await reader_of(session_token)
    moment = now or utc_now()
    async with db.transaction() as session:
        tiers = [tier for tier in await repository.published_tiers_of_handle(session, handle) if tier.id is not None]
        summaries = await summaries_of_tiers(session, [tier.id for tier in tiers if tier.id is not None])
        ratings = []
        for tier in tiers:
            assert tier.id is not None
            target = ReviewTarget(tier_id=tier.id)
            can_review = await eligibility.may_review(session, target=target, user=reader, now=moment)
            ratings.append(TierRating(tier.id, tier.name, summaries.get(tier.id, RatingSummary()), can_review))
    return ratings
