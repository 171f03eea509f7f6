"""States of `/admin/orders` (search, filter by status, load more) and `/admin/orders/[admin_order_id]`."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.admin import actions as admin_actions
from creatorly.services.admin import catalog_reads
from creatorly.services.admin.catalog_schemas import OrderDetail
from creatorly.services.orders.status_labels import ORDER_STATUS_LABELS
from creatorly.ui import routes
from creatorly.ui.states.admin.creators import AdminOrderRow, to_order_row, when
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.admin.listing import PAGE_SIZE, AdminListMixin
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

ANY_STATUS = "Any status"
STATUS_BY_LABEL = {label: str(status) for status, label in ORDER_STATUS_LABELS.items()}
STATUS_OPTIONS = [ANY_STATUS, *STATUS_BY_LABEL]


@dataclass
class AmountRow:
    label: str = ""
    amount: str = ""


@dataclass
class RefundRow:
    at: str = ""
    amount: str = ""
    status: str = ""
    reason: str = ""


class AdminOrdersState(AdminListMixin, rx.State):
    query: str = ""
    status_label: str = ANY_STATUS
    status_options: list[str] = STATUS_OPTIONS
    rows: list[AdminOrderRow] = []

    def _take_search(self, form: dict[str, str]) -> None:
        self.query = form.get("query", "")
        self.status_label = form.get("status", ANY_STATUS) or ANY_STATUS

    async def _fetch_page(self, session_token: str, before_id: int | None) -> tuple[list[AdminOrderRow], int | None]:
        page = await catalog_reads.list_orders(
            session_token=session_token,
            text=self.query,
            status=STATUS_BY_LABEL.get(self.status_label, ""),
            before_id=before_id,
            limit=PAGE_SIZE,
        )
        return [to_order_row(row) for row in page.items], page.next_cursor

    def _show_rows(self, rows: list[AdminOrderRow], *, more: bool) -> None:
        self.rows = [*self.rows, *rows] if more else rows


class AdminOrderState(rx.State):
    is_allowed: bool = False
    is_found: bool = False
    is_working: bool = False
    order_id: int = 0
    public_id: str = ""
    item: str = ""
    kind: str = ""
    creator_handle: str = ""
    creator_href: str = ""
    buyer_email: str = ""
    status_label: str = ""
    provider: str = ""
    provider_reference: str = ""
    created: str = ""
    paid: str = ""
    refundable: str = ""
    can_resend_receipt: bool = False
    amounts: list[AmountRow] = []
    refunds: list[RefundRow] = []

    @rx.event
    async def load(self) -> Events:
        token = await session_token_of(self)
        refused = await admin_refusal(self)
        self.is_allowed = not refused
        if refused:
            for event in refused:
                yield event
            return
        raw = str(getattr(self, "admin_order_id", "") or "")
        try:
            detail = await catalog_reads.order_detail(session_token=token, order_id=int(raw))
        except (ValueError, CreatorlyError):
            self.is_found = False
            return
        self._show(detail)

    def _show(self, detail: OrderDetail) -> None:
        self.is_found, self.order_id, self.public_id = True, detail.id, detail.public_id
        self.item, self.kind, self.creator_handle = detail.item_label, detail.kind, detail.creator_handle
        self.creator_href, self.buyer_email = routes.admin_creator(detail.creator_id), detail.buyer_email
        self.status_label, self.provider = detail.status_label, detail.provider
        self.provider_reference = detail.provider_reference or "—"
        self.created, self.paid = when(detail.created_at), when(detail.paid_at)
        self.refundable, self.can_resend_receipt = detail.refundable_amount_label, detail.can_resend_receipt
        self.amounts = [AmountRow(line.label, line.amount_label) for line in detail.amounts]
        self.refunds = [
            RefundRow(when(line.created_at), line.amount_label, line.status.capitalize(), line.reason or "—")
            for line in detail.refunds
        ]

    async def _reload(self) -> None:
        self._show(await catalog_reads.order_detail(session_token=await session_token_of(self), order_id=self.order_id))

    @rx.event
    async def refund(self, form: dict[str, str]) -> Events:
        if self.is_working:
            return
        self.is_working = True
        yield
        try:
            view = await admin_actions.admin_refund_order(
                session_token=await session_token_of(self),
                order_id=self.order_id,
                amount_text=form.get("amount", ""),
                reason=form.get("reason", ""),
            )
            await self._reload()
        except CreatorlyError as error:
            self.is_working = False
            yield toast.error(error.message)
            return
        self.is_working = False
        yield toast.success(f"Refund of {view.amount_label} asked of the payment provider.")

    @rx.event
    async def resend_receipt(self, form: dict[str, str]) -> Events:
        if self.is_working:
            return
        self.is_working = True
        yield
        try:
            address = await admin_actions.admin_resend_receipt(
                session_token=await session_token_of(self), order_id=self.order_id, reason=form.get("reason", "")
            )
        except CreatorlyError as error:
            self.is_working = False
            yield toast.error(error.message)
            return
        self.is_working = False
        yield toast.success(f"Receipt sent again to {address}.")
