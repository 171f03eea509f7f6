"""Takedown handlers for the moderation queue: hide a reported review, or put it back.

Both take the caller's session first and never commit; the moderation use case records the audit entry from the
before/after they answer. A hidden review leaves lists and rating summaries at once (public pages are re-rendered:
writes to `reviews` move creatorly/services/catalog/page_versions.py on).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.kit.clock import utc_now
from creatorly.models.reviews import Review
from creatorly.services.reviews import repository
from creatorly.services.reviews.errors import ReviewNotFound

MAX_HIDDEN_REASON = 200


def _state(review: Review) -> dict[str, Any]:
    return {
        "hidden_at": None if review.hidden_at is None else review.hidden_at.isoformat(),
        "hidden_reason": review.hidden_reason,
    }


async def _locked(session: AsyncSession, review_id: int) -> Review:
    review = await repository.get_review(session, review_id, for_update=True)
    if review is None:
        raise ReviewNotFound()
    return review


async def hide_review(
    session: AsyncSession, *, review_id: int, reason: str = "", now: datetime | None = None
) -> dict[str, dict[str, Any]]:
    """Hide the review (again hiding keeps the first time); answers {"before": {...}, "after": {...}}."""
    review = await _locked(session, review_id)
    before = _state(review)
    if review.hidden_at is None:
        review.hidden_at = now or utc_now()
    review.hidden_reason = reason.strip()[:MAX_HIDDEN_REASON]
    await repository.add(session, review)
    return {"before": before, "after": _state(review)}


async def restore_review(session: AsyncSession, *, review_id: int) -> dict[str, dict[str, Any]]:
    """Show a hidden review again; answers {"before": {...}, "after": {...}}."""
    review = await _locked(session, review_id)
    before = _state(review)
    review.hidden_at, review.hidden_reason = None, ""
    await repository.add(session, review)
    return {"before": before, "after": _state(review)}


async def review_facts(session: AsyncSession, *, review_id: int) -> dict[str, Any]:
    """What a moderator sees of a reported review (its text, rating, target and creator)."""
    review = await repository.get_review(session, review_id)
    if review is None:
        raise ReviewNotFound()
    return {
        "id": review.id,
        "creator_id": review.creator_id,
        "product_id": review.product_id,
        "tier_id": review.tier_id,
        "reviewer_user_id": review.reviewer_user_id,
        "rating": review.rating,
        "body": review.body,
        "reply_body": review.reply_body,
        **_state(review),
    }
