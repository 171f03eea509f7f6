"""State of the buyer's order page `/orders/{order_ref}?key=…`: status, files and download links (or the tip)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from creatorly.errors import NotFound
from creatorly.services.delivery import service as delivery
from creatorly.services.delivery.service import OrderPage
from creatorly.services.memberships import library as memberships
from creatorly.services.sessions import receipt as sessions
from creatorly.services.sessions.schemas import SessionReceipt
from creatorly.services.tips import service as tips
from creatorly.services.tips.schemas import TipReceipt
from creatorly.ui import routes
from creatorly.ui.states.events import Events
from creatorly.ui.states.storefront.tips import TipJarState

POLL_INTERVAL_SECONDS = 2
POLL_ATTEMPTS = 30  # 60 seconds in all, then the page tells the buyer we'll email them
PAID_STATUSES = ("paid", "partially_refunded")  # OrderStatus values; the UI does not import models
WAITING_STATUSES = ("created", "pending")
_TIP_STATUS_LABELS = {
    "paid": "Paid",
    "partially_refunded": "Paid (partly refunded)",
    "refunded": "Refunded",
    "failed": "Payment failed",
    "expired": "Checkout expired",
}


@dataclass
class DownloadView:
    """One purchased file as shown: `href` is empty when it can no longer be downloaded."""

    file_name: str = ""
    size_label: str = ""
    href: str = ""
    downloads_left_label: str = ""
    expires_label: str = ""
    is_available: bool = False
    button_label: str = ""


class OrderPageState(rx.State):
    """Loads the order the signed link names; while payment is pending, polls until the webhook lands."""

    is_loading: bool = True
    is_missing: bool = False
    is_waiting_too_long: bool = False
    status: str = ""
    status_label: str = ""
    product_title: str = ""
    creator_name: str = ""
    amount_label: str = ""
    paid_at_label: str = ""
    downloads: list[DownloadView] = []
    is_tip: bool = False
    tip_message: str = ""
    storefront_href: str = ""
    is_membership: bool = False
    is_session: bool = False
    session_when_label: str = ""
    booking_href: str = ""
    _order_public_id: str = ""
    _key: str = ""
    _is_polling: bool = False

    @rx.var
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES

    @rx.var
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES

    @rx.event
    async def load(self) -> Events:
        self._order_public_id = str(getattr(self, "order_ref", "") or "")
        self._key = self.router.url.query_parameters.get("key", "")
        self.is_loading, self.is_missing, self.is_waiting_too_long = True, False, False
        try:
            page, tip, booked = await _order_page(self._order_public_id, self._key)
        except NotFound:
            self.is_missing, self.is_loading = True, False
            return
        self._show(page, tip, booked)
        if tip is None and booked is None:
            # After a purchase the fan may tip the same creator (shown once the order is paid).
            yield TipJarState.load_for_order(self._order_public_id, self._key)
        if page.is_waiting_for_payment:
            yield OrderPageState.wait_for_payment

    @rx.event(background=True)
    async def wait_for_payment(self) -> None:
        async with self:
            if self._is_polling:
                return
            self._is_polling = True
            order_public_id, key = self._order_public_id, self._key
        try:
            for _ in range(POLL_ATTEMPTS):
                await asyncio.sleep(POLL_INTERVAL_SECONDS)
                try:
                    page, tip, booked = await _order_page(order_public_id, key)
                except NotFound:
                    return
                async with self:
                    if self._order_public_id != order_public_id:
                        return  # the buyer opened another order meanwhile
                    self._show(page, tip, booked)
                if not page.is_waiting_for_payment:
                    return
            async with self:
                self.is_waiting_too_long = True
        finally:
            async with self:
                self._is_polling = False

    def _show(self, page: OrderPage, tip: TipReceipt | None = None, booked: SessionReceipt | None = None) -> None:
        self.is_tip = tip is not None
        self.is_session = booked is not None
        self.session_when_label = f"{booked.when_label}" if booked is not None else ""
        self.booking_href = booked.booking_path if booked is not None else ""
        self.is_membership = page.product_title.startswith(memberships.RECEIPT_TITLE_PREFIX)
        self.tip_message = tip.message if tip is not None else ""
        self.storefront_href = routes.storefront(tip.handle) if tip is not None else ""
        self.status, self.status_label = page.status, page.status_label
        self.product_title, self.creator_name, self.amount_label = (
            page.product_title,
            page.creator_name,
            page.amount_label,
        )
        self.paid_at_label = f"{page.paid_at:%d %b %Y, %H:%M} UTC" if page.paid_at is not None else ""
        self.downloads = [
            DownloadView(
                file_name=link.file_name,
                size_label=link.size_label,
                href=link.url,
                downloads_left_label=_downloads_left_label(link.downloads_left),
                expires_label=link.expires_label,
                is_available=link.is_available,
                button_label=f"Download {link.file_name}",
            )
            for link in page.downloads
        ]
        self.is_missing, self.is_loading = False, False


async def _order_page(order_public_id: str, key: str) -> tuple[OrderPage, TipReceipt | None, SessionReceipt | None]:
    """A product order's page; a tip order (which has no files) as the same page plus its tip; a session order
    with its booking; a membership charge."""
    try:
        return await delivery.get_order_page(order_public_id=order_public_id, key=key), None, None
    except NotFound:
        try:
            tip = await tips.get_tip_receipt(order_public_id=order_public_id, key=key)
        except NotFound:
            try:
                return _session_page(await sessions.get_session_receipt(order_public_id=order_public_id, key=key))
            except NotFound:  # a membership charge: its receipt
                return await memberships.membership_receipt(order_public_id=order_public_id, key=key), None, None
    page = OrderPage(
        order_public_id=tip.order_public_id,
        status=tip.status,
        status_label=_TIP_STATUS_LABELS.get(tip.status, "Waiting for your payment…"),
        product_title="Tip",
        creator_name=tip.creator_name,
        amount_label=tip.amount_label,
        paid_at=tip.paid_at,
    )
    return page, tip, None


def _session_page(booked: SessionReceipt) -> tuple[OrderPage, None, SessionReceipt]:
    page = OrderPage(
        order_public_id=booked.order_public_id,
        status=booked.status,
        status_label=booked.status_label,
        product_title=booked.title,
        creator_name=booked.creator_name,
        amount_label=booked.amount_label,
        paid_at=booked.paid_at,
    )
    return page, None, booked


def _downloads_left_label(count: int) -> str:
    if count == 0:
        return "No downloads left"
    return "1 download left" if count == 1 else f"{count} downloads left"
