"""State of `/admin`: the platform's headline figures and charts for the last 30 days, 12 weeks or 12 months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.kit.money import exponent_of, format_money
from creatorly.services.admin import overview
from creatorly.services.admin.schemas import BucketFigures, Granularity, PlatformOverview
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

PERIOD_OPTIONS = [("day", "Last 30 days, by day"), ("week", "Last 12 weeks, by week"), ("month", "Last 12 months")]


@dataclass
class FigureCard:
    key: str = ""
    label: str = ""
    value: str = ""
    caption: str = ""


@dataclass
class InFlightRow:
    status: str = ""
    count: int = 0
    amount: str = ""


def money_text(amounts: dict[str, int], currencies: list[str]) -> str:
    """Every currency's amount, the busiest first; "0" when there is none."""
    shown = [format_money(amounts[code], code) for code in currencies if code in amounts]
    return " · ".join(shown) or "0"


def bucket_label(start: date, granularity: Granularity) -> str:
    if granularity is Granularity.MONTH:
        return f"{start:%b %Y}"
    return f"{start:%d %b}"


def _major(amount: int, currency: str) -> float:
    """For drawing only: every figure shown as text is exact."""
    return amount / 10 ** exponent_of(currency)


def _cards(found: PlatformOverview) -> list[FigureCard]:
    totals, codes = found.totals, found.currencies
    flight_count = sum(row.count for row in found.in_flight)
    flight_amounts: dict[str, int] = {}
    for row in found.in_flight:
        flight_amounts[row.currency] = flight_amounts.get(row.currency, 0) + row.amount
    flight_codes = sorted(flight_amounts)
    return [
        FigureCard("gmv", "GMV", money_text(totals.gmv, codes), "Gross of the orders paid in the period"),
        FigureCard("fees", "Platform fees", money_text(totals.platform_fees, codes), "From the ledger, net of refunds"),
        FigureCard(
            "net", "Net revenue (creators)", money_text(totals.creator_share, codes), "Creators' share after all fees"
        ),
        FigureCard("fans", "Paying fans", str(totals.paying_fans), "Distinct buyers of paid orders"),
        FigureCard("creators", "Active creators", str(totals.active_creators), "Creators with a sale in the period"),
        FigureCard(
            "refunds",
            "Refund rate",
            overview.rate_text(totals.refunded_orders, totals.paid_orders),
            f"{totals.refunded_orders} of {totals.paid_orders} paid orders refunded",
        ),
        FigureCard(
            "disputes",
            "Dispute rate",
            overview.rate_text(totals.disputes, totals.paid_orders),
            f"{totals.disputes} disputes opened, reported by the providers",
        ),
        FigureCard(
            "payouts",
            "Payouts in flight",
            str(flight_count),
            money_text(flight_amounts, flight_codes) + " requested or processing",
        ),
    ]


def _point(bucket: BucketFigures, granularity: Granularity, currency: str) -> dict[str, str | int | float]:
    return {
        "bucket": bucket_label(bucket.start, granularity),
        "gmv": _major(bucket.gmv.get(currency, 0), currency),
        "fees": _major(bucket.platform_fees.get(currency, 0), currency),
        "net": _major(bucket.creator_share.get(currency, 0), currency),
        "orders": bucket.paid_orders,
        "fans": bucket.paying_fans,
        "refunded": bucket.refunded_orders,
    }


class AdminOverviewState(rx.State):
    is_allowed: bool = False
    is_loading: bool = False
    granularity: str = Granularity.DAY.value
    period_label: str = ""
    currency: str = ""
    currencies: list[str] = []
    cards: list[FigureCard] = []
    chart: list[dict[str, str | int | float]] = []
    in_flight: list[InFlightRow] = []

    @rx.event
    async def load(self) -> Events:
        refused = await admin_refusal(self)
        if refused:
            self.is_allowed, self.cards, self.chart, self.in_flight = False, [], [], []
            for event in refused:
                yield event
            return
        self.is_allowed = True
        async for event in self._fetch():
            yield event

    @rx.event
    async def set_granularity(self, value: str) -> Events:
        if value in {option for option, _label in PERIOD_OPTIONS}:
            self.granularity = value
            async for event in self._fetch():
                yield event

    @rx.event
    async def set_currency(self, value: str) -> Events:
        if value in self.currencies:
            self.currency = value
            async for event in self._fetch():
                yield event

    async def _fetch(self) -> Events:
        self.is_loading = True
        yield
        try:
            found = await overview.platform_overview(
                session_token=await session_token_of(self), granularity=self.granularity
            )
        except CreatorlyError as error:
            self.is_loading = False
            yield toast.error(error.message)
            return
        self._show(found)
        self.is_loading = False

    def _show(self, found: PlatformOverview) -> None:
        self.currencies = found.currencies
        if self.currency not in found.currencies:
            self.currency = found.currencies[0] if found.currencies else "USD"
        self.period_label = f"{found.since:%d %b %Y} – {found.until:%d %b %Y} (UTC)"
        self.cards = _cards(found)
        self.chart = [_point(bucket, found.granularity, self.currency) for bucket in found.buckets]
        self.in_flight = [
            InFlightRow(
                status="Requested" if row.status == "pending" else "Processing",
                count=row.count,
                amount=format_money(row.amount, row.currency),
            )
            for row in found.in_flight
        ]
