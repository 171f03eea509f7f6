"""Pure subscription rules: period arithmetic, proration, monthly normalisation, retries and status changes.

No I/O: integers (minor units, days, months) and timezone-aware datetimes in, integers and datetimes out.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from creatorly.models.enums import BillingInterval, SubscriptionStatus

# Months per interval; weekly periods are counted in days instead.
INTERVAL_MONTHS: dict[BillingInterval, int] = {
    BillingInterval.MONTHLY: 1,
    BillingInterval.QUARTERLY: 3,
    BillingInterval.YEARLY: 12,
}
WEEK_DAYS = 7
# A failed renewal is retried this many days after the failure, one entry per retry.
RETRY_DAYS: tuple[int, ...] = (1, 3, 5)
# Access is kept this long after the first failure (past the last retry, so a late success still counts).
GRACE_DAYS = 7

# What may follow what; the same status again is always allowed (a replayed event).
_TRANSITIONS: dict[SubscriptionStatus, frozenset[SubscriptionStatus]] = {
    SubscriptionStatus.INCOMPLETE: frozenset(
        {SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELED}
    ),
    SubscriptionStatus.TRIALING: frozenset(
        {SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELED}
    ),
    SubscriptionStatus.ACTIVE: frozenset(
        {SubscriptionStatus.PAST_DUE, SubscriptionStatus.PAUSED, SubscriptionStatus.CANCELED}
    ),
    SubscriptionStatus.PAST_DUE: frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELED}),
    SubscriptionStatus.PAUSED: frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.CANCELED}),
    SubscriptionStatus.CANCELED: frozenset(),
}


def can_transition(from_status: str, to_status: str) -> bool:
    """Whether a subscription may move from one status to another (a repeat of the same status is fine)."""
    source, target = SubscriptionStatus(from_status), SubscriptionStatus(to_status)
    return source == target or target in _TRANSITIONS[source]


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; a day the target month lacks becomes its last day (31 Jan → 28 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def period_end(start: datetime, interval: str) -> datetime:
    """When a period that starts at `start` ends: 7 days for weekly, else whole calendar months."""
    billing = BillingInterval(interval)
    if billing == BillingInterval.WEEKLY:
        return start + timedelta(days=WEEK_DAYS)
    return add_months(start, INTERVAL_MONTHS[billing])


def period_after(previous_end: datetime, interval: str, *, anchor_day: int) -> tuple[datetime, datetime]:
    """The next period, starting where the last ended; monthly periods keep the anchor day (31st → 30th → 31st)."""
    billing = BillingInterval(interval)
    if billing == BillingInterval.WEEKLY:
        return previous_end, previous_end + timedelta(days=WEEK_DAYS)
    end = add_months(previous_end, INTERVAL_MONTHS[billing])
    day = min(anchor_day, calendar.monthrange(end.year, end.month)[1])
    return previous_end, end.replace(day=day)


def prorated_charge(
    *, old_amount: int, new_amount: int, period_start: datetime, period_end: datetime, now: datetime
) -> int:
    """What an upgrade costs now: the price difference for the unused part of the period, in whole seconds.

    (new - old) × remaining / length, rounded half up in integer arithmetic; never below zero (a downgrade
    waits for the renewal instead of refunding).
    """
    length = int((period_end - period_start).total_seconds())
    remaining = max(0, min(length, int((period_end - now).total_seconds())))
    difference = new_amount - old_amount
    if difference <= 0 or length <= 0:
        return 0
    return (2 * difference * remaining + length) // (2 * length)


def monthly_amount(amount: int, interval: str) -> int:
    """A price as a monthly amount in minor units, rounded half up: weekly ×52/12, quarterly /3, yearly /12."""
    numerator, denominator = {
        BillingInterval.WEEKLY: (52, 12),
        BillingInterval.MONTHLY: (1, 1),
        BillingInterval.QUARTERLY: (1, 3),
        BillingInterval.YEARLY: (1, 12),
    }[BillingInterval(interval)]
    return (2 * amount * numerator + denominator) // (2 * denominator)


def next_retry_at(failed_at: datetime, attempts: int) -> datetime | None:
    """When to try again after the `attempts`-th failed charge of a period (1-based); None after the last retry.

    Attempt 1 is the renewal itself; retries follow RETRY_DAYS after that first failure.
    """
    if not 1 <= attempts <= len(RETRY_DAYS):
        return None
    previous = RETRY_DAYS[attempts - 2] if attempts >= 2 else 0
    return failed_at + timedelta(days=RETRY_DAYS[attempts - 1] - previous)


def grace_until(first_failed_at: datetime) -> datetime:
    return first_failed_at + timedelta(days=GRACE_DAYS)


def is_upgrade(*, old_position: int, old_monthly: int, new_position: int, new_monthly: int) -> bool:
    """A higher tier, or the same tier at a higher monthly price, is an upgrade (charged now); else a downgrade."""
    return (new_position, new_monthly) > (old_position, old_monthly)
