"""States of `/admin/payouts` (by status or creator, newest first, 50 a page) and `/admin/payouts/[admin_payout_id]`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.kit.money import format_money
from creatorly.services.admin import console, console_actions
from creatorly.services.admin.schemas import PayoutDetail, PayoutRow
from creatorly.ui import routes
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.admin.listing import AdminListMixin
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

WHEN = "%d %b %Y %H:%M UTC"
STATUS_OPTIONS = [("", "Any status"), ("pending", "Requested"), ("in_transit", "Processing"), ("paid", "Paid")]
STATUS_OPTIONS.append(("failed", "Failed"))


@dataclass
class PayoutListRow:
    id: int = 0
    href: str = ""
    public_id: str = ""
    creator_handle: str = ""
    creator_href: str = ""
    amount: str = ""
    status: str = ""
    provider: str = ""
    created: str = ""


@dataclass
class StepRow:
    at: str = ""
    change: str = ""
    cause: str = ""


@dataclass
class LedgerRow:
    kind: str = ""
    account: str = ""
    amount: str = ""
    memo: str = ""
    at: str = ""


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:{WHEN}}"


def payout_list_row(row: PayoutRow) -> PayoutListRow:
    return PayoutListRow(
        id=row.id,
        href=routes.admin_payout(row.id),
        public_id=row.public_id,
        creator_handle=row.creator_handle,
        creator_href=routes.admin_creator(row.creator_id),
        amount=format_money(row.amount, row.currency),
        status=row.status,
        provider=row.provider,
        created=_when(row.created_at),
    )


class AdminPayoutsState(AdminListMixin, rx.State):
    status: str = ""
    search_text: str = ""
    rows: list[PayoutListRow] = []

    def _take_search(self, form: dict[str, str]) -> None:
        self.status, self.search_text = form.get("status", ""), form.get("creator", "")

    async def _fetch_page(self, session_token: str, before_id: int | None) -> tuple[list[PayoutListRow], int | None]:
        page = await console.list_payouts(
            session_token=session_token, status=self.status, search=self.search_text, before_id=before_id
        )
        return [payout_list_row(row) for row in page.items], page.next_cursor

    def _show_rows(self, rows: list[PayoutListRow], *, more: bool) -> None:
        self.rows = [*self.rows, *rows] if more else rows


class AdminPayoutState(rx.State):
    is_allowed: bool = False
    is_found: bool = False
    is_acting: bool = False
    payout: PayoutListRow = PayoutListRow()
    creator_id: int = 0
    trigger: str = ""
    account: str = ""
    provider_reference: str = ""
    failure_reason: str = ""
    times: list[StepRow] = []
    steps: list[StepRow] = []
    ledger: list[LedgerRow] = []
    under_review: bool = False
    review_note: str = ""

    @rx.event
    async def load(self) -> Events:
        token = await session_token_of(self)
        refused = await admin_refusal(self)
        if refused:
            self.is_allowed, self.is_found = False, False
            for event in refused:
                yield event
            return
        self.is_allowed = True
        await self._read(token)

    async def _read(self, token: str) -> None:
        text = str(getattr(self, "admin_payout_id", "") or "")
        try:
            detail = await console.payout_detail(session_token=token, payout_id=int(text) if text.isdigit() else 0)
        except CreatorlyError:
            self.is_found = False
            return
        self._show(detail)

    def _show(self, detail: PayoutDetail) -> None:
        self.is_found, self.payout, self.creator_id = True, payout_list_row(detail.payout), detail.payout.creator_id
        self.trigger, self.account = detail.trigger, detail.account_label
        self.provider_reference = detail.provider_reference or "—"
        self.failure_reason = detail.failure_reason
        self.times = [
            StepRow(at=_when(moment), change=label)
            for label, moment in (
                ("Updated", detail.updated_at),
                ("In transit", detail.in_transit_at),
                ("Paid", detail.paid_at),
                ("Failed", detail.failed_at),
            )
        ]
        self.steps = [
            StepRow(at=_when(step.at), change=f"{step.from_status} → {step.to_status}", cause=step.cause)
            for step in detail.steps
        ]
        self.ledger = [
            LedgerRow(
                kind=line.kind,
                account=line.account,
                amount=format_money(line.amount, line.currency),
                memo=line.memo,
                at=_when(line.created_at),
            )
            for line in detail.ledger
        ]
        self.under_review, self.review_note = detail.payouts_under_review, detail.review_note

    @rx.event
    async def hold_payouts(self, form: dict[str, str]) -> Events:
        async for event in self._review(form, hold=True):
            yield event

    @rx.event
    async def release_payouts(self, form: dict[str, str]) -> Events:
        async for event in self._review(form, hold=False):
            yield event

    async def _review(self, form: dict[str, str], *, hold: bool) -> Events:
        self.is_acting = True
        yield
        token = await session_token_of(self)
        action = console_actions.hold_payouts if hold else console_actions.release_payouts
        try:
            await action(session_token=token, creator_id=self.creator_id, reason=form.get("reason", ""))
        except CreatorlyError as error:
            self.is_acting = False
            yield toast.error(error.message)
            return
        await self._read(token)
        self.is_acting = False
        yield toast.success("Payouts held." if hold else "Payouts released.")
