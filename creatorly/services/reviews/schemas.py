"""What the review use cases take and answer: plain dataclasses, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ReviewTarget:
    """A product or a membership tier: exactly one id is set."""

    product_id: int | None = None
    tier_id: int | None = None

    def __post_init__(self) -> None:
        if (self.product_id is None) == (self.tier_id is None):
            raise ValueError("a review target is one product or one tier")

    @property
    def is_tier(self) -> bool:
        return self.tier_id is not None


@dataclass(frozen=True, slots=True)
class RatingSummary:
    count: int = 0
    average_tenths: int = 0  # 45 for 4.5 stars

    @property
    def average_label(self) -> str:
        return f"{self.average_tenths // 10}.{self.average_tenths % 10}"


@dataclass(frozen=True, slots=True)
class ReviewView:
    id: int
    reviewer_name: str
    rating: int
    body: str  # plain text, shown escaped
    created_at: datetime
    is_edited: bool
    helpful_count: int
    reply_body: str
    replied_at: datetime | None
    is_mine: bool = False
    has_voted: bool = False


@dataclass(frozen=True, slots=True)
class MyReview:
    id: int
    rating: int
    body: str


@dataclass(frozen=True, slots=True)
class ReviewsPage:
    """What a product page (or a tier) shows of its reviews, for this reader."""

    target: ReviewTarget
    summary: RatingSummary
    reviews: list[ReviewView] = field(default_factory=list)
    sort: str = "newest"
    page: int = 1
    has_more: bool = False
    can_review: bool = False  # the reader may write (or edit) a review now
    my_review: MyReview | None = None
    can_vote: bool = False  # signed in


@dataclass(frozen=True, slots=True)
class CreatorReviewView:
    id: int
    target_label: str  # the product title or "Tier: Gold"
    reviewer_name: str
    rating: int
    body: str
    created_at: datetime
    is_hidden: bool
    reply_body: str
    replied_at: datetime | None


@dataclass(frozen=True, slots=True)
class CreatorReviewsPage:
    reviews: list[CreatorReviewView]
    page: int
    has_more: bool
