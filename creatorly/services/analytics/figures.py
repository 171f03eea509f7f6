"""The dashboard's figures for a date range, read from the daily rollups only (never the raw events).

Three grouped queries whatever the range: the day-by-day totals, the range's totals per dimension, and the
previous period's totals, so a year costs about what a week does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from creatorly.models.analytics import AnalyticsDaily
from creatorly.services.analytics.rules import EventKind

# A session's gross counts when it is paid (a purchase, net 0: the money waits in escrow); its settlement adds
# the creator's share to net, with no gross and no sale of its own.
REVENUE_KINDS = frozenset(
    {EventKind.PURCHASE, EventKind.TIP, EventKind.MEMBERSHIP_PAYMENT, EventKind.REFUND, EventKind.SESSION_SETTLED}
)
ORDER_KINDS = frozenset({EventKind.PURCHASE})
PAYMENT_KINDS = frozenset({EventKind.PURCHASE, EventKind.TIP, EventKind.MEMBERSHIP_PAYMENT})
VISITORS = "visitors"  # the funnel's first stage: the visitors conversion divides by, so its last step is that rate
TOP = 10


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        return Period(start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))


@dataclass(slots=True)
class Totals:
    """One period's headline numbers; money per currency (minor units)."""

    gross: dict[str, int] = field(default_factory=dict)
    net: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # events per kind
    visitors: int = 0  # visitors of any page, summed per day (a visitor id lasts one day)


@dataclass(frozen=True, slots=True)
class DayPoint:
    day: date
    gross: dict[str, int]
    net: dict[str, int]
    orders: int
    visitors: int


@dataclass(frozen=True, slots=True)
class Ranked:
    key: str  # a product id, a referrer domain or a campaign 'source/medium/name'
    views: int
    visitors: int
    sales: int
    gross: dict[str, int]
    checkouts: int = 0
    downloads: int = 0


@dataclass(frozen=True, slots=True)
class Figures:
    period: Period
    totals: Totals
    previous: Totals
    series: list[DayPoint]
    funnel: list[tuple[str, int]]
    products: list[Ranked]  # every product with activity in the period
    referrers: list[Ranked]
    campaigns: list[Ranked]


def paid_orders(totals: Totals) -> int:
    """Paid product orders (tips and membership charges are payments, not orders)."""
    return totals.counts.get(EventKind.PURCHASE, 0)


def payments(totals: Totals) -> int:
    """Every paid thing: product orders, tips and membership charges."""
    return sum(totals.counts.get(kind, 0) for kind in PAYMENT_KINDS)


def conversion(totals: Totals) -> tuple[int, int]:
    """The one definition of conversion: paid product orders over visitors in the period, as (numerator,
    denominator); the summary card and the funnel's last step both show it."""
    return paid_orders(totals), totals.visitors


def funnel(totals: Totals) -> list[tuple[str, int]]:
    """Visitors → opened a product → started a checkout → paid orders."""
    orders, visitors = conversion(totals)
    return [
        (VISITORS, visitors),
        (EventKind.PRODUCT_VIEW.value, totals.counts.get(EventKind.PRODUCT_VIEW, 0)),
        (EventKind.CHECKOUT_STARTED.value, totals.counts.get(EventKind.CHECKOUT_STARTED, 0)),
        (EventKind.PURCHASE.value, orders),
    ]


def _add(target: dict[str, int], currency: str, amount: int) -> None:
    if currency:
        target[currency] = target.get(currency, 0) + amount


async def _totals(session: AsyncSession, creator_id: int, period: Period) -> Totals:
    # sqlmodel types select() up to four columns; add_columns keeps its Select class, so the casts are exact.
    statement = cast(
        "Select[str, str, int, int, int, int]",
        select(AnalyticsDaily.kind, AnalyticsDaily.currency)
        .add_columns(
            func.sum(AnalyticsDaily.events),
            func.sum(AnalyticsDaily.visitors),
            func.sum(AnalyticsDaily.amount),
            func.sum(AnalyticsDaily.net_amount),
        )
        .where(
            col(AnalyticsDaily.creator_id) == creator_id,
            col(AnalyticsDaily.day) >= period.start,
            col(AnalyticsDaily.day) <= period.end,
            col(AnalyticsDaily.dimension_type) == "",
        )
        .group_by(col(AnalyticsDaily.kind), col(AnalyticsDaily.currency)),
    )
    totals = Totals()
    for kind, currency, events, visitors, amount, net in (await session.exec(statement)).all():
        totals.counts[kind] = totals.counts.get(kind, 0) + int(events or 0)
        if kind in REVENUE_KINDS:
            _add(totals.gross, currency, int(amount or 0))
            _add(totals.net, currency, int(net or 0))
        if kind == EventKind.VISIT:
            totals.visitors += int(visitors or 0)
    return totals


async def _series(session: AsyncSession, creator_id: int, period: Period) -> list[DayPoint]:
    statement = cast(
        "Select[date, str, str, int, int, int, int]",
        select(col(AnalyticsDaily.day), AnalyticsDaily.kind, AnalyticsDaily.currency)
        .add_columns(
            col(AnalyticsDaily.events),
            col(AnalyticsDaily.visitors),
            col(AnalyticsDaily.amount),
            col(AnalyticsDaily.net_amount),
        )
        .where(
            col(AnalyticsDaily.creator_id) == creator_id,
            col(AnalyticsDaily.day) >= period.start,
            col(AnalyticsDaily.day) <= period.end,
            col(AnalyticsDaily.dimension_type) == "",
            col(AnalyticsDaily.kind).in_(list(REVENUE_KINDS | {EventKind.VISIT})),
        ),
    )
    gross: dict[date, dict[str, int]] = defaultdict(dict)
    net: dict[date, dict[str, int]] = defaultdict(dict)
    orders: dict[date, int] = defaultdict(int)
    visitors: dict[date, int] = defaultdict(int)
    for day, kind, currency, events, day_visitors, amount, net_amount in (await session.exec(statement)).all():
        if kind == EventKind.VISIT:
            visitors[day] += day_visitors
            continue
        _add(gross[day], currency, amount)
        _add(net[day], currency, net_amount)
        if kind in ORDER_KINDS:
            orders[day] += events
    return [
        DayPoint(day=day, gross=gross.get(day, {}), net=net.get(day, {}), orders=orders[day], visitors=visitors[day])
        for day in (period.start + timedelta(days=offset) for offset in range(period.days))
    ]


async def _ranked(
    session: AsyncSession, creator_id: int, period: Period, prefix: str, *, limit: int | None = TOP
) -> list[Ranked]:
    statement = cast(
        "Select[str, str, str, int, int, int]",
        select(AnalyticsDaily.dimension, AnalyticsDaily.kind, AnalyticsDaily.currency)
        .add_columns(
            func.sum(AnalyticsDaily.events), func.sum(AnalyticsDaily.visitors), func.sum(AnalyticsDaily.amount)
        )
        .where(
            col(AnalyticsDaily.creator_id) == creator_id,
            col(AnalyticsDaily.day) >= period.start,
            col(AnalyticsDaily.day) <= period.end,
            col(AnalyticsDaily.dimension_type) == prefix.rstrip(":"),
        )
        .group_by(col(AnalyticsDaily.dimension), col(AnalyticsDaily.kind), col(AnalyticsDaily.currency)),
    )
    views: dict[str, int] = defaultdict(int)
    visitors: dict[str, int] = defaultdict(int)
    sales: dict[str, int] = defaultdict(int)
    checkouts: dict[str, int] = defaultdict(int)
    downloads: dict[str, int] = defaultdict(int)
    gross: dict[str, dict[str, int]] = defaultdict(dict)
    for dimension, kind, currency, events, kind_visitors, amount in (await session.exec(statement)).all():
        key = dimension.removeprefix(prefix)
        if kind in (EventKind.STOREFRONT_VIEW, EventKind.PRODUCT_VIEW):
            views[key] += int(events or 0)
            visitors[key] += int(kind_visitors or 0)
        elif kind in REVENUE_KINDS:
            _add(gross[key], currency, int(amount or 0))
            if kind in PAYMENT_KINDS:
                sales[key] += int(events or 0)
        elif kind == EventKind.CHECKOUT_STARTED:
            checkouts[key] += int(events or 0)
        elif kind == EventKind.DOWNLOAD:
            downloads[key] += int(events or 0)
    keys = set(views) | set(sales) | set(gross) | set(checkouts) | set(downloads)
    ranked = [
        Ranked(
            key=key,
            views=views[key],
            visitors=visitors[key],
            sales=sales[key],
            gross=gross.get(key, {}),
            checkouts=checkouts[key],
            downloads=downloads[key],
        )
        for key in keys
    ]
    ranked.sort(key=lambda row: (-sum(row.gross.values()), -row.sales, -row.views, row.key))
    return ranked if limit is None else ranked[:limit]


async def figures(session: AsyncSession, *, creator_id: int, period: Period) -> Figures:
    """Everything the dashboard home shows for one creator and period (days in the creator's timezone)."""
    totals = await _totals(session, creator_id, period)
    return Figures(
        period=period,
        totals=totals,
        previous=await _totals(session, creator_id, period.previous()),
        series=await _series(session, creator_id, period),
        funnel=funnel(totals),
        products=await _ranked(session, creator_id, period, "product:", limit=None),
        referrers=await _ranked(session, creator_id, period, "referrer:"),
        campaigns=await _ranked(session, creator_id, period, "campaign:"),
    )
