"""The double-entry ledger: append-only transactions whose entries sum to zero per currency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime


class LedgerTransaction(SQLModel, table=True):
    """One business event (a sale, a refund, a payout); (kind, reference) is unique, so it posts once."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        UniqueConstraint("kind", "reference", name="uq_ledger_transactions_kind_reference"),
        Index("ix_ledger_transactions_creator_created", "creator_id", "created_at"),  # statements by month
        Index("ix_ledger_transactions_kind_created", "kind", "created_at"),  # the admin overview's fees
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    reference: str = Field(max_length=120)
    currency: str = Field(max_length=3)
    creator_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("creators.id", ondelete="RESTRICT"), nullable=True, index=True),
    )
    description: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class LedgerEntry(SQLModel, table=True):
    """One leg: a signed amount (debit positive, credit negative) on an account, in minor units."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_account_currency", "account", "currency"),)

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(
        sa_column=Column(Integer, ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    account: str = Field(max_length=80)
    amount: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    memo: str = Field(default="", max_length=80)
    available_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # end of the hold, for earnings
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
