"""What the admin console's overview, lists and details answer (plain data; money in minor units per currency)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Granularity(StrEnum):
    DAY = "day"  # the last 30 days, by day
    WEEK = "week"  # the last 12 weeks (Monday to Sunday), by week
    MONTH = "month"  # the last 12 months, by calendar month


@dataclass(slots=True)
class BucketFigures:
    """One bucket's figures (or the whole range's, for the headline cards)."""

    start: date
    gmv: dict[str, int] = field(default_factory=dict)  # gross of paid orders
    platform_fees: dict[str, int] = field(default_factory=dict)  # the platform's revenue legs, net of returns
    creator_share: dict[str, int] = field(default_factory=dict)  # what creators earned, net of refunds and fees
    paid_orders: int = 0
    refunded_orders: int = 0  # of the paid orders, those refunded in part or in full (so far)
    disputes: int = 0  # disputes opened, as the providers reported them
    paying_fans: int = 0  # distinct buyer emails
    active_creators: int = 0  # creators with a paid order


@dataclass(frozen=True, slots=True)
class PayoutsInFlight:
    status: str  # pending (requested) or in_transit (processing)
    currency: str
    count: int
    amount: int


@dataclass(frozen=True, slots=True)
class PlatformOverview:
    granularity: Granularity
    since: date
    until: date  # inclusive
    totals: BucketFigures
    buckets: list[BucketFigures]
    currencies: list[str]  # by GMV in the range, largest first
    in_flight: list[PayoutsInFlight]


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    email: str
    display_name: str
    role: str
    created_at: datetime
    has_two_factor: bool
    creator_id: int | None
    creator_handle: str


@dataclass(frozen=True, slots=True)
class UserDetail:
    user: UserRow
    is_active: bool
    is_deleted: bool
    is_email_verified: bool
    active_sessions: int
    orders: int  # orders bought with this account
    payouts_under_review: bool
    review_note: str


@dataclass(frozen=True, slots=True)
class PayoutRow:
    id: int
    public_id: str
    creator_id: int
    creator_handle: str
    amount: int
    currency: str
    status: str
    provider: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PayoutStep:
    at: datetime
    from_status: str
    to_status: str
    cause: str


@dataclass(frozen=True, slots=True)
class LedgerLine:
    kind: str
    account: str
    amount: int
    currency: str
    memo: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PayoutDetail:
    payout: PayoutRow
    trigger: str
    provider_reference: str
    failure_reason: str
    account_label: str  # e.g. "bank ···· 6789": never a full account number
    updated_at: datetime
    in_transit_at: datetime | None
    paid_at: datetime | None
    failed_at: datetime | None
    payouts_under_review: bool
    review_note: str
    steps: list[PayoutStep]
    ledger: list[LedgerLine]


class EventStatus(StrEnum):
    HANDLED = "handled"
    PENDING = "pending"  # stored, not handled yet, no failure recorded
    FAILED = "failed"  # its handler failed; the provider or the sweeper will try again
    STUCK = "stuck"  # failed on every attempt the sweeper allows: an operator must retry it


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    provider: str
    event_id: str
    event_type: str
    status: EventStatus
    received_at: datetime
    handled_at: datetime | None
    attempts: int


@dataclass(frozen=True, slots=True)
class EventDetail:
    event: EventRow
    payload: str  # pretty-printed JSON (or the stored text when it is not JSON)
    last_error: str
    claimed_until: datetime | None

    @property
    def can_retry(self) -> bool:
        return self.event.status in (EventStatus.FAILED, EventStatus.STUCK)


@dataclass(frozen=True, slots=True)
class RetryOutcome:
    event_id: int
    outcome: str  # handled, ignored (no handler for its type) or skipped (another worker holds it)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: int | None  # the id to pass as `before_id` for the next page; None at the end
