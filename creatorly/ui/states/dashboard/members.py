"""State of `/dashboard/members`: MRR and member counts, figures by tier, the filtered members list and CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.kit.money import exponent_of
from creatorly.services.creators.service import NotACreator
from creatorly.services.memberships import members
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

PAGE_SIZE = 50
ALL = "all"


@dataclass
class MemberListRow:
    subscription_public_id: str = ""
    member_email: str = ""
    tier_name: str = ""
    status: str = ""
    status_label: str = ""
    price_label: str = ""
    since: str = ""
    next_charge: str = ""
    lifetime_value_label: str = ""


@dataclass
class TierFigureRow:
    tier_name: str = ""
    active_members: int = 0
    mrr_label: str = ""


@dataclass
class FilterOption:
    value: str = ""
    label: str = ""


STATUS_OPTIONS = [FilterOption(value=ALL, label="All statuses")] + [
    FilterOption(value=str(status), label=label) for status, label in members.STATUS_LABELS.items()
]


class MembersDashboardState(rx.State):
    is_loading: bool = True
    has_members: bool = False  # anyone ever joined (the list may still be empty under a filter)
    mrr_labels: list[str] = []
    active_count: int = 0
    trialing_count: int = 0
    past_due_count: int = 0
    paused_count: int = 0
    canceled_count: int = 0
    tier_rows: list[TierFigureRow] = []
    member_chart: list[dict[str, str | int]] = []
    mrr_chart: list[dict[str, str | float]] = []
    mrr_chart_currency: str = ""
    tier_options: list[FilterOption] = []
    status_options: list[FilterOption] = STATUS_OPTIONS
    rows: list[MemberListRow] = []
    total: int = 0
    total_label: str = ""
    page: int = 1
    page_count: int = 1
    tier_filter: str = ALL
    status_filter: str = ALL
    search_text: str = ""

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        try:
            summary = await members.members_summary(session_token=await self._token())
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self._show_summary(summary)
        yield MembersDashboardState.load_members

    def _show_summary(self, summary: members.MembersSummary) -> None:
        self.mrr_labels = [figure.label for figure in summary.monthly]
        self.active_count, self.trialing_count, self.past_due_count = (
            summary.active,
            summary.trialing,
            summary.past_due,
        )
        self.paused_count, self.canceled_count = summary.paused, summary.canceled
        self.has_members = summary.active + summary.trialing + summary.past_due + summary.paused + summary.canceled > 0
        self.tier_rows = [
            TierFigureRow(
                tier_name=tier.tier_name,
                active_members=tier.active_members,
                mrr_label=" · ".join(figure.label for figure in tier.monthly) or "—",
            )
            for tier in summary.tiers
        ]
        self.tier_options = [FilterOption(value=ALL, label="All tiers")] + [
            FilterOption(value=tier.tier_public_id, label=tier.tier_name) for tier in summary.tiers
        ]
        self.member_chart = [{"tier": tier.tier_name, "members": tier.active_members} for tier in summary.tiers]
        # One currency per chart: the one bringing the most (the table next to it lists every currency exactly).
        currency = max(summary.monthly, key=lambda figure: figure.amount).currency if summary.monthly else "USD"
        self.mrr_chart_currency = currency
        self.mrr_chart = [
            {"tier": tier.tier_name, "mrr": _major(tier, currency)}
            for tier in summary.tiers  # plain numbers for the bars only
        ]

    @rx.event
    async def load_members(self) -> Events:
        try:
            result = await members.list_members(
                session_token=await self._token(),
                tier_public_id=_filter_value(self.tier_filter),
                status=_filter_value(self.status_filter),
                text=self.search_text,
                page=self.page,
                page_size=PAGE_SIZE,
            )
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            self.is_loading = False
            yield toast.error(error.message)
            return
        self.rows = [_list_row(item) for item in result.items]
        self.total, self.page_count, self.is_loading = result.total, result.page_count, False
        self.total_label = "1 member" if result.total == 1 else f"{result.total} members"

    @rx.event
    def filter_by_tier(self, tier_public_id: str) -> Events:  # type: ignore[misc]
        self.tier_filter, self.page = tier_public_id or ALL, 1
        yield MembersDashboardState.load_members

    @rx.event
    def filter_by_status(self, status: str) -> Events:  # type: ignore[misc]
        self.status_filter, self.page = status or ALL, 1
        yield MembersDashboardState.load_members

    @rx.event
    def search(self, form: dict[str, str]) -> Events:  # type: ignore[misc]
        self.search_text, self.page = str(form.get("search", "")).strip(), 1
        yield MembersDashboardState.load_members

    @rx.event
    def go_to_page(self, page: int) -> Events:  # type: ignore[misc]
        self.page = max(1, min(page, self.page_count))
        yield MembersDashboardState.load_members

    @rx.event
    async def export_csv(self) -> Events:
        try:
            text = await members.export_members_csv(
                session_token=await self._token(),
                tier_public_id=_filter_value(self.tier_filter),
                status=_filter_value(self.status_filter),
                text=self.search_text,
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(data=text, filename="creatorly-members.csv", mime_type="text/csv")


def _filter_value(value: str) -> str:
    return "" if value == ALL else value


def _major(tier: members.TierBreakdown, currency: str) -> float:
    amount = sum(figure.amount for figure in tier.monthly if figure.currency == currency)
    return float(Decimal(amount).scaleb(-exponent_of(currency)))


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def _list_row(item: members.MemberRow) -> MemberListRow:
    if item.next_charge_at is not None:
        next_charge = _day(item.next_charge_at)
    elif item.ends_at is not None:
        next_charge = f"Ends {_day(item.ends_at)}"
    else:
        next_charge = "—"
    return MemberListRow(
        subscription_public_id=item.subscription_public_id,
        member_email=item.member_email,
        tier_name=item.tier_name,
        status=item.status,
        status_label=item.status_label,
        price_label=f"{item.price_label} / {_interval_word(item.interval)}",
        since=_day(item.since),
        next_charge=next_charge,
        lifetime_value_label=item.lifetime_value_label,
    )


def _interval_word(interval: str) -> str:
    return {"weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year"}.get(interval, interval)
