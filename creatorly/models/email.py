"""The email outbox: every message is written here in the sender's transaction, then delivered by a job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import EmailStatus


class OutboxEmail(SQLModel, table=True):
    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_status_next_attempt", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=320, index=True)
    subject: str = Field(max_length=200)
    text_body: str = Field(sa_type=Text)
    html_body: str = Field(default="", sa_type=Text)
    status: EmailStatus = Field(default=EmailStatus.PENDING, sa_type=String(20))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class OutboxAttachment(SQLModel, table=True):
    """A file sent with an outbox message (a calendar invite, say); erased together with its message."""

    __tablename__ = "outbox_attachments"

    id: int | None = Field(default=None, primary_key=True)
    email_id: int = Field(
        sa_column=Column(Integer, ForeignKey("outbox_emails.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    filename: str = Field(max_length=200)  # sanitised: no path separators, no control characters
    content_type: str = Field(max_length=100)  # the bare media type; transports add parameters they need
    content: bytes = Field(sa_type=LargeBinary)  # at most 1 MB (checked when queued)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
