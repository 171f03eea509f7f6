"""Tier and post rules: prices and benefits checks, tier reordering, who may read a post at a given time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from creatorly.errors import InvalidInput
from creatorly.models.enums import BillingInterval, PostAudience, SubscriptionStatus
from creatorly.services.memberships import tier_rules as rules
from creatorly.services.memberships.tier_rules import PostFacts, SubscriptionFacts

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_prices_are_minor_units_per_interval_with_a_minimum_per_currency() -> None:
    prices = rules.check_prices({"monthly": "5", "yearly": "50.50", "weekly": ""}, "USD")
    assert prices == {BillingInterval.MONTHLY: 500, BillingInterval.YEARLY: 5050}
    assert rules.check_prices({"monthly": "500"}, "JPY") == {BillingInterval.MONTHLY: 500}
    with pytest.raises(InvalidInput, match=r"at least \$1.00") as error:
        rules.check_prices({"monthly": "0.99"}, "USD")
    assert error.value.field == "price_monthly"
    with pytest.raises(InvalidInput, match="at least ¥100"):
        rules.check_prices({"quarterly": "99"}, "JPY")
    with pytest.raises(InvalidInput, match="decimal places") as error:
        rules.check_prices({"weekly": "1.005"}, "USD")
    assert error.value.field == "price_weekly"
    with pytest.raises(InvalidInput, match="at least one billing period"):
        rules.check_prices({}, "USD")


def test_benefits_are_plain_text_lines_at_most_ten() -> None:
    benefits = rules.check_benefits("  Early access \n\n<b>Bold</b> perk<script>alert(1)</script>\nEarly access\n")
    assert benefits == ["Early access", "Bold perk"]
    with pytest.raises(InvalidInput, match="at most 10") as error:
        rules.check_benefits("\n".join(f"Perk {number}" for number in range(11)))
    assert error.value.field == "benefits"
    with pytest.raises(InvalidInput, match="under 120"):
        rules.check_benefits("x" * 121)
    assert rules.benefits_from_json(rules.benefits_json(benefits)) == benefits
    assert rules.benefits_from_json("not json") == []


def test_comments_keep_words_and_lose_markup() -> None:
    assert rules.check_comment("Great <img src=x onerror=alert(1)>post!\r\n\r\n\r\nThanks") == "Great post!\n\nThanks"
    assert rules.check_comment("1 < 2 & 3 > 2") == "1 < 2 & 3 > 2"
    with pytest.raises(InvalidInput, match="Write something"):
        rules.check_comment("<script>only()</script>")
    with pytest.raises(InvalidInput, match="under 2,000"):
        rules.check_comment("y" * 2001)


@pytest.mark.parametrize(
    ("tier_id", "direction", "expected"),
    [
        (2, -1, [(2, 0), (1, 1), (3, 2)]),
        (2, 1, [(1, 0), (3, 1), (2, 2)]),
        (1, -1, [(1, 0), (2, 1), (3, 2)]),
        (3, 1, [(1, 0), (2, 1), (3, 2)]),
    ],
)
def test_moving_a_tier_swaps_it_with_its_neighbour_and_renumbers(
    tier_id: int, direction: int, expected: list[tuple[int, int]]
) -> None:
    assert rules.swapped_positions([(3, 9), (1, 0), (2, 4)], tier_id, direction) == expected


@pytest.mark.parametrize(
    ("status", "period_end", "grace_until", "cancel_at_period_end", "expected"),
    [
        (SubscriptionStatus.TRIALING, NOW + HOUR, None, False, True),
        (SubscriptionStatus.ACTIVE, NOW - HOUR, None, False, True),  # renewal not processed yet: still a member
        (SubscriptionStatus.ACTIVE, NOW + HOUR, None, True, True),
        (SubscriptionStatus.ACTIVE, NOW - HOUR, None, True, False),
        (SubscriptionStatus.PAST_DUE, NOW - HOUR, NOW + HOUR, False, True),
        (SubscriptionStatus.PAST_DUE, NOW - HOUR, NOW - HOUR, False, False),
        (SubscriptionStatus.PAST_DUE, NOW - HOUR, None, False, False),
        (SubscriptionStatus.PAUSED, NOW + HOUR, None, False, False),
        (SubscriptionStatus.INCOMPLETE, NOW + HOUR, None, False, False),
        (SubscriptionStatus.CANCELED, NOW + HOUR, None, True, True),
        (SubscriptionStatus.CANCELED, NOW - HOUR, None, True, False),
        (SubscriptionStatus.CANCELED, NOW + HOUR, None, False, False),
    ],
)
def test_which_subscriptions_grant_access(
    status: str, period_end: datetime, grace_until: datetime | None, cancel_at_period_end: bool, expected: bool
) -> None:
    facts = SubscriptionFacts(status, period_end, grace_until, cancel_at_period_end)
    assert rules.grants_access(facts, NOW) is expected


def _post(audience: str, *, published: datetime | None = NOW - HOUR, public_at: datetime | None = None) -> PostFacts:
    return PostFacts(audience=audience, published_at=published, public_at=public_at, min_tier_position=2)


@pytest.mark.parametrize(
    ("post", "member_position", "expected"),
    [
        (_post(PostAudience.PUBLIC), None, True),
        (_post(PostAudience.PUBLIC, published=NOW + HOUR), None, False),  # scheduled: not yet
        (_post(PostAudience.PUBLIC, published=None), 5, False),  # draft
        (_post(PostAudience.MEMBERS), None, False),
        (_post(PostAudience.MEMBERS), 0, True),
        (_post(PostAudience.TIER), 1, False),
        (_post(PostAudience.TIER), 2, True),
        (_post(PostAudience.TIER), 3, True),
        (_post(PostAudience.TIER, public_at=NOW), None, True),  # early access over
        (_post(PostAudience.TIER, public_at=NOW + HOUR), None, False),
        (PostFacts(PostAudience.TIER, NOW - HOUR, None, None), 0, True),  # tier deleted: all members
    ],
)
def test_who_may_read_a_post(post: PostFacts, member_position: int | None, expected: bool) -> None:
    assert rules.can_read(post, member_position=member_position, is_owner=False, now=NOW) is expected


def test_creators_read_their_own_drafts() -> None:
    assert rules.can_read(_post(PostAudience.TIER, published=None), member_position=None, is_owner=True, now=NOW)


def test_schedule_times_are_read_in_the_creators_zone() -> None:
    zone = ZoneInfo("Asia/Kolkata")
    moment = rules.parse_local_time("2026-03-01T17:30", field="publish_at", zone=zone)
    assert moment == NOW
    assert rules.local_time_text(moment, zone) == "2026-03-01T17:30"
    assert rules.parse_local_time("", field="publish_at", zone=zone) is None
    with pytest.raises(InvalidInput) as error:
        rules.parse_local_time("tomorrow", field="public_at", zone=zone)
    assert error.value.field == "public_at"
    with pytest.raises(InvalidInput, match="after it is published"):
        rules.check_schedule(NOW, NOW - HOUR)
