"""Subscription rules: periods per interval, exact proration, monthly normalisation, retries, transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from creatorly.models.enums import SubscriptionStatus
from creatorly.services.memberships import rules


def _at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("interval", "start", "end"),
    [
        ("weekly", _at(2026, 1, 29), _at(2026, 2, 5)),
        ("monthly", _at(2026, 1, 15), _at(2026, 2, 15)),
        ("monthly", _at(2026, 1, 31), _at(2026, 2, 28)),
        ("monthly", _at(2028, 1, 31), _at(2028, 2, 29)),
        ("quarterly", _at(2026, 11, 30), _at(2027, 2, 28)),
        ("yearly", _at(2028, 2, 29), _at(2029, 2, 28)),
        ("monthly", _at(2026, 12, 10), _at(2027, 1, 10)),
    ],
)
def test_a_period_ends_one_interval_later_clamping_to_the_month_end(
    interval: str, start: datetime, end: datetime
) -> None:
    assert rules.period_end(start, interval) == end


def test_monthly_periods_keep_their_anchor_day_after_a_short_month() -> None:
    first = rules.period_end(_at(2026, 1, 31), "monthly")

    start, end = rules.period_after(first, "monthly", anchor_day=31)

    assert (start, end) == (_at(2026, 2, 28), _at(2026, 3, 31))
    assert rules.period_after(end, "monthly", anchor_day=31)[1] == _at(2026, 4, 30)
    assert rules.period_after(_at(2026, 3, 3), "weekly", anchor_day=3) == (_at(2026, 3, 3), _at(2026, 3, 10))


def test_an_upgrade_halfway_through_charges_half_the_difference() -> None:
    start = _at(2026, 4, 1, 0)
    end = _at(2026, 5, 1, 0)  # 30 days

    charge = rules.prorated_charge(
        old_amount=500, new_amount=1500, period_start=start, period_end=end, now=start + timedelta(days=15)
    )

    assert charge == 500


def test_proration_rounds_half_up_in_integer_arithmetic() -> None:
    start = _at(2026, 4, 1, 0)
    end = start + timedelta(seconds=3)
    # difference 1 × 2 s / 3 s = 0.666… → 1; difference 1 × 1 s / 3 s = 0.333… → 0; 3 × 1/2 = 1.5 → 2
    assert (
        rules.prorated_charge(
            old_amount=0, new_amount=1, period_start=start, period_end=end, now=start + timedelta(seconds=1)
        )
        == 1
    )
    assert (
        rules.prorated_charge(
            old_amount=0, new_amount=1, period_start=start, period_end=end, now=start + timedelta(seconds=2)
        )
        == 0
    )
    half = _at(2026, 4, 1, 0) + timedelta(seconds=2)
    assert (
        rules.prorated_charge(
            old_amount=0, new_amount=3, period_start=start, period_end=half, now=start + timedelta(seconds=1)
        )
        == 2
    )


def test_proration_is_zero_for_a_downgrade_or_after_the_period_and_whole_before_it() -> None:
    start, end = _at(2026, 4, 1, 0), _at(2026, 5, 1, 0)

    assert rules.prorated_charge(old_amount=1500, new_amount=500, period_start=start, period_end=end, now=start) == 0
    assert rules.prorated_charge(old_amount=500, new_amount=1500, period_start=start, period_end=end, now=end) == 0
    assert rules.prorated_charge(old_amount=500, new_amount=1500, period_start=start, period_end=end, now=start) == 1000
    assert (
        rules.prorated_charge(
            old_amount=500, new_amount=1500, period_start=start, period_end=end, now=start - timedelta(days=1)
        )
        == 1000
    )


@pytest.mark.parametrize(
    ("amount", "interval", "monthly"),
    [
        (1000, "monthly", 1000),
        (1000, "weekly", 4333),  # 1000 × 52 / 12 = 4333.33…
        (100, "weekly", 433),  # 433.33…
        (3, "weekly", 13),  # 13.0
        (1, "weekly", 4),  # 4.333…
        (999, "quarterly", 333),
        (1000, "quarterly", 333),  # 333.33…
        (1001, "quarterly", 334),  # 333.66…
        (6, "yearly", 1),  # 0.5 → 1 (half up)
        (5, "yearly", 0),  # 0.41…
        (12000, "yearly", 1000),
        (18, "yearly", 2),  # 1.5 → 2
    ],
)
def test_monthly_amount_normalises_every_interval_rounding_half_up(amount: int, interval: str, monthly: int) -> None:
    assert rules.monthly_amount(amount, interval) == monthly


def test_retries_follow_one_three_five_days_after_the_first_failure_then_stop() -> None:
    failed = _at(2026, 6, 1)

    first = rules.next_retry_at(failed, 1)
    assert first == _at(2026, 6, 2)
    assert first is not None
    second = rules.next_retry_at(first, 2)
    assert second == _at(2026, 6, 4)
    assert second is not None
    assert rules.next_retry_at(second, 3) == _at(2026, 6, 6)
    assert rules.next_retry_at(_at(2026, 6, 6), 4) is None
    assert rules.grace_until(failed) == _at(2026, 6, 8)


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [
        ("incomplete", "active", True),
        ("incomplete", "trialing", True),
        ("trialing", "active", True),
        ("active", "past_due", True),
        ("past_due", "active", True),
        ("past_due", "canceled", True),
        ("active", "paused", True),
        ("paused", "active", True),
        ("paused", "past_due", False),
        ("canceled", "active", False),
        ("incomplete", "past_due", False),
        ("canceled", "canceled", True),
    ],
)
def test_status_transitions(from_status: str, to_status: str, allowed: bool) -> None:
    assert rules.can_transition(SubscriptionStatus(from_status), SubscriptionStatus(to_status)) is allowed


def test_a_higher_tier_or_a_dearer_price_is_an_upgrade() -> None:
    assert rules.is_upgrade(old_position=0, old_monthly=500, new_position=1, new_monthly=300)
    assert rules.is_upgrade(old_position=1, old_monthly=500, new_position=1, new_monthly=800)
    assert not rules.is_upgrade(old_position=1, old_monthly=500, new_position=0, new_monthly=900)
