"""Review use cases: write (or edit) one's review, mark one helpful, the creator's one reply, pages and summaries.

Every refusal is decided here, on the server: a hidden form is a convenience, not the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError
from creatorly.kit.clock import utc_now
from creatorly.models.reviews import Review, ReviewVote
from creatorly.services.accounts import authorization
from creatorly.services.accounts.schemas import CurrentUser
from creatorly.services.creators import service as creators
from creatorly.services.reviews import eligibility, repository, rules
from creatorly.services.reviews.errors import (
    AlreadyReplied,
    AlreadyVoted,
    OwnReviewVote,
    ReplyNotAllowed,
    ReviewNotFound,
    ReviewTargetNotFound,
)
from creatorly.services.reviews.schemas import MyReview, RatingSummary, ReviewsPage, ReviewTarget, ReviewView

ANONYMOUS_NAME = "Verified buyer"


# --- Summaries (other domains' pages reuse these; session first, never commit) ---------------------------


def to_summary(count: int, rating_sum: int) -> RatingSummary:
    return RatingSummary(count=count, average_tenths=rules.average_tenths(rating_sum, count))


async def summary_of(session: AsyncSession, target: ReviewTarget) -> RatingSummary:
    return to_summary(*await repository.rating_totals(session, target))


async def summaries_of_products(session: AsyncSession, product_ids: Sequence[int]) -> dict[int, RatingSummary]:
    totals = await repository.rating_totals_by_product(session, product_ids)
    return {key: to_summary(count, total) for key, (count, total) in totals.items()}


async def summaries_of_tiers(session: AsyncSession, tier_ids: Sequence[int]) -> dict[int, RatingSummary]:
    totals = await repository.rating_totals_by_tier(session, tier_ids)
    return {key: to_summary(count, total) for key, (count, total) in totals.items()}


# --- Reading ------------------------------------------------------------------------------------------------


async def reader_of(session_token: str) -> CurrentUser | None:
    if not session_token:
        return None
    try:
        return await authorization.require_user(session_token)
    except CreatorlyError:
        return None


async def product_target(*, handle: str, slug: str) -> ReviewTarget:
    """The review target of a published product page; ReviewTargetNotFound otherwise."""
    async with db.transaction() as session:
        product = await repository.published_product(session, handle, slug)
    if product is None or product.id is None:
        raise ReviewTargetNotFound()
    return ReviewTarget(product_id=product.id)


async def reviews_page(
    *, target: ReviewTarget, session_token: str = "", sort: str = "newest", page: int = 1, now: datetime | None = None
) -> ReviewsPage:
    """The target's summary and one page of its visible reviews, with what this reader may do."""
    reader = await reader_of(session_token)
    sort, page = rules.checked_sort(sort), max(page, 1)
    async with db.transaction() as session:
        await eligibility.target_creator_id(session, target)
        summary = await summary_of(session, target)
        rows = await repository.visible_reviews(
            session, target, sort=sort, offset=rules.page_offset(page), limit=rules.PAGE_SIZE + 1
        )
        voted, mine, can_review = await _reader_facts(session, target, reader, rows, now or utc_now())
    return ReviewsPage(
        target=target,
        summary=summary,
        reviews=[_view(review, name, reader, voted) for review, name in rows[: rules.PAGE_SIZE]],
        sort=sort,
        page=page,
        has_more=len(rows) > rules.PAGE_SIZE,
        can_review=can_review,
        my_review=mine,
        can_vote=reader is not None,
    )


async def _reader_facts(
    session: AsyncSession,
    target: ReviewTarget,
    reader: CurrentUser | None,
    rows: Sequence[tuple[Review, str]],
    now: datetime,
) -> tuple[set[int], MyReview | None, bool]:
    """(reviews the reader voted for, the reader's own review, whether they may write one now)."""
    if reader is None:
        return set(), None, False
    ids = [review.id or 0 for review, _name in rows]
    voted = await repository.voted_review_ids(session, user_id=reader.id, review_ids=ids)
    mine = await repository.review_by(session, user_id=reader.id, target=target)
    can_review = await eligibility.may_review(session, target=target, user=reader, now=now)
    my_review = None if mine is None else MyReview(id=mine.id or 0, rating=mine.rating, body=mine.body)
    return voted, my_review, can_review


def _view(review: Review, name: str, reader: CurrentUser | None, voted: set[int]) -> ReviewView:
    return ReviewView(
        id=review.id or 0,
        reviewer_name=name or ANONYMOUS_NAME,
        rating=review.rating,
        body=review.body,
        created_at=review.created_at,
        is_edited=review.updated_at > review.created_at,
        helpful_count=review.helpful_count,
        reply_body=review.reply_body,
        replied_at=review.replied_at,
        is_mine=reader is not None and reader.id == review.reviewer_user_id,
        has_voted=(review.id or 0) in voted,
    )


# --- Writing ------------------------------------------------------------------------------------------------


async def write_review(
    *, session_token: str, target: ReviewTarget, rating: object, text: str = "", now: datetime | None = None
) -> int:
    """Create the reader's review of the target, or edit the one they wrote; only buyers (or members) may."""
    user = await authorization.require_user(session_token)
    stars, body = rules.checked_rating(rating), rules.checked_text(text)
    moment = now or utc_now()
    async with db.transaction() as session:
        creator_id = await eligibility.check_may_review(session, target=target, user=user, now=moment)
        review = await repository.review_by(session, user_id=user.id, target=target)
        if review is None:
            review = Review(
                creator_id=creator_id,
                product_id=target.product_id,
                tier_id=target.tier_id,
                reviewer_user_id=user.id,
                rating=stars,
                body=body,
                created_at=moment,
                updated_at=moment,
            )
        else:
            review.rating, review.body, review.updated_at = stars, body, moment
        await repository.add(session, review)
        assert review.id is not None
        return review.id


async def _visible_review(session: AsyncSession, review_id: int, *, for_update: bool = False) -> Review:
    review = await repository.get_review(session, review_id, for_update=for_update)
    if review is None or review.hidden_at is not None:
        raise ReviewNotFound()
    return review


async def mark_helpful(*, session_token: str, review_id: int) -> int:
    """Count the reader's helpful vote once; never on their own review. Answers the new count."""
    user = await authorization.require_user(session_token)
    async with db.transaction() as session:
        review = await _visible_review(session, review_id)
        if review.reviewer_user_id == user.id:
            raise OwnReviewVote()
        if await repository.voted_review_ids(session, user_id=user.id, review_ids=[review_id]):
            raise AlreadyVoted()
        try:
            async with session.begin_nested():
                await repository.add(session, ReviewVote(review_id=review_id, user_id=user.id))
        except IntegrityError:
            raise AlreadyVoted() from None  # a second click raced the first
        await repository.count_helpful(session, review_id)
        await session.refresh(review)
        return review.helpful_count


async def reply_to_review(*, session_token: str, review_id: int, text: str, now: datetime | None = None) -> None:
    """The creator of the reviewed product or tier replies, once."""
    user = await authorization.require_user(session_token)
    body = rules.checked_reply(text)
    async with db.transaction() as session:
        review = await _visible_review(session, review_id)
        creator = await creators.find_creator_of(session, user.id)
        if creator is None or creator.id != review.creator_id:
            raise ReplyNotAllowed()
        if not await repository.set_reply_once(session, review_id=review_id, body=body, now=now or utc_now()):
            raise AlreadyReplied()
