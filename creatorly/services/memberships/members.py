"""The creator's members dashboard: MRR and member counts, figures by tier, a filtered page of members, CSV export.

Monthly recurring revenue (MRR) counts active and past-due memberships that will renew (not ones cancelling at the
period's end, not trials, not paused ones): each price normalised to a month with `rules.monthly_amount` (weekly
×52/12, quarterly /3, yearly /12, rounded half up to the minor unit per member), summed per currency.
A member's lifetime value is what their paid membership orders brought, less refunds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import as_utc
from creatorly.kit.csvfile import csv_text, decimal_text, iso_utc
from creatorly.kit.money import format_money
from creatorly.models import Creator
from creatorly.models.enums import SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.services.accounts.authorization import require_user
from creatorly.services.accounts.rules import normalize_email
from creatorly.services.creators import service as creators
from creatorly.services.memberships import members_repository, repository, rules

MAX_PAGE_SIZE = 200
MAX_SEARCH_LENGTH = 320
# Counted in MRR: paying now (a past-due member is still within the grace period).
RECURRING = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
# Statuses a member can have (a join still paying its first charge is not listed).
LISTED = (
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.PAUSED,
    SubscriptionStatus.CANCELED,
)
_CHARGING = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
STATUS_LABELS: dict[str, str] = {
    SubscriptionStatus.TRIALING: "Trialing",
    SubscriptionStatus.ACTIVE: "Active",
    SubscriptionStatus.PAST_DUE: "Past due",
    SubscriptionStatus.PAUSED: "Paused",
    SubscriptionStatus.CANCELED: "Canceled",
}
CSV_HEADER = (
    "membership",
    "email",
    "tier",
    "status",
    "interval",
    "price",
    "currency",
    "member_since",
    "next_charge",
    "cancels_at_period_end",
    "lifetime_value",
)


class TierNotFound(NotFound):
    code = "tier_not_found"
    default_message = "We couldn't find that tier."


@dataclass(frozen=True, slots=True)
class MoneyFigure:
    currency: str
    amount: int  # minor units
    label: str


@dataclass(frozen=True, slots=True)
class TierBreakdown:
    """One of the creator's tiers: active members and MRR per currency (empty when nobody pays for it)."""

    tier_public_id: str
    tier_name: str
    active_members: int
    monthly: list[MoneyFigure]


@dataclass(frozen=True, slots=True)
class MembersSummary:
    monthly: list[MoneyFigure]  # MRR per currency; the store's currency at zero when nobody pays
    active: int
    trialing: int
    past_due: int
    paused: int
    canceled: int
    tiers: list[TierBreakdown]


@dataclass(frozen=True, slots=True)
class MemberRow:
    subscription_public_id: str
    member_email: str
    tier_name: str
    status: str
    status_label: str
    interval: str
    amount: int  # the price per interval, minor units
    price_label: str
    since: datetime
    next_charge_at: datetime | None  # None: nothing more will be charged
    ends_at: datetime | None  # set when the membership cancels at the end of its period
    lifetime_value: int
    currency: str
    lifetime_value_label: str


@dataclass(frozen=True, slots=True)
class MembersPage:
    items: list[MemberRow]
    total: int
    page: int
    page_count: int


async def members_summary(*, session_token: str) -> MembersSummary:
    """The signed-in creator's MRR per currency, members by status, and active members and MRR by tier."""
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        tiers = await repository.tiers_of(session, creator.id)
        counts = await members_repository.status_counts(session, creator.id)
        groups = await members_repository.recurring_groups(session, creator.id, statuses=RECURRING)
        active = await members_repository.counts_by_tier(session, creator.id, statuses=(SubscriptionStatus.ACTIVE,))
    by_tier: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for tier_id, currency, interval, amount, count in groups:
        by_tier[tier_id][currency] += rules.monthly_amount(amount, interval) * count
    return MembersSummary(
        monthly=_totals(by_tier, creator),
        active=counts.get(SubscriptionStatus.ACTIVE, 0),
        trialing=counts.get(SubscriptionStatus.TRIALING, 0),
        past_due=counts.get(SubscriptionStatus.PAST_DUE, 0),
        paused=counts.get(SubscriptionStatus.PAUSED, 0),
        canceled=counts.get(SubscriptionStatus.CANCELED, 0),
        tiers=[
            TierBreakdown(
                tier_public_id=tier.public_id,
                tier_name=tier.name,
                active_members=active.get(tier.id or 0, 0),
                monthly=_figures(by_tier.get(tier.id or 0, {})),
            )
            for tier in tiers
        ],
    )


async def list_members(
    *,
    session_token: str,
    tier_public_id: str = "",
    status: str = "",
    text: str = "",
    page: int = 1,
    page_size: int = 50,
) -> MembersPage:
    """One page of the signed-in creator's members, newest first, by tier, status and email."""
    user = await require_user(session_token)
    wanted = _checked_status(status)
    search = _checked_search(text)
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"Pages start at 1 and hold 1 to {MAX_PAGE_SIZE} members.", field="page")
    async with db.transaction() as session:
        creator_id, tier_id = await _creator_and_tier(session, user.id, tier_public_id)
        total = await members_repository.count_members(session, creator_id, tier_id=tier_id, status=wanted, text=search)
        rows = await members_repository.page_of_members(
            session,
            creator_id,
            tier_id=tier_id,
            status=wanted,
            text=search,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
    return MembersPage(
        items=[_row(subscription, tier_name, value) for subscription, tier_name, value in rows],
        total=total,
        page=page,
        page_count=max(1, math.ceil(total / page_size)),
    )


async def export_members_csv(*, session_token: str, tier_public_id: str = "", status: str = "", text: str = "") -> str:
    """The signed-in creator's members (filtered like the list) as CSV, newest first, safe for spreadsheets."""
    user = await require_user(session_token)
    wanted = _checked_status(status)
    search = _checked_search(text)
    async with db.transaction() as session:
        creator_id, tier_id = await _creator_and_tier(session, user.id, tier_public_id)
        rows = await members_repository.page_of_members(
            session, creator_id, tier_id=tier_id, status=wanted, text=search
        )
    return csv_text(CSV_HEADER, (_csv_row(_row(subscription, name, value)) for subscription, name, value in rows))


# --- Helpers -----------------------------------------------------------------------------------------


async def _creator_and_tier(session: AsyncSession, user_id: int, tier_public_id: str) -> tuple[int, int | None]:
    """The user's creator id, and the id of the tier to filter by: one of theirs, else TierNotFound."""
    creator = await creators.creator_of(session, user_id)
    assert creator.id is not None
    if not tier_public_id.strip():
        return creator.id, None
    tier = await members_repository.tier_of_creator(session, creator.id, tier_public_id.strip())
    if tier is None or tier.id is None:
        raise TierNotFound()
    return creator.id, tier.id


def _checked_status(status: str) -> SubscriptionStatus | None:
    if not status.strip():
        return None
    if status.strip() not in LISTED:
        raise InvalidInput("Choose one of the membership statuses.", field="status")
    return SubscriptionStatus(status.strip())


def _checked_search(text: str) -> str:
    return normalize_email(text)[:MAX_SEARCH_LENGTH]


def _figures(amounts: dict[str, int]) -> list[MoneyFigure]:
    return [
        MoneyFigure(currency=currency, amount=amount, label=format_money(amount, currency))
        for currency, amount in sorted(amounts.items())
    ]


def _totals(by_tier: dict[int, dict[str, int]], creator: Creator) -> list[MoneyFigure]:
    totals: dict[str, int] = defaultdict(int)
    for amounts in by_tier.values():
        for currency, amount in amounts.items():
            totals[currency] += amount
    return _figures(totals) or _figures({creator.default_currency.upper(): 0})


def _row(subscription: Subscription, tier_name: str, lifetime_value: int) -> MemberRow:
    is_charging = subscription.status in _CHARGING and not subscription.cancel_at_period_end
    next_at = (
        subscription.next_retry_at
        if subscription.status == SubscriptionStatus.PAST_DUE
        else subscription.current_period_end
    )
    is_ending = subscription.cancel_at_period_end and subscription.status in (*_CHARGING, SubscriptionStatus.PAUSED)
    return MemberRow(
        subscription_public_id=subscription.public_id,
        member_email=subscription.member_email,
        tier_name=tier_name,
        status=str(subscription.status),
        status_label=STATUS_LABELS.get(subscription.status, str(subscription.status)),
        interval=str(subscription.interval),
        amount=subscription.amount,
        price_label=format_money(subscription.amount, subscription.currency),
        since=as_utc(subscription.created_at),
        next_charge_at=as_utc(next_at) if is_charging and next_at is not None else None,
        ends_at=_ends_at(subscription) if is_ending else None,
        lifetime_value=lifetime_value,
        currency=subscription.currency,
        lifetime_value_label=format_money(lifetime_value, subscription.currency),
    )


def _ends_at(subscription: Subscription) -> datetime | None:
    end = subscription.trial_end if subscription.status == SubscriptionStatus.TRIALING else None
    end = end or subscription.current_period_end
    return as_utc(end) if end is not None else None


def _csv_row(row: MemberRow) -> Sequence[str]:
    return [
        row.subscription_public_id,
        row.member_email,
        row.tier_name,
        row.status,
        row.interval,
        decimal_text(row.amount, row.currency),
        row.currency,
        iso_utc(row.since),
        iso_utc(row.next_charge_at),
        "yes" if row.ends_at is not None else "no",
        decimal_text(row.lifetime_value, row.currency),
    ]
