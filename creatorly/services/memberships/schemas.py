"""What the subscription use cases return: plain data for states, the dashboard and API routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MemberSubscription:
    """One membership as its member sees it in the library."""

    public_id: str
    creator_id: int
    tier_public_id: str
    tier_name: str
    status: str
    interval: str
    amount: int
    currency: str
    current_period_end: datetime | None
    next_charge_at: datetime | None  # None: nothing more will be charged (cancelling, paused, cancelled)
    next_charge_amount: int
    cancel_at_period_end: bool
    pending_tier_name: str
    trial_end: datetime | None
    grace_until: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A line of a membership's history: a change (SubscriptionEvent) or a receipt (a paid membership order)."""

    at: datetime
    kind: str
    detail: str
    order_public_id: str = ""
    amount: int = 0
    currency: str = ""


@dataclass(frozen=True, slots=True)
class TierChange:
    """What changing tier did: upgraded now (and charged `charged_amount`), or a downgrade waiting for the renewal."""

    subscription_public_id: str
    is_upgrade: bool
    charged_amount: int
    currency: str
    order_public_id: str  # the proration order; "" when nothing was charged
    effective_at: datetime


@dataclass(frozen=True, slots=True)
class Member:
    """A row of the creator's members list."""

    subscription_public_id: str
    member_email: str
    tier_name: str
    status: str
    since: datetime
    lifetime_value: int
    currency: str


@dataclass(frozen=True, slots=True)
class TierFigure:
    """Per tier: monthly recurring revenue (minor units of `currency`) and active members."""

    tier_public_id: str
    tier_name: str
    currency: str
    monthly_amount: int
    active_members: int
