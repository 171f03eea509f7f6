"""Payout inputs and views: plain data the dashboard shows and the forms send (amounts in minor units)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ReleaseItem:
    """Held earnings that become available at `release_on` (UTC)."""

    release_on: datetime
    amount: int


@dataclass(frozen=True, slots=True)
class CurrencyBalance:
    """A creator's money in one currency, computed from the ledger.

    available + pending + in_payout + paid_out == lifetime_earnings. `available` is negative when refunds
    after a payout took back more than was left; future earnings recover it before the next payout.
    """

    currency: str
    pending: int
    available: int
    in_payout: int
    paid_out: int
    lifetime_earnings: int
    next_release: ReleaseItem | None
    releases: list[ReleaseItem]
    minimum_payout: int
    is_negative: bool


@dataclass(frozen=True, slots=True)
class Readiness:
    """Whether a withdrawal of `amount` can go now; if not, why (`reason_code`, `reason`) and what to do next."""

    can_withdraw: bool
    amount: int
    reason_code: str | None
    reason: str
    next_step: str


@dataclass(frozen=True, slots=True)
class PayoutAccountForm:
    """What the creator typed; only the fields of `kind` (bank, upi, stripe or paypal) are read."""

    kind: str
    currency: str
    country: str = ""
    holder_name: str = ""
    routing_code: str = ""  # IFSC (India) or ABA routing number (US)
    account_number: str = ""
    upi_id: str = ""
    stripe_account_id: str = ""
    paypal_email: str = ""
    make_default: bool = False


@dataclass(frozen=True, slots=True)
class PayoutAccountView:
    """A payout account as the creator sees it: never the full account number."""

    public_id: str
    kind: str
    currency: str
    country: str
    label: str  # "Bank ···· 6789", "UPI name@bank", "Stripe acct_…", "PayPal name@example.com"
    holder_name: str
    is_default: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PayoutEventView:
    """One step of a payout's timeline."""

    from_status: str
    to_status: str
    cause: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PayoutView:
    """One payout with its timeline (oldest step first)."""

    public_id: str
    amount: int
    currency: str
    amount_label: str
    status: str
    trigger: str
    account_label: str
    failure_reason: str
    created_at: datetime
    paid_at: datetime | None
    events: list[PayoutEventView] = field(default_factory=list)
