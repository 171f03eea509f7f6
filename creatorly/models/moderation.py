"""Reports from anyone about public content, and the moderation case (decision, appeal) each target gets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, text
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime

_ACTIVE_CASE = text("status IN ('open', 'appealed')")


class ModerationCase(SQLModel, table=True):
    """The reports about one target, the decision on them and the creator's one appeal.

    A target has at most one case that is open or appealed; reports after a final decision open a new case, so
    every earlier decision stays as it was. Ids of people are plain columns: the history outlives accounts.
    """

    __tablename__ = "moderation_cases"
    __table_args__ = (
        Index("ix_moderation_cases_target", "target_type", "target_id"),
        # One open or appealed case per target, even when its first two reports arrive at the same moment.
        Index(
            "uq_moderation_cases_active",
            "target_type",
            "target_id",
            unique=True,
            sqlite_where=_ACTIVE_CASE,
            postgresql_where=_ACTIVE_CASE,
        ),
        Index("ix_moderation_cases_status_updated", "status", "updated_at"),
        Index("ix_moderation_cases_creator", "creator_id", "decided_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    target_type: str = Field(max_length=20)  # storefront, product, post, comment, review
    target_id: int
    creator_id: int | None = Field(default=None)  # whose content it is
    status: str = Field(default="open", max_length=20)  # open, resolved, appealed, appeal_resolved
    report_count: int = Field(default=0)
    decision: str = Field(default="", max_length=20)  # "", dismissed, content_removed
    reason: str = Field(default="", max_length=500)
    decided_by_email: str = Field(default="", max_length=320)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    appeal_text: str = Field(default="", sa_type=Text)
    appealed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    appeal_decision: str = Field(default="", max_length=20)  # "", upheld, reversed
    appeal_reason: str = Field(default="", max_length=500)
    appeal_decided_by_email: str = Field(default="", max_length=320)
    appeal_decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)  # the newest report or decision


class Report(SQLModel, table=True):
    """One person's report: what about, which category, their words, and how to tell them the outcome."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_case_created", "case_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("moderation_cases.id", ondelete="CASCADE"), nullable=False)
    )
    target_type: str = Field(max_length=20)
    target_id: int
    creator_id: int | None = Field(default=None)
    category: str = Field(max_length=20)  # copyright, fraud, adult, harassment, other
    text: str = Field(default="", sa_type=Text)  # plain text, length-limited
    reporter_user_id: int | None = Field(default=None)
    reporter_email: str = Field(default="", max_length=320)
    ip_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
