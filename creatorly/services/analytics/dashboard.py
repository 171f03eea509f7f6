"""The creator's dashboard home: headline metrics with their definitions and the change from the previous period,
revenue over time, the funnel, products, referrers and campaigns, and CSV exports of each table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.kit.csvfile import csv_text
from creatorly.kit.money import exponent_of, format_money
from creatorly.services.accounts.authorization import require_user
from creatorly.services.analytics import figures, rules
from creatorly.services.analytics.figures import Figures, Period, Ranked, Totals
from creatorly.services.analytics.rules import EventKind
from creatorly.services.catalog import repository as catalog_repository
from creatorly.services.creators import service as creators
from creatorly.services.memberships import members

RANGES = {"7": 7, "30": 30, "90": 90, "365": 365}
CUSTOM = "custom"
MAX_CUSTOM_DAYS = 3 * 366
TABLES = ("products", "referrers", "campaigns", "revenue")

DEFINITIONS = {
    "gross": "Everything fans paid in the period (product sales, tips and membership charges), minus refunds, "
    "before any fee.",
    "net": "What you keep: gross revenue minus payment-provider and platform fees, with refunds taken back.",
    "orders": "Paid product orders in the period (tips and membership charges are counted separately).",
    "payments": "Everything fans paid for in the period: product orders, tips and membership charges.",
    "tips": "Tips received in the period.",
    "visitors": "People who opened your storefront or a product page, counted once per day. Bots are not "
    "counted, and a visitor cannot be recognised from one day to the next.",
    "conversion": "Paid product orders divided by visitors in the period (the funnel's last step).",
    "new_members": "Memberships that started in the period (trials included).",
    "churned": "Memberships that ended in the period, as a share of the members you had when it began.",
    "active_members": "Members whose membership is active right now (trials, past-due and paused not included).",
    "mrr": "Monthly recurring revenue right now: every active and past-due membership's price converted to a "
    "month (weekly × 52 / 12, quarterly / 3, yearly / 12).",
}


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    label: str
    value: str
    change: str  # "+12%", "-3%", "new" or "" when there is nothing to compare
    trend: str  # "up", "down" or "flat"
    definition: str
    caption: str = ""  # a few words under the figure saying what it counts


CAPTIONS = {
    "gross": "all payments, less refunds",
    "net": "after fees and refunds",
    "orders": "product orders only",
    "payments": "orders, tips and memberships",
    "tips": "tips received",
    "visitors": "unique per day",
    "conversion": "paid orders ÷ visitors",
    "new_members": "memberships started",
    "churned": "memberships ended",
    "active_members": "right now",
    "mrr": "monthly, right now",
}


@dataclass(frozen=True, slots=True)
class ChartPoint:
    day: str  # "Mar 10"
    gross: float  # major units, for drawing only: every figure shown as text is exact
    net: float
    orders: int
    visitors: int


@dataclass(frozen=True, slots=True)
class FunnelStage:
    label: str
    count: int
    share: str  # of the first stage
    step: str  # of the previous stage
    bar: int  # 0–100: the bar's length, against the largest stage (a bar's maximum must be above zero)


@dataclass(frozen=True, slots=True)
class TableRow:
    name: str
    views: int
    visitors: int
    checkouts: int
    sales: int
    downloads: int
    conversion: str
    revenue: str


@dataclass(frozen=True, slots=True)
class DashboardView:
    range_key: str
    start: str  # ISO dates, inclusive, in the creator's timezone
    end: str
    period_label: str
    timezone: str
    currency: str  # the chart's currency: the store's
    other_currencies: list[str]  # gross in other currencies, already formatted
    metrics: list[Metric]
    chart: list[ChartPoint]
    funnel: list[FunnelStage]
    products: list[TableRow]
    referrers: list[TableRow]
    campaigns: list[TableRow]
    has_activity: bool  # anything at all in the period
    storefront_path: str


def _period(range_key: str, start_text: str, end_text: str, today: date) -> Period:
    if range_key in RANGES:
        return Period(start=today - timedelta(days=RANGES[range_key] - 1), end=today)
    if range_key != CUSTOM:
        raise InvalidInput("Choose 7, 30, 90 or 365 days, or your own dates.", field="range")
    try:
        start, end = date.fromisoformat(start_text.strip()), date.fromisoformat(end_text.strip())
    except ValueError:
        raise InvalidInput("Enter both dates as YYYY-MM-DD.", field="start") from None
    if end < start:
        raise InvalidInput("The end date comes before the start date.", field="end")
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        raise InvalidInput("Choose at most three years.", field="start")
    return Period(start=start, end=end)


def _percent(numerator: int, denominator: int) -> str:
    if denominator <= 0:
        return "—"
    tenths = (numerator * 1000 + denominator // 2) // denominator
    return f"{tenths // 10}.{tenths % 10}%"


def _change(now: int, before: int) -> tuple[str, str]:
    if now == before:
        return ("0%" if before else "", "flat")
    if before == 0:
        return ("new", "up") if now > 0 else ("", "down")
    percent = (abs(now - before) * 100 + abs(before) // 2) // abs(before)
    return (f"+{percent}%", "up") if now > before else (f"-{percent}%", "down")


def _metric(key: str, label: str, value: str, now: int, before: int, *, compare: bool = True) -> Metric:
    change, trend = _change(now, before) if compare else ("", "flat")
    return Metric(
        key=key,
        label=label,
        value=value,
        change=change,
        trend=trend,
        definition=DEFINITIONS[key],
        caption=CAPTIONS[key],
    )


def conversion_rate(totals: Totals) -> str:
    """Conversion as shown, the same text on the summary card and the funnel's last step."""
    return _percent(*figures.conversion(totals))


def _conversion_basis_points(totals: Totals) -> int:
    orders, visitors = figures.conversion(totals)
    return (orders * 10000 // visitors) if visitors else 0


def _money(amounts: dict[str, int], currency: str) -> str:
    return format_money(amounts.get(currency, 0), currency)


def _major(amount: int, currency: str) -> float:
    divisor: int = 10 ** exponent_of(currency)
    return amount / divisor


def _churn(totals: Totals, active_now: int) -> tuple[int, int]:
    ended = totals.counts.get(EventKind.MEMBERSHIP_CANCELLED, 0)
    started = totals.counts.get(EventKind.MEMBERSHIP_STARTED, 0)
    at_start = max(active_now - started + ended, 0)
    return ended, at_start


def _metrics(found: Figures, currency: str, summary: members.MembersSummary) -> list[Metric]:
    now, before = found.totals, found.previous
    orders, orders_before = figures.paid_orders(now), figures.paid_orders(before)
    paid, paid_before = figures.payments(now), figures.payments(before)
    tips, tips_before = now.counts.get(EventKind.TIP, 0), before.counts.get(EventKind.TIP, 0)
    joined = now.counts.get(EventKind.MEMBERSHIP_STARTED, 0)
    joined_before = before.counts.get(EventKind.MEMBERSHIP_STARTED, 0)
    ended, at_start = _churn(now, summary.active)
    mrr = " · ".join(figure.label for figure in summary.monthly) or format_money(0, currency)
    return [
        _metric(
            "gross", "Revenue", _money(now.gross, currency), now.gross.get(currency, 0), before.gross.get(currency, 0)
        ),
        _metric("net", "Net revenue", _money(now.net, currency), now.net.get(currency, 0), before.net.get(currency, 0)),
        _metric("orders", "Orders", f"{orders:,}", orders, orders_before),
        _metric("payments", "Payments", f"{paid:,}", paid, paid_before),
        _metric("tips", "Tips", f"{tips:,}", tips, tips_before),
        _metric("visitors", "Visitors", f"{now.visitors:,}", now.visitors, before.visitors),
        _metric(
            "conversion",
            "Conversion",
            conversion_rate(now),
            _conversion_basis_points(now),
            _conversion_basis_points(before),
        ),
        _metric("new_members", "New members", f"{joined:,}", joined, joined_before),
        _metric("churned", "Churn", _percent(ended, at_start), 0, 0, compare=False),
        _metric("active_members", "Active members", f"{summary.active:,}", 0, 0, compare=False),
        _metric("mrr", "MRR", mrr, 0, 0, compare=False),
    ]


def funnel_stages(found: Figures) -> list[FunnelStage]:
    labels = {
        figures.VISITORS: "Visitors",
        EventKind.PRODUCT_VIEW.value: "Opened a product",
        EventKind.CHECKOUT_STARTED.value: "Started a checkout",
        EventKind.PURCHASE.value: "Paid orders",
    }
    stages: list[FunnelStage] = []
    first = found.funnel[0][1] if found.funnel else 0
    largest = max((count for _, count in found.funnel), default=0)
    previous = first
    for kind, count in found.funnel:
        stages.append(
            FunnelStage(
                label=labels[kind],
                count=count,
                share=_percent(count, first) if stages else "100%" if first else "—",
                step=_percent(count, previous) if stages else "",
                bar=round(count * 100 / largest) if largest else 0,
            )
        )
        previous = count
    if stages and stages[0].count:
        stages[-1] = replace(stages[-1], share=conversion_rate(found.totals))
    return stages


def _row(name: str, ranked: Ranked, currency: str) -> TableRow:
    revenue = " · ".join(
        format_money(amount, code)
        for code, amount in sorted(ranked.gross.items(), key=lambda item: item[0] != currency)
    )
    return TableRow(
        name=name,
        views=ranked.views,
        visitors=ranked.visitors,
        checkouts=ranked.checkouts,
        sales=ranked.sales,
        downloads=ranked.downloads,
        conversion=_percent(ranked.sales, ranked.visitors),
        revenue=revenue or format_money(0, currency),
    )


async def _load(session_token: str, range_key: str, start: str, end: str) -> tuple[DashboardView, Figures]:
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        today = rules.local_day(utc_now(), creator.timezone)
        period = _period(range_key, start, end, today)
        found = await figures.figures(session, creator_id=creator.id, period=period)
        titles = {
            str(product.id): product.title for product in await catalog_repository.list_products(session, creator.id)
        }
    summary = await members.members_summary(session_token=session_token)
    currency = creator.default_currency
    others = [format_money(amount, code) for code, amount in sorted(found.totals.gross.items()) if code != currency]
    has_activity = any(found.totals.counts.values())
    view = DashboardView(
        range_key=range_key,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        period_label=f"{period.start:%b %-d, %Y} – {period.end:%b %-d, %Y}",
        timezone=creator.timezone,
        currency=currency,
        other_currencies=others,
        metrics=_metrics(found, currency, summary),
        chart=[
            ChartPoint(
                day=f"{point.day:%b %-d}",
                gross=_major(point.gross.get(currency, 0), currency),
                net=_major(point.net.get(currency, 0), currency),
                orders=point.orders,
                visitors=point.visitors,
            )
            for point in found.series
        ],
        funnel=funnel_stages(found),
        products=[_row(titles.get(ranked.key, "Deleted product"), ranked, currency) for ranked in found.products],
        referrers=[_row(ranked.key, ranked, currency) for ranked in found.referrers],
        campaigns=[_row(ranked.key, ranked, currency) for ranked in found.campaigns],
        has_activity=has_activity,
        storefront_path=f"/{creator.handle}",
    )
    return view, found


async def load_dashboard(*, session_token: str, range_key: str = "30", start: str = "", end: str = "") -> DashboardView:
    """The signed-in creator's dashboard for a range (7, 30, 90, 365 days up to today, or custom dates)."""
    view, _ = await _load(session_token, range_key, start, end)
    return view


_TABLE_HEADER = ("name", "views", "visitors", "checkouts", "paid orders", "downloads", "conversion", "revenue")


def _table_lines(rows: Sequence[TableRow]) -> list[tuple[str, ...]]:
    return [
        (
            row.name,
            str(row.views),
            str(row.visitors),
            str(row.checkouts),
            str(row.sales),
            str(row.downloads),
            row.conversion,
            row.revenue,
        )
        for row in rows
    ]


async def export_csv(*, session_token: str, table: str, range_key: str = "30", start: str = "", end: str = "") -> str:
    """One dashboard table as CSV (spreadsheet-safe), for the same range as on screen."""
    if table not in TABLES:
        raise InvalidInput("Unknown table.", field="table")
    view, found = await _load(session_token, range_key, start, end)
    if table == "revenue":
        lines = [
            (
                point.day.isoformat(),
                format_money(point.gross.get(view.currency, 0), view.currency),
                format_money(point.net.get(view.currency, 0), view.currency),
                str(point.orders),
                str(point.visitors),
            )
            for point in found.series
        ]
        return csv_text(("day", f"gross ({view.currency})", f"net ({view.currency})", "orders", "visitors"), lines)
    rows = {"products": view.products, "referrers": view.referrers, "campaigns": view.campaigns}[table]
    return csv_text(_TABLE_HEADER, _table_lines(rows))


def live_channel(creator_id: int) -> str:
    """The name every open dashboard tab of one creator shares for live notices (no underscore: Reflex's rule)."""
    return f"creator{creator_id}"


async def my_live_channel(*, session_token: str) -> str:
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        return live_channel(creator.id)
