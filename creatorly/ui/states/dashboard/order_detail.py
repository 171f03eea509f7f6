"""State of `/dashboard/orders/[detail_order_ref]`: one order's summary, history, downloads and the refund form."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.orders import dashboard
from creatorly.services.refunds import service as refunds
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


@dataclass
class TimelineRow:
    at: str = ""
    label: str = ""


@dataclass
class DownloadRow:
    file_name: str = ""
    used_label: str = ""
    is_revoked: bool = False


class OrderDetailState(rx.State):
    is_loading: bool = True
    is_found: bool = False
    order_public_id: str = ""
    status: str = ""
    status_label: str = ""
    product_title: str = ""
    buyer_email: str = ""
    amount_label: str = ""
    refunded_label: str = ""
    refundable_label: str = ""
    is_refundable: bool = False
    created: str = ""
    paid: str = ""
    timeline: list[TimelineRow] = []
    downloads: list[DownloadRow] = []
    refund_amount: str = ""
    refund_reason: str = ""
    refund_error: str = ""
    is_confirm_open: bool = False
    is_refunding: bool = False
    _order_ref: str = ""

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        self._order_ref = str(getattr(self, "detail_order_ref", "") or "")
        try:
            detail = await dashboard.order_detail(session_token=await self._token(), order_public_id=self._order_ref)
        except CreatorlyError:
            self.is_found, self.is_loading = False, False
            return
        self.is_found = True
        self.order_public_id, self.status, self.product_title = detail.public_id, detail.status, detail.product_title
        self.status_label = detail.status_label
        self.buyer_email, self.amount_label, self.refunded_label = (
            detail.buyer_email,
            detail.amount_label,
            detail.refunded_label,
        )
        self.refundable_label, self.is_refundable = detail.refundable_amount_label, detail.refundable_amount > 0
        self.created = detail.created_at.strftime("%d %b %Y %H:%M UTC")
        self.paid = detail.paid_at.strftime("%d %b %Y %H:%M UTC") if detail.paid_at else "—"
        self.timeline = [
            TimelineRow(at=item.at.strftime("%d %b %Y %H:%M:%S"), label=item.label) for item in detail.timeline
        ]
        self.downloads = [
            DownloadRow(
                file_name=item.file_name,
                used_label=f"{item.used} of {item.limit}",
                is_revoked=item.is_revoked,
            )
            for item in detail.downloads
        ]
        self.is_loading = False
        yield None

    @rx.event
    def set_refund_amount(self, value: str) -> None:
        self.refund_amount = value

    @rx.event
    def set_refund_reason(self, value: str) -> None:
        self.refund_reason = value

    @rx.event
    def set_confirm_open(self, is_open: bool) -> None:
        self.is_confirm_open, self.refund_error = is_open, ""

    @rx.event
    async def refund(self) -> Events:
        if self.is_refunding:
            return
        self.is_refunding, self.refund_error = True, ""
        yield None
        try:
            await refunds.refund_order(
                session_token=await self._token(),
                order_public_id=self._order_ref,
                amount_text=self.refund_amount,
                reason=self.refund_reason,
            )
        except (InvalidInput, refunds.RefundExceedsPayment) as error:
            self.refund_error, self.is_refunding = error.message, False
            return
        except CreatorlyError as error:
            self.is_refunding, self.is_confirm_open = False, False
            yield toast.error(error.message)
            return
        self.is_refunding, self.is_confirm_open = False, False
        self.refund_amount, self.refund_reason = "", ""
        yield toast.success("Refund requested")
        yield OrderDetailState.load
