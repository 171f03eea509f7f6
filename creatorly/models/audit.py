"""The audit log: one append-only row per money, permission or moderation change, kept when its actor is gone.

Nothing in the app updates or deletes a row (a trigger refuses it on PostgreSQL and SQLite); the actor and the
creator concerned are plain ids, not foreign keys, so deleting an account leaves its history in place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_created", "created_at", "id"),
        Index("ix_audit_log_creator_created", "creator_id", "created_at"),
        Index("ix_audit_log_actor_created", "actor_user_id", "created_at"),
        Index("ix_audit_log_action_created", "action", "created_at"),
        Index("ix_audit_log_target", "target_type", "target_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    actor_user_id: int | None = Field(default=None)
    actor_email: str = Field(default="", max_length=320)
    actor_role: str = Field(max_length=20)  # admin, creator, fan, or system for the CLI and scheduled work
    action: str = Field(max_length=60)  # e.g. refund.requested, payout_account.added, creator.terms_changed
    target_type: str = Field(max_length=40)
    target_id: str = Field(default="", max_length=120)
    creator_id: int | None = Field(default=None)  # whose account the change concerns: they see it too
    before: str = Field(default="{}", sa_type=Text)  # JSON object of the changed fields' old values
    after: str = Field(default="{}", sa_type=Text)  # JSON object of their new values
    reason: str = Field(default="", max_length=500)
    request_id: str = Field(default="", max_length=64)
