"""Payouts: where a creator is paid (payout accounts), each transfer of earnings out (payouts), and the schedule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import PayoutAccountKind, PayoutSchedule, PayoutStatus

# The statuses of a payout that still holds the creator's money; at most one per creator and currency.
OPEN_PAYOUT_STATUSES = ("pending", "in_transit")
_OPEN_PAYOUT = text("status IN ('pending', 'in_transit')")
_ACTIVE_DEFAULT = text("is_default AND removed_at IS NULL")


class PayoutAccount(SQLModel, table=True):
    """A bank account, a UPI id, a connected Stripe account or a PayPal email that payouts in one currency go to.

    The bank account number is stored only encrypted (Fernet, key from settings) and shown as its last 4.
    """

    __tablename__ = "payout_accounts"
    __table_args__ = (
        Index("ix_payout_accounts_creator_currency", "creator_id", "currency"),
        # One default per creator and currency among the accounts not removed.
        Index(
            "uq_payout_accounts_one_default",
            "creator_id",
            "currency",
            unique=True,
            sqlite_where=_ACTIVE_DEFAULT,
            postgresql_where=_ACTIVE_DEFAULT,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    kind: PayoutAccountKind = Field(sa_type=String(20))
    currency: str = Field(max_length=3)
    country: str = Field(default="", max_length=2)  # ISO 3166-1 alpha-2
    holder_name: str = Field(default="", max_length=120)
    routing_code: str = Field(default="", max_length=20)  # IFSC (India) or ABA routing number (US)
    account_number_encrypted: str = Field(default="", sa_type=Text)
    account_last4: str = Field(default="", max_length=4)
    upi_id: str = Field(default="", max_length=100)
    stripe_account_id: str = Field(default="", max_length=64)
    paypal_email: str = Field(default="", max_length=254)  # a PayPal account: PayPal Payouts send to this address
    is_default: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Payout(SQLModel, table=True):
    """One transfer of available earnings to a payout account: pending → in transit → paid, or failed."""

    __tablename__ = "payouts"
    __table_args__ = (
        Index("ix_payouts_creator_currency_created", "creator_id", "currency", "created_at"),
        Index("ix_payouts_status_created", "status", "created_at"),
        Index("ix_payouts_provider_reference", "provider", "provider_reference"),
        # The "one open payout" rule: a second open payout for the same creator and currency is refused.
        Index(
            "uq_payouts_one_open",
            "creator_id",
            "currency",
            unique=True,
            sqlite_where=_OPEN_PAYOUT,
            postgresql_where=_OPEN_PAYOUT,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="RESTRICT"), nullable=False))
    payout_account_id: int = Field(
        sa_column=Column(Integer, ForeignKey("payout_accounts.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    status: PayoutStatus = Field(default=PayoutStatus.PENDING, sa_type=String(20))
    trigger: str = Field(default="manual", max_length=20)  # manual or the schedule that made it
    provider: str = Field(max_length=20)
    provider_reference: str | None = Field(default=None, max_length=255)
    failure_reason: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    in_transit_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PayoutEvent(SQLModel, table=True):
    """One transition of a payout, with when and why (the timeline the creator sees)."""

    __tablename__ = "payout_events"

    id: int | None = Field(default=None, primary_key=True)
    payout_id: int = Field(
        sa_column=Column(Integer, ForeignKey("payouts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    cause: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class PayoutSettings(SQLModel, table=True):
    """A creator's payout schedule and the state an admin can put their payouts in."""

    __tablename__ = "payout_settings"

    creator_id: int = Field(
        sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    schedule: PayoutSchedule = Field(default=PayoutSchedule.MANUAL, sa_type=String(20))
    under_review: bool = Field(default=False)
    review_note: str = Field(default="", max_length=300)
    last_scheduled_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class SandboxPayoutTransfer(SQLModel, table=True):
    """The sandbox payout gateway's own record of a transfer it was asked to make; it settles after a delay."""

    __tablename__ = "sandbox_payout_transfers"
    __table_args__ = (Index("ix_sandbox_payout_transfers_due", "status", "settles_at"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(sa_column=Column(String(40), nullable=False, unique=True))
    idempotency_key: str = Field(sa_column=Column(String(80), nullable=False, unique=True))
    merchant_reference: str = Field(max_length=64, index=True)
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    destination_last4: str = Field(default="", max_length=4)
    status: str = Field(default="in_transit", max_length=20)  # in_transit, paid or failed
    failure_code: str | None = Field(default=None, max_length=40)
    settles_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
