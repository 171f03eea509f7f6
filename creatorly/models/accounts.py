"""People: one account per person, their sessions, one-time tokens, second factors and linked identities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import Role


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(320), nullable=False, unique=True))
    display_name: str = Field(default="", max_length=100)
    password_hash: str | None = Field(default=None, max_length=255)
    role: Role = Field(default=Role.FAN, sa_type=String(20))
    is_active: bool = Field(default=True)
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    terms_version: str | None = Field(default=None, max_length=20)
    terms_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    totp_secret_encrypted: str | None = Field(default=None, sa_type=Text)
    totp_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


def _user_fk(*, index: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=index)


class UserSession(SQLModel, table=True):
    """A signed-in browser: only the SHA-256 of its random token is stored."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_active", "user_id", "revoked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk(index=False))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_agent: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccountToken(SQLModel, table=True):
    """A single-use, expiring token sent by email (verification, reset) or held during a 2FA challenge."""

    __tablename__ = "account_tokens"
    __table_args__ = (Index("ix_account_tokens_user_purpose", "user_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk(index=False))
    purpose: str = Field(max_length=30)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BackupCode(SQLModel, table=True):
    """A one-time two-factor backup code, stored hashed."""

    __tablename__ = "backup_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ExternalIdentity(SQLModel, table=True):
    """An account at an identity provider (Google) linked to a user by verified email."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("provider", "subject", name="uq_external_identities_provider_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_user_fk())
    provider: str = Field(max_length=30)
    subject: str = Field(max_length=255)
    email: str = Field(max_length=320)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
