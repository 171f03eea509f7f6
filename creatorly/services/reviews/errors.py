"""Why a review, vote or reply was refused: stable codes, messages safe to show."""

from __future__ import annotations

from creatorly.errors import Forbidden, InvalidInput, NotFound


class ReviewNotAllowed(Forbidden):
    code = "review_not_allowed"
    default_message = "Only buyers of this product can rate it."


class TierReviewNotAllowed(Forbidden):
    code = "tier_review_not_allowed"
    default_message = "Only active members of this tier can rate it."


class OwnProductReview(Forbidden):
    code = "own_product_review"
    default_message = "You can't rate your own products or tiers."


class ReviewTargetNotFound(NotFound):
    code = "review_target_not_found"
    default_message = "We couldn't find what you're trying to rate."


class ReviewNotFound(NotFound):
    code = "review_not_found"
    default_message = "We couldn't find that review."


class InvalidRating(InvalidInput):
    code = "invalid_rating"
    default_message = "Choose a rating from 1 to 5 stars."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, field="rating")


class ReviewTextTooLong(InvalidInput):
    code = "review_text_too_long"
    default_message = "Keep your review under 2,000 characters."

    def __init__(self, message: str | None = None, *, field: str = "text") -> None:
        super().__init__(message, field=field)


class OwnReviewVote(Forbidden):
    code = "own_review_vote"
    default_message = "You can't mark your own review as helpful."


class AlreadyVoted(Forbidden):
    code = "review_already_voted"
    default_message = "You've already marked this review as helpful."


class ReplyNotAllowed(Forbidden):
    code = "review_reply_not_allowed"
    default_message = "Only the creator of this product can reply to its reviews."


class AlreadyReplied(Forbidden):
    code = "review_already_replied"
    default_message = "You've already replied to this review."


class EmptyReply(InvalidInput):
    code = "review_reply_empty"
    default_message = "Write a reply first."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, field="reply")
