"""The creator's side of reviews: every review of their products and tiers, hidden ones marked."""

from __future__ import annotations

from creatorly import db
from creatorly.services.accounts import authorization
from creatorly.services.creators import service as creators
from creatorly.services.reviews import repository, rules
from creatorly.services.reviews.schemas import CreatorReviewsPage, CreatorReviewView
from creatorly.services.reviews.service import ANONYMOUS_NAME


async def list_my_reviews(*, session_token: str, page: int = 1) -> CreatorReviewsPage:
    """Newest first, a page at a time; NotACreator for someone without a storefront."""
    user = await authorization.require_user(session_token)
    page = max(page, 1)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        rows = await repository.reviews_of_creator(
            session, creator.id, offset=rules.page_offset(page), limit=rules.PAGE_SIZE + 1
        )
    views = [
        CreatorReviewView(
            id=review.id or 0,
            target_label=product_title if product_title is not None else f"Membership: {tier_name or ''}",
            reviewer_name=name or ANONYMOUS_NAME,
            rating=review.rating,
            body=review.body,
            created_at=review.created_at,
            is_hidden=review.hidden_at is not None,
            reply_body=review.reply_body,
            replied_at=review.replied_at,
        )
        for review, name, product_title, tier_name in rows[: rules.PAGE_SIZE]
    ]
    return CreatorReviewsPage(reviews=views, page=page, has_more=len(rows) > rules.PAGE_SIZE)
