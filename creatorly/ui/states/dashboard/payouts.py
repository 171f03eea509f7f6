"""State of `/dashboard/payouts`: balances, reasons, withdrawals, payout accounts, the schedule and payout history."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.money import exponent_of, format_money
from creatorly.services.creators.service import NotACreator
from creatorly.services.payouts import service as payouts
from creatorly.services.payouts.rules import NO_PAYOUT_ACCOUNT
from creatorly.services.payouts.schemas import (
    CurrencyBalance,
    PayoutAccountForm,
    PayoutAccountView,
    PayoutEventView,
    PayoutView,
    Readiness,
)
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

POLL_INTERVAL_SECONDS = 2.0
POLL_ATTEMPTS = 60  # two minutes: a sandbox payout settles in seconds; a slower one shows on the next visit
# The form's fields, each with the error shown under it (InvalidInput.field names one).
FORM_FIELDS = (
    "kind",
    "currency",
    "holder_name",
    "country",
    "routing_code",
    "account_number",
    "upi_id",
    "stripe_account_id",
    "paypal_email",
)
OPEN_STATUSES = ("pending", "in_transit")
STATUS_LABELS = {"pending": "Pending", "in_transit": "In transit", "paid": "Paid", "failed": "Failed"}
ACCOUNT_KIND_LABELS = {"bank": "Bank account", "upi": "UPI", "stripe": "Stripe connected account", "paypal": "PayPal"}
SCHEDULE_SAVED = {
    "manual": "Payouts are manual: withdraw whenever you like.",
    "daily": "We'll send your available balance every day.",
    "weekly": "We'll send your available balance every week.",
    "monthly": "We'll send your available balance every month.",
}


@dataclass
class ReleaseRow:
    day_label: str = ""
    amount_label: str = ""


@dataclass
class BalanceView:
    currency: str = ""
    available_label: str = ""
    pending_label: str = ""
    in_payout_label: str = ""
    paid_out_label: str = ""
    lifetime_label: str = ""
    is_negative: bool = False
    next_release_label: str = ""
    releases: list[ReleaseRow] = field(default_factory=list)
    chart_points: list[dict[str, str | float]] = field(default_factory=list)
    can_withdraw: bool = False
    withdraw_label: str = ""
    withdraw_amount_label: str = ""
    reason: str = ""
    needs_payout_account: bool = False
    next_step: str = ""


@dataclass
class AccountView:
    public_id: str = ""
    label: str = ""
    details: str = ""
    currency: str = ""
    is_default: bool = False


@dataclass
class PayoutRow:
    public_id: str = ""
    date_label: str = ""
    amount_label: str = ""
    account_label: str = ""
    status: str = ""
    status_label: str = ""
    failure_reason: str = ""


@dataclass
class EventRow:
    at_label: str = ""
    status: str = ""
    status_label: str = ""
    cause: str = ""


class PayoutsState(rx.State):
    is_loading: bool = True
    balances: list[BalanceView] = []
    accounts: list[AccountView] = []
    payouts: list[PayoutRow] = []
    schedule: str = "manual"
    is_saving_schedule: bool = False
    account_kind: str = "bank"
    field_errors: dict[str, str] = dict.fromkeys(FORM_FIELDS, "")
    form_error: str = ""
    is_adding_account: bool = False
    account_form_version: int = 0
    withdraw_currency: str = ""  # the currency whose withdraw confirmation is open
    is_withdrawing: bool = False
    remove_account_id: str = ""  # the account whose removal confirmation is open
    is_detail_open: bool = False
    detail: PayoutRow = PayoutRow()
    detail_account: str = ""
    detail_events: list[EventRow] = []
    is_live: bool = False  # a payout is moving and the page refreshes itself
    _is_polling: bool = False

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    def _show(self, snapshot: Snapshot) -> None:
        self.balances = [
            _balance_view(balance, snapshot.readiness.get(balance.currency)) for balance in snapshot.balances
        ]
        self.accounts = [_account_view(account) for account in snapshot.accounts]
        self.payouts = [_payout_row(payout) for payout in snapshot.payouts]
        self.schedule = snapshot.schedule
        self.is_loading = False

    def _has_open_payout(self) -> bool:
        return any(row.status in OPEN_STATUSES for row in self.payouts)

    @rx.event
    async def load(self) -> Events:
        if not self.balances and not self.payouts:
            self.is_loading = True
        try:
            snapshot = await _snapshot(await self._token())
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            self.is_loading = False
            yield toast.error(error.message)
            return
        self._show(snapshot)
        if self._has_open_payout():
            yield PayoutsState.follow_open_payouts

    @rx.event(background=True)
    async def follow_open_payouts(self) -> None:
        """Refresh every 2 s while a payout is on its way, for at most two minutes, so pending → paid shows live."""
        async with self:
            if self._is_polling:
                return
            self._is_polling, self.is_live = True, True
            token = await self._token()
        try:
            for _ in range(POLL_ATTEMPTS):
                await asyncio.sleep(POLL_INTERVAL_SECONDS)
                try:
                    snapshot = await _snapshot(token)
                except CreatorlyError:
                    return
                async with self:
                    self._show(snapshot)
                    if not self._has_open_payout():
                        return
        finally:
            async with self:
                self._is_polling, self.is_live = False, False

    @rx.event
    def set_withdraw_open(self, currency: str, is_open: bool) -> None:
        if not self.is_withdrawing:
            self.withdraw_currency = currency if is_open else ""

    @rx.event
    async def withdraw(self, currency: str) -> Events:
        if self.is_withdrawing:
            return
        self.is_withdrawing = True
        yield None
        try:
            payout = await payouts.withdraw(session_token=await self._token(), currency=currency)
        except CreatorlyError as error:
            self.is_withdrawing, self.withdraw_currency = False, ""
            yield toast.error(error.message)
            yield PayoutsState.load
            return
        self.is_withdrawing, self.withdraw_currency = False, ""
        yield toast.success(f"Payout of {payout.amount_label} started. We'll update this page as it moves.")
        yield PayoutsState.load

    @rx.event
    def set_account_kind(self, kind: str) -> None:
        self.account_kind = kind
        self.field_errors, self.form_error = _no_errors(), ""

    @rx.event
    async def add_account(self, form: dict[str, str]) -> Events:
        if self.is_adding_account:
            return
        self.is_adding_account, self.field_errors, self.form_error = True, _no_errors(), ""
        yield None
        try:
            account = await payouts.add_payout_account(session_token=await self._token(), form=_account_form(form))
        except InvalidInput as error:
            self._show_field_error(error)
            yield toast.error(error.message)
            return
        except CreatorlyError as error:
            self.is_adding_account, self.form_error = False, error.message
            yield toast.error(error.message)
            return
        self.is_adding_account = False
        self.account_form_version += 1
        yield toast.success(f"{account.label} added.")
        yield PayoutsState.load

    def _show_field_error(self, error: InvalidInput) -> None:
        self.is_adding_account = False
        if error.field in self.field_errors:
            self.field_errors = {**_no_errors(), str(error.field): error.message}
        else:
            self.form_error = error.message

    @rx.event
    async def make_default(self, account_public_id: str) -> Events:
        try:
            account = await payouts.set_default_payout_account(
                session_token=await self._token(), account_public_id=account_public_id
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success(f"{account.label} is now your default for {account.currency}.")
        yield PayoutsState.load

    @rx.event
    def set_remove_open(self, account_public_id: str, is_open: bool) -> None:
        self.remove_account_id = account_public_id if is_open else ""

    @rx.event
    async def remove_account(self, account_public_id: str) -> Events:
        self.remove_account_id = ""
        try:
            await payouts.remove_payout_account(session_token=await self._token(), account_public_id=account_public_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("Payout account removed.")
        yield PayoutsState.load

    @rx.event
    async def save_schedule(self, schedule: str) -> Events:
        if self.is_saving_schedule:
            return
        previous, self.schedule, self.is_saving_schedule = self.schedule, schedule, True
        yield None
        try:
            await payouts.set_schedule(session_token=await self._token(), schedule=schedule)
        except CreatorlyError as error:
            self.schedule, self.is_saving_schedule = previous, False
            yield toast.error(error.message)
            return
        self.is_saving_schedule = False
        yield toast.success(SCHEDULE_SAVED.get(schedule, "Payout schedule saved."))

    @rx.event
    async def open_detail(self, payout_public_id: str) -> Events:
        try:
            payout = await payouts.payout_detail(session_token=await self._token(), payout_public_id=payout_public_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.detail, self.detail_account = _payout_row(payout), payout.account_label
        self.detail_events = [_event_row(event) for event in payout.events]
        self.is_detail_open = True

    @rx.event
    def set_detail_open(self, is_open: bool) -> None:
        self.is_detail_open = is_open


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the page shows, read in one go so a refresh replaces it whole."""

    balances: list[CurrencyBalance]
    readiness: dict[str, Readiness]
    accounts: list[PayoutAccountView]
    payouts: list[PayoutView]
    schedule: str


async def _snapshot(token: str) -> Snapshot:
    balances = await payouts.balances_of(session_token=token)
    readiness = {
        balance.currency: await payouts.payout_readiness(session_token=token, currency=balance.currency)
        for balance in balances
    }
    return Snapshot(
        balances=balances,
        readiness=readiness,
        accounts=await payouts.list_payout_accounts(session_token=token),
        payouts=await payouts.list_payouts(session_token=token),
        schedule=str(await payouts.get_schedule(session_token=token)),
    )


def _no_errors() -> dict[str, str]:
    return dict.fromkeys(FORM_FIELDS, "")


def _account_form(form: dict[str, str]) -> PayoutAccountForm:
    return PayoutAccountForm(
        kind=str(form.get("kind", "")),
        currency=str(form.get("currency", "")),
        country=str(form.get("country", "")),
        holder_name=str(form.get("holder_name", "")),
        routing_code=str(form.get("routing_code", "")),
        account_number=str(form.get("account_number", "")),
        upi_id=str(form.get("upi_id", "")),
        stripe_account_id=str(form.get("stripe_account_id", "")),
        paypal_email=str(form.get("paypal_email", "")),
        make_default=str(form.get("make_default", "")) in {"on", "true"},
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"


def _balance_view(balance: CurrencyBalance, readiness: Readiness | None) -> BalanceView:
    currency = balance.currency
    money = partial(format_money, currency=currency)
    by_day: dict[date, int] = {}
    for release in balance.releases:
        by_day[release.release_on.date()] = by_day.get(release.release_on.date(), 0) + release.amount
    days = sorted(by_day.items())
    can_withdraw = readiness is not None and readiness.can_withdraw
    amount_label = money(readiness.amount) if readiness is not None else ""
    return BalanceView(
        currency=currency,
        available_label=money(balance.available),
        pending_label=money(balance.pending),
        in_payout_label=money(balance.in_payout),
        paid_out_label=money(balance.paid_out),
        lifetime_label=money(balance.lifetime_earnings),
        is_negative=balance.is_negative,
        next_release_label=f"{money(days[0][1])} releases on {_day(days[0][0])}" if days else "",
        releases=[ReleaseRow(day_label=_day_with_weekday(day), amount_label=money(amount)) for day, amount in days],
        # The chart needs plain numbers; it only draws bars, the labels above carry the exact amounts.
        chart_points=[
            {"day": _day(day), "amount": float(Decimal(amount).scaleb(-exponent_of(currency)))} for day, amount in days
        ],
        can_withdraw=can_withdraw,
        withdraw_label=f"Withdraw {amount_label}",
        withdraw_amount_label=amount_label,
        reason=readiness.reason if readiness is not None and not can_withdraw else "",
        needs_payout_account=readiness is not None and readiness.reason_code == NO_PAYOUT_ACCOUNT,
        next_step=readiness.next_step if readiness is not None and not can_withdraw else "",
    )


def _day_with_weekday(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _account_view(account: PayoutAccountView) -> AccountView:
    kind = ACCOUNT_KIND_LABELS.get(account.kind, account.kind)
    details = [kind, account.currency]
    if account.holder_name:
        details.append(account.holder_name)
    if account.country:
        details.append(account.country)
    return AccountView(
        public_id=account.public_id,
        label=account.label,
        details=" · ".join(details),
        currency=account.currency,
        is_default=account.is_default,
    )


def _payout_row(payout: PayoutView) -> PayoutRow:
    return PayoutRow(
        public_id=payout.public_id,
        date_label=f"{payout.created_at.day} {payout.created_at:%b %Y}",
        amount_label=payout.amount_label,
        account_label=payout.account_label,
        status=payout.status,
        status_label=STATUS_LABELS.get(payout.status, payout.status),
        failure_reason=payout.failure_reason,
    )


def _event_row(event: PayoutEventView) -> EventRow:
    return EventRow(
        at_label=f"{event.at.day} {event.at:%b %Y, %H:%M:%S} UTC",
        status=event.to_status,
        status_label=STATUS_LABELS.get(event.to_status, event.to_status),
        cause=event.cause[:1].upper() + event.cause[1:],
    )
