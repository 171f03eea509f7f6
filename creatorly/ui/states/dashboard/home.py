"""State of `/dashboard`: the figures for the chosen range, reloaded from the database whenever a live notice
arrives for this creator (a sale, tip or membership recorded by whichever worker received the webhook)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.analytics import dashboard
from creatorly.services.creators.service import NotACreator
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events
from creatorly.ui.states.live import CreatorLive, link_creator


@dataclass
class MetricView:
    key: str = ""
    label: str = ""
    value: str = ""
    change: str = ""
    trend: str = "flat"
    definition: str = ""
    caption: str = ""


@dataclass
class FunnelView:
    label: str = ""
    count: int = 0
    share: str = ""
    step: str = ""
    bar: int = 0


@dataclass
class TableRowView:
    name: str = ""
    views: int = 0
    visitors: int = 0
    checkouts: int = 0
    sales: int = 0
    downloads: int = 0
    conversion: str = ""
    revenue: str = ""


RANGE_OPTIONS = [("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "12 months"), ("custom", "Custom")]


class DashboardHomeState(rx.State):
    is_loading: bool = True
    range_key: str = "30"
    start: str = ""
    end: str = ""
    period_label: str = ""
    timezone: str = ""
    currency: str = "USD"
    other_currencies: list[str] = []
    metrics: list[MetricView] = []
    chart: list[dict[str, str | int | float]] = []
    funnel: list[FunnelView] = []
    products: list[TableRowView] = []
    referrers: list[TableRowView] = []
    campaigns: list[TableRowView] = []
    has_activity: bool = False
    storefront_path: str = ""
    seen_version: int = 0  # the live version this tab has loaded; a higher one means news

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        yield None
        try:
            view = await dashboard.load_dashboard(
                session_token=await self._token(), range_key=self.range_key, start=self.start, end=self.end
            )
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            self.is_loading = False
            yield toast.error(error.message)
            return
        self._show(view)
        live = await link_creator(await self.get_state(CreatorLive), await self._token())
        self.seen_version = live.version

    def _show(self, view: dashboard.DashboardView) -> None:
        self.range_key, self.start, self.end = view.range_key, view.start, view.end
        self.period_label, self.timezone, self.currency = view.period_label, view.timezone, view.currency
        self.other_currencies = view.other_currencies
        self.metrics = [
            MetricView(
                key=metric.key,
                label=metric.label,
                value=metric.value,
                change=metric.change,
                trend=metric.trend,
                definition=metric.definition,
                caption=metric.caption,
            )
            for metric in view.metrics
        ]
        self.chart = [
            {
                "day": point.day,
                "gross": point.gross,
                "net": point.net,
                "orders": point.orders,
                "visitors": point.visitors,
            }
            for point in view.chart
        ]
        self.funnel = [
            FunnelView(label=stage.label, count=stage.count, share=stage.share, step=stage.step, bar=stage.bar)
            for stage in view.funnel
        ]
        self.products = [_row(row) for row in view.products]
        self.referrers = [_row(row) for row in view.referrers]
        self.campaigns = [_row(row) for row in view.campaigns]
        self.has_activity, self.storefront_path = view.has_activity, view.storefront_path
        self.is_loading = False

    @rx.event
    def choose_range(self, range_key: str) -> Events:  # type: ignore[misc]
        self.range_key = range_key
        if range_key != dashboard.CUSTOM:
            self.start = self.end = ""
            yield DashboardHomeState.load

    @rx.event
    def apply_custom_range(self, form: dict[str, str]) -> Events:  # type: ignore[misc]
        self.range_key = dashboard.CUSTOM
        self.start, self.end = str(form.get("start", "")), str(form.get("end", ""))
        yield DashboardHomeState.load

    @rx.event
    async def live_changed(self, version: int, message: str) -> Events:
        """Runs when this creator's live version (as the tab received it) changes, and once on mount: reload from
        the database and, if something happened since this tab last loaded, say what."""
        if not isinstance(version, int) or version <= self.seen_version:
            return
        try:
            view = await dashboard.load_dashboard(
                session_token=await self._token(), range_key=self.range_key, start=self.start, end=self.end
            )
        except CreatorlyError:
            return  # the next notice or visit reloads
        self._show(view)
        self.seen_version = version
        if message:
            yield toast.success(str(message)[:200])

    @rx.event
    async def export_csv(self, table: str) -> Events:
        try:
            text = await dashboard.export_csv(
                session_token=await self._token(),
                table=table,
                range_key=self.range_key,
                start=self.start,
                end=self.end,
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(data=text, filename=f"creatorly-{table}-{self.start}-to-{self.end}.csv", mime_type="text/csv")


def _row(row: dashboard.TableRow) -> TableRowView:
    return TableRowView(
        name=row.name,
        views=row.views,
        visitors=row.visitors,
        checkouts=row.checkouts,
        sales=row.sales,
        downloads=row.downloads,
        conversion=row.conversion,
        revenue=row.revenue,
    )
