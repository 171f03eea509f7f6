"""reviews: ratings of products and tiers by buyers and members, with helpful votes

Revision ID: 0019_reviews
Revises: 0018_reports
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import creatorly.models.base
from alembic import op

revision: str = "0019_reviews"
down_revision: str | None = "0018_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, creatorly.models.base.UTCDateTime(timezone=True), nullable=nullable)


def _foreign_key(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("tier_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_user_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("helpful_count", sa.Integer(), nullable=False),
        _when("created_at", False),
        _when("updated_at", False),
        _when("hidden_at", True),
        sa.Column("hidden_reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reply_body", sa.Text(), nullable=False),
        _when("replied_at", True),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating_range")),
        sa.CheckConstraint("(product_id IS NULL) <> (tier_id IS NULL)", name=op.f("ck_reviews_one_target")),
        _foreign_key("reviews", "creator_id", "creators"),
        _foreign_key("reviews", "product_id", "products"),
        _foreign_key("reviews", "tier_id", "tiers"),
        _foreign_key("reviews", "reviewer_user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("reviewer_user_id", "product_id", name="uq_reviews_reviewer_product"),
        sa.UniqueConstraint("reviewer_user_id", "tier_id", name="uq_reviews_reviewer_tier"),
    )
    op.create_index("ix_reviews_product_created", "reviews", ["product_id", "created_at"])
    op.create_index("ix_reviews_product_helpful", "reviews", ["product_id", "helpful_count"])
    op.create_index("ix_reviews_tier_created", "reviews", ["tier_id", "created_at"])
    op.create_index("ix_reviews_tier_helpful", "reviews", ["tier_id", "helpful_count"])
    op.create_index("ix_reviews_creator_created", "reviews", ["creator_id", "created_at"])
    op.create_index(op.f("ix_reviews_reviewer_user_id"), "reviews", ["reviewer_user_id"])
    op.create_table(
        "review_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _when("created_at", False),
        _foreign_key("review_votes", "review_id", "reviews"),
        _foreign_key("review_votes", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_votes")),
        sa.UniqueConstraint("review_id", "user_id", name="uq_review_votes_review_user"),
    )
    op.create_index(op.f("ix_review_votes_user_id"), "review_votes", ["user_id"])


def downgrade() -> None:
    op.drop_table("review_votes")
    op.drop_table("reviews")
