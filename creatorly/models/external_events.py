"""Inbound provider events (webhooks), stored once per (provider, event id) before they are handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime


class ExternalEvent(SQLModel, table=True):
    __tablename__ = "external_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_id", name="uq_external_events_provider_event_id"),
        Index("ix_external_events_unhandled", "handled_at", "received_at"),
        Index("ix_external_events_event_id", "event_id"),  # the admin search by id
        Index("ix_external_events_type_received", "event_type", "received_at"),  # by type, and disputes
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    event_id: str = Field(max_length=255)
    event_type: str = Field(max_length=100)
    payload: str = Field(sa_type=Text)
    received_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_type=Text)
