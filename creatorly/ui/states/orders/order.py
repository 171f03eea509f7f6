"""State of the buyer's order page `/orders/{order_ref}?key=…`: status, files and download links."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from creatorly.errors import NotFound
from creatorly.services.delivery import service as delivery
from creatorly.services.delivery.service import OrderPage
from creatorly.ui.states.events import Events

POLL_INTERVAL_SECONDS = 2
POLL_ATTEMPTS = 30  # 60 seconds in all, then the page tells the buyer we'll email them
PAID_STATUSES = ("paid", "partially_refunded")  # OrderStatus values; the UI does not import models
WAITING_STATUSES = ("created", "pending")


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
            page = await delivery.get_order_page(order_public_id=self._order_public_id, key=self._key)
        except NotFound:
            self.is_missing, self.is_loading = True, False
            return
        self._show(page)
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
                    page = await delivery.get_order_page(order_public_id=order_public_id, key=key)
                except NotFound:
                    return
                async with self:
                    if self._order_public_id != order_public_id:
                        return  # the buyer opened another order meanwhile
                    self._show(page)
                if not page.is_waiting_for_payment:
                    return
            async with self:
                self.is_waiting_too_long = True
        finally:
            async with self:
                self._is_polling = False

    def _show(self, page: OrderPage) -> None:
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


def _downloads_left_label(count: int) -> str:
    if count == 0:
        return "No downloads left"
    return "1 download left" if count == 1 else f"{count} downloads left"
