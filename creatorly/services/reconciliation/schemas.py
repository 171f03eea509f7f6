"""What reconciliation reads (plain snapshots of our rows) and what it answers (mismatches and a summary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

AREA_LEDGER = "ledger"
AREA_ORDERS = "orders"
AREA_PAYOUTS = "payouts"
AREA_PAYMENT_PROVIDER = "payment provider"
AREA_PAYOUT_PROVIDER = "payout provider"
AREA_WEBHOOKS = "webhooks"
AREA_MEMBERSHIP_WORK = "membership work"
# The reference of a row about a whole provider rather than one order or payout.
ALL_REFERENCES = "all"


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One disagreement: `ours` is what the order or payout (or the ledger total) says, `theirs` the other side."""

    area: str
    reference: str
    provider: str
    problem: str
    ours: str = ""
    theirs: str = ""


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    days: int
    since: datetime
    checked_orders: int
    checked_payouts: int
    checked_payments: int  # orders whose payment was compared with the provider's record
    mismatches: list[Mismatch] = field(default_factory=list)
    # What could not be compared and is not a mismatch (a provider that cannot list its payments yet).
    notes: list[str] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True, slots=True)
class OrderFacts:
    id: int
    public_id: str
    status: str
    amount: int
    currency: str
    refunded_amount: int
    provider: str
    provider_reference: str | None


@dataclass(frozen=True, slots=True)
class SalePosting:
    """The gross leg of one sale transaction."""

    order_id: int
    currency: str
    clearing_account: str
    gross: int


@dataclass(frozen=True, slots=True)
class PayoutFacts:
    public_id: str
    status: str
    amount: int
    currency: str
    provider: str
    provider_reference: str | None


@dataclass(frozen=True, slots=True)
class PayoutPosting:
    """One payout, payout_paid or payout_failed transaction: the amount it moved."""

    kind: str
    public_id: str
    currency: str
    amount: int


@dataclass(frozen=True, slots=True)
class LedgerSnapshot:
    """Everything read from the database in one transaction, before any provider is called."""

    trial_balance: dict[str, int]
    orders: list[OrderFacts]
    sales: list[SalePosting]
    refunds_by_order: dict[int, int]
    payouts: list[PayoutFacts]
    payout_postings: list[PayoutPosting]
    unknown_order_ids: list[int]
    unknown_payout_ids: list[str]
