"""The built-in sandbox payment gateway's own records: payments it took and webhooks it owes us."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, String, Text
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime


class SandboxPayment(SQLModel, table=True):
    __tablename__ = "sandbox_payments"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    merchant_reference: str = Field(max_length=64, index=True)
    idempotency_key: str | None = Field(default=None, sa_column=Column(String(80), nullable=True, unique=True))
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    fee: int = Field(default=0, sa_type=BigInteger)
    description: str = Field(default="", max_length=200)
    return_url: str = Field(max_length=500)
    status: str = Field(default="requires_payment", max_length=30)
    failure_code: str | None = Field(default=None, max_length=40)
    card_last4: str | None = Field(default=None, max_length=4)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class SandboxWebhook(SQLModel, table=True):
    """A signed event the gateway delivers to our webhook route, retried until it is accepted."""

    __tablename__ = "sandbox_webhooks"
    __table_args__ = (Index("ix_sandbox_webhooks_pending", "delivered_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    event_type: str = Field(max_length=60)
    payload: str = Field(sa_type=Text)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
