"""A creator's audience: fans who left their email on a storefront (double opt-in)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import SubscriberStatus


class Subscriber(SQLModel, table=True):
    __tablename__ = "subscribers"
    __table_args__ = (
        UniqueConstraint("creator_id", "email", name="uq_subscribers_creator_email"),
        Index("ix_subscribers_creator_created_at", "creator_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    email: str = Field(max_length=320)
    status: SubscriberStatus = Field(default=SubscriberStatus.PENDING, sa_type=String(20))
    source: str = Field(default="storefront", max_length=30)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    unsubscribed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
