"""Reviews: a buyer's (or member's) 1–5 rating of one product or membership tier, with helpful votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime


class Review(SQLModel, table=True):
    """One person's review of one product or one tier (exactly one of the two); hidden ones stay for moderation."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("(product_id IS NULL) <> (tier_id IS NULL)", name="one_target"),
        UniqueConstraint("reviewer_user_id", "product_id", name="uq_reviews_reviewer_product"),
        UniqueConstraint("reviewer_user_id", "tier_id", name="uq_reviews_reviewer_tier"),
        Index("ix_reviews_product_created", "product_id", "created_at"),
        Index("ix_reviews_product_helpful", "product_id", "helpful_count"),
        Index("ix_reviews_tier_created", "tier_id", "created_at"),
        Index("ix_reviews_tier_helpful", "tier_id", "helpful_count"),
        Index("ix_reviews_creator_created", "creator_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    product_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=True)
    )
    tier_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("tiers.id", ondelete="CASCADE"), nullable=True)
    )
    reviewer_user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    rating: int
    body: str = Field(default="", sa_type=Text)  # plain text (tags and control characters removed), never HTML
    helpful_count: int = Field(default=0)  # kept equal to its review_votes rows, in the same transaction
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # set by moderation: out of lists and sums
    hidden_reason: str = Field(default="", max_length=200)
    reply_body: str = Field(default="", sa_type=Text)  # the creator's one reply, plain text
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReviewVote(SQLModel, table=True):
    """A person found a review helpful: once per person and review, never on their own."""

    __tablename__ = "review_votes"
    __table_args__ = (UniqueConstraint("review_id", "user_id", name="uq_review_votes_review_user"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=Column(Integer, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False))
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
