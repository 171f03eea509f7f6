"""A person's reviews in their data export, and erased with their account (helpers: session first, no commit)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.services.reviews import repository


async def export_reviews_of(session: AsyncSession, *, user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "product_id": review.product_id,
            "tier_id": review.tier_id,
            "rating": review.rating,
            "text": review.body,
            "created_at": review.created_at.isoformat(),
            "updated_at": review.updated_at.isoformat(),
        }
        for review in await repository.reviews_by(session, user_id)
    ]


async def erase_reviews_of(session: AsyncSession, *, user_id: int) -> None:
    """Delete the person's reviews and helpful votes (public pages are re-rendered: they write `reviews`)."""
    await repository.delete_reviews_by(session, user_id)
