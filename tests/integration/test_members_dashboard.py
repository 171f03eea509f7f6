"""The creator's members dashboard: MRR by hand-computed figures, counts, lifetime value with refunds, filters,
CSV export, and nothing of another creator's members."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.models import Order
from creatorly.models.enums import OrderKind, OrderStatus, SubscriptionStatus
from creatorly.models.memberships import Subscription, Tier, TierPrice
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.errors import NotAuthenticated
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.creators.service import NotACreator
from creatorly.services.memberships import members
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.factories import make_creator

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
ACTIVE, TRIALING, PAST_DUE, PAUSED, CANCELED, INCOMPLETE = (
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.PAUSED,
    SubscriptionStatus.CANCELED,
    SubscriptionStatus.INCOMPLETE,
)


@dataclass(frozen=True)
class Seller:
    creator_id: int
    token: str
    tiers: dict[str, Tier]


# --- Given helpers ---------------------------------------------------------------------------------


async def _seller(tier_names: tuple[str, ...] = ("Supporter", "Inner circle", "Patron")) -> Seller:
    made = await make_creator()
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn) and made.creator.id is not None
    tiers = {}
    async with db.transaction() as session:
        for position, name in enumerate(tier_names):
            tier = Tier(
                public_id=f"tier_{secrets.token_hex(6)}",
                creator_id=made.creator.id,
                name=name,
                position=position,
                is_published=True,
            )
            session.add(tier)
            await session.flush()
            tiers[name] = tier
    return Seller(creator_id=made.creator.id, token=signed_in.session_token, tiers=tiers)


async def _member(
    seller: Seller,
    tier: str,
    email: str,
    *,
    interval: str = "monthly",
    amount: int = 500,
    currency: str = "USD",
    status: SubscriptionStatus = ACTIVE,
    days_ago: int = 0,
    **changes: Any,
) -> Subscription:
    """A subscription row on its tier's price for the interval (made when missing), created `days_ago` days ago."""
    tier_id = seller.tiers[tier].id
    assert tier_id is not None
    async with db.transaction() as session:
        statement = select(TierPrice).where(col(TierPrice.tier_id) == tier_id, col(TierPrice.interval) == interval)
        price = (await session.exec(statement)).first()
        if price is None:
            price = TierPrice(tier_id=tier_id, interval=interval, amount=amount, currency=currency)
            session.add(price)
            await session.flush()
        assert price.id is not None
        subscription = Subscription(
            public_id=f"sub_{secrets.token_hex(8)}",
            creator_id=seller.creator_id,
            tier_id=tier_id,
            tier_price_id=price.id,
            member_email=email,
            status=status,
            interval=interval,
            amount=amount,
            currency=currency,
            provider="sandbox",
            current_period_start=START,
            current_period_end=START + timedelta(days=30),
            created_at=START - timedelta(days=days_ago),
            **changes,
        )
        session.add(subscription)
    return subscription


async def _charge(
    seller: Seller,
    subscription: Subscription,
    amount: int,
    *,
    status: OrderStatus = OrderStatus.PAID,
    refunded: int = 0,
) -> None:
    async with db.transaction() as session:
        session.add(
            Order(
                public_id=f"msr_{secrets.token_hex(8)}",
                creator_id=seller.creator_id,
                kind=OrderKind.MEMBERSHIP,
                subscription_id=subscription.id,
                buyer_email=subscription.member_email,
                amount=amount,
                currency=subscription.currency,
                refunded_amount=refunded,
                status=status,
                paid_at=START if status != OrderStatus.FAILED else None,
            )
        )


async def _populated_seller() -> tuple[Seller, dict[str, Subscription]]:
    """Members across tiers, intervals, statuses and currencies; MRR figures worked out by hand below."""
    seller = await _seller()
    subscriptions = {
        # Supporter, USD: weekly $5.00 → 500 × 52 / 12 = 2166.67 → 2167; monthly $5.00 → 500.
        "weekly": await _member(seller, "Supporter", "weekly@example.com", interval="weekly", days_ago=1),
        "monthly": await _member(seller, "Supporter", "monthly@example.com", days_ago=2),
        # Inner circle, USD: quarterly $10.00 → 333.33 → 333 (twice: the past-due one counts too);
        # yearly $60.06 → 500.5 → 501 (half up); a yearly member cancelling at the period's end counts nowhere.
        "quarterly": await _member(
            seller, "Inner circle", "quarterly@example.com", interval="quarterly", amount=1000, days_ago=3
        ),
        "past_due": await _member(
            seller,
            "Inner circle",
            "late@example.com",
            interval="quarterly",
            amount=1000,
            status=PAST_DUE,
            days_ago=4,
            next_retry_at=START + timedelta(days=2),
        ),
        "yearly": await _member(
            seller, "Inner circle", "yearly@example.com", interval="yearly", amount=6006, days_ago=5
        ),
        "cancelling": await _member(
            seller,
            "Inner circle",
            "leaving@example.com",
            interval="weekly",
            amount=5000,
            days_ago=6,
            cancel_at_period_end=True,
        ),
        # Inner circle, EUR: monthly €9.00 → 900.
        "euro": await _member(seller, "Inner circle", "euro@example.com", amount=900, currency="EUR", days_ago=7),
        # Not paying now: none of these is in MRR.
        "trial": await _member(seller, "Supporter", "trial@example.com", status=TRIALING, days_ago=8),
        "paused": await _member(seller, "Supporter", "paused@example.com", status=PAUSED, days_ago=9),
        "canceled": await _member(seller, "Supporter", "gone@example.com", status=CANCELED, days_ago=10),
        "incomplete": await _member(seller, "Supporter", "paying@example.com", status=INCOMPLETE, days_ago=11),
    }
    return seller, subscriptions


def _figures(summary: members.MembersSummary) -> dict[str, tuple[int, list[tuple[str, int, str]]]]:
    return {
        tier.tier_name: (tier.active_members, [(m.currency, m.amount, m.label) for m in tier.monthly])
        for tier in summary.tiers
    }


@contextmanager
def _counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_arguments: Any) -> None:
        statements.append(statement)

    engine = db.get_engine().sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# --- MRR and counts --------------------------------------------------------------------------------


async def test_mrr_normalises_every_interval_to_a_month_and_sums_per_currency() -> None:
    seller, _ = await _populated_seller()

    summary = await members.members_summary(session_token=seller.token)

    assert [(m.currency, m.amount, m.label) for m in summary.monthly] == [
        ("EUR", 900, "€9.00"),
        ("USD", 2167 + 500 + 333 + 333 + 501, "$38.34"),
    ]
    assert (summary.active, summary.trialing, summary.past_due, summary.paused, summary.canceled) == (6, 1, 1, 1, 1)
    assert _figures(summary) == {
        "Supporter": (2, [("USD", 2667, "$26.67")]),
        "Inner circle": (4, [("EUR", 900, "€9.00"), ("USD", 1167, "$11.67")]),
        "Patron": (0, []),
    }


async def test_a_creator_without_members_sees_zero_mrr_in_the_store_currency() -> None:
    seller = await _seller(("Supporter",))

    summary = await members.members_summary(session_token=seller.token)

    assert [(m.currency, m.amount, m.label) for m in summary.monthly] == [("USD", 0, "$0.00")]
    assert (summary.active, summary.trialing, summary.past_due) == (0, 0, 0)
    assert _figures(summary) == {"Supporter": (0, [])}
    page = await members.list_members(session_token=seller.token)
    assert (page.items, page.total, page.page_count) == ([], 0, 1)


# --- The members list ------------------------------------------------------------------------------


async def test_the_list_shows_members_newest_first_with_next_charge_and_lifetime_value_less_refunds() -> None:
    seller, subscriptions = await _populated_seller()
    monthly = subscriptions["monthly"]
    await _charge(seller, monthly, 500)
    await _charge(seller, monthly, 500)
    await _charge(seller, monthly, 500, status=OrderStatus.PARTIALLY_REFUNDED, refunded=200)
    await _charge(seller, monthly, 500, status=OrderStatus.FAILED)  # never paid: not counted
    await _charge(seller, subscriptions["quarterly"], 1000, status=OrderStatus.REFUNDED, refunded=1000)

    page = await members.list_members(session_token=seller.token)

    assert [row.member_email for row in page.items] == [
        "weekly@example.com",
        "monthly@example.com",
        "quarterly@example.com",
        "late@example.com",
        "yearly@example.com",
        "leaving@example.com",
        "euro@example.com",
        "trial@example.com",
        "paused@example.com",
        "gone@example.com",
    ]  # a join still paying its first charge is not a member yet
    assert page.total == 10
    rows = {row.member_email: row for row in page.items}
    assert (rows["monthly@example.com"].lifetime_value, rows["monthly@example.com"].lifetime_value_label) == (
        1300,
        "$13.00",
    )
    assert rows["quarterly@example.com"].lifetime_value == 0
    assert rows["weekly@example.com"].lifetime_value == 0
    assert (rows["monthly@example.com"].tier_name, rows["monthly@example.com"].status_label) == ("Supporter", "Active")
    assert rows["monthly@example.com"].next_charge_at == START + timedelta(days=30)
    assert rows["late@example.com"].next_charge_at == START + timedelta(days=2)  # the retry
    assert (rows["leaving@example.com"].next_charge_at, rows["leaving@example.com"].ends_at) == (
        None,
        START + timedelta(days=30),
    )
    assert rows["paused@example.com"].next_charge_at is None
    assert rows["gone@example.com"].next_charge_at is None
    assert rows["euro@example.com"].price_label == "€9.00"


async def test_filters_by_tier_status_and_email_combine() -> None:
    seller, _ = await _populated_seller()
    supporter = seller.tiers["Supporter"].public_id

    async def emails(**filters: Any) -> list[str]:
        page = await members.list_members(session_token=seller.token, **filters)
        return [row.member_email for row in page.items]

    assert await emails(tier_public_id=supporter) == [
        "weekly@example.com",
        "monthly@example.com",
        "trial@example.com",
        "paused@example.com",
        "gone@example.com",
    ]
    assert await emails(status="past_due") == ["late@example.com"]
    assert await emails(tier_public_id=supporter, status="active") == ["weekly@example.com", "monthly@example.com"]
    assert await emails(text="  MONTHLY@ex ") == ["monthly@example.com"]
    assert await emails(text="%") == []  # a wildcard is searched for as text
    assert await emails(tier_public_id=seller.tiers["Patron"].public_id) == []


async def test_pages_hold_the_page_size() -> None:
    seller, _ = await _populated_seller()

    second = await members.list_members(session_token=seller.token, page=2, page_size=4)

    assert [row.member_email for row in second.items] == [
        "yearly@example.com",
        "leaving@example.com",
        "euro@example.com",
        "trial@example.com",
    ]
    assert (second.total, second.page, second.page_count) == (10, 2, 3)


async def test_invalid_filters_are_refused() -> None:
    seller, _ = await _populated_seller()

    with pytest.raises(InvalidInput) as refused:
        await members.list_members(session_token=seller.token, status="incomplete")
    assert refused.value.field == "status"
    with pytest.raises(InvalidInput):
        await members.list_members(session_token=seller.token, page=0)
    with pytest.raises(InvalidInput):
        await members.list_members(session_token=seller.token, page_size=201)


async def test_the_list_reads_in_the_same_few_queries_however_many_members() -> None:
    seller = await _seller(("Supporter",))
    for number in range(2):
        member = await _member(seller, "Supporter", f"fan{number}@example.com", interval="weekly")
        await _charge(seller, member, 500)
    with _counting_statements() as few:
        await members.list_members(session_token=seller.token)

    for number in range(2, 12):
        member = await _member(seller, "Supporter", f"fan{number}@example.com")
        await _charge(seller, member, 500)
    with _counting_statements() as many:
        page = await members.list_members(session_token=seller.token)

    assert page.total == 12
    assert len(many) == len(few)


# --- CSV export ------------------------------------------------------------------------------------


async def test_the_csv_export_follows_the_filters() -> None:
    seller, subscriptions = await _populated_seller()
    await _charge(seller, subscriptions["monthly"], 500, status=OrderStatus.PARTIALLY_REFUNDED, refunded=125)

    text = await members.export_members_csv(
        session_token=seller.token, tier_public_id=seller.tiers["Supporter"].public_id, status="active"
    )

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(members.CSV_HEADER)
    assert rows[1:] == [
        [
            subscriptions["weekly"].public_id,
            "weekly@example.com",
            "Supporter",
            "active",
            "weekly",
            "5.00",
            "USD",
            "2026-01-04T12:00:00Z",
            "2026-02-04T12:00:00Z",
            "no",
            "0.00",
        ],
        [
            subscriptions["monthly"].public_id,
            "monthly@example.com",
            "Supporter",
            "active",
            "monthly",
            "5.00",
            "USD",
            "2026-01-03T12:00:00Z",
            "2026-02-04T12:00:00Z",
            "no",
            "3.75",
        ],
    ]
    assert text.endswith("\r\n")


async def test_a_tier_name_that_looks_like_a_formula_is_quoted_in_the_csv() -> None:
    seller = await _seller(("=HYPERLINK(1)",))
    await _member(seller, "=HYPERLINK(1)", "fan@example.com")

    text = await members.export_members_csv(session_token=seller.token)

    [_, row] = list(csv.reader(io.StringIO(text)))
    assert row[2] == "'=HYPERLINK(1)"


# --- Only the creator's own members ----------------------------------------------------------------


async def test_another_creators_members_are_never_shown_or_counted() -> None:
    seller, subscriptions = await _populated_seller()
    other = await _seller(("Fan club",))
    theirs = await _member(other, "Fan club", "monthly@example.com", amount=700)
    await _charge(other, theirs, 700)
    await _charge(other, theirs, 700)

    other_summary = await members.members_summary(session_token=other.token)
    other_page = await members.list_members(session_token=other.token)
    mine = await members.list_members(session_token=seller.token, text="monthly@")

    assert [(m.currency, m.amount) for m in other_summary.monthly] == [("USD", 700)]
    assert (other_summary.active, other_summary.trialing, other_summary.past_due) == (1, 0, 0)
    assert [(row.subscription_public_id, row.lifetime_value) for row in other_page.items] == [(theirs.public_id, 1400)]
    assert [(row.subscription_public_id, row.lifetime_value) for row in mine.items] == [
        (subscriptions["monthly"].public_id, 0)
    ]


async def test_filtering_by_another_creators_tier_answers_not_found() -> None:
    seller, _ = await _populated_seller()
    other = await _seller(("Fan club",))
    await _member(other, "Fan club", "fan@example.com")

    with pytest.raises(members.TierNotFound):
        await members.list_members(session_token=other.token, tier_public_id=seller.tiers["Supporter"].public_id)
    with pytest.raises(members.TierNotFound):
        await members.export_members_csv(session_token=other.token, tier_public_id=seller.tiers["Supporter"].public_id)


async def test_a_fan_without_a_storefront_and_a_stranger_see_nothing() -> None:
    await _populated_seller()
    fan = await signed_up_and_verified("fan@example.com")

    with pytest.raises(NotACreator):
        await members.members_summary(session_token=fan.session_token)
    with pytest.raises(NotACreator):
        await members.list_members(session_token=fan.session_token)
    with pytest.raises(NotAuthenticated):
        await members.export_members_csv(session_token="not-a-session")
