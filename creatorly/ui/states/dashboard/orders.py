"""State of `/dashboard/orders`: the creator's orders with a status filter, a search, pages and CSV export."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.creators.service import NotACreator
from creatorly.services.orders import dashboard
from creatorly.services.orders.status_labels import ORDER_STATUS_LABELS
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

PAGE_SIZE = 50
ALL = "all"
# The status filter's choices: (value, what the creator reads).
STATUS_FILTERS = [(ALL, "All orders"), *((str(status), label) for status, label in ORDER_STATUS_LABELS.items())]


@dataclass
class OrderListRow:
    public_id: str = ""
    created: str = ""
    product_title: str = ""
    buyer_email: str = ""
    amount_label: str = ""
    refunded_label: str = ""
    status: str = ""
    status_label: str = ""
    detail_url: str = ""


class OrdersState(rx.State):
    rows: list[OrderListRow] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    status_filter: str = ALL
    search_text: str = ""
    is_loading: bool = True

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        try:
            result = await dashboard.list_orders(
                session_token=await self._token(),
                status=None if self.status_filter == ALL else self.status_filter,
                text=self.search_text,
                page=self.page,
                page_size=PAGE_SIZE,
            )
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.rows = [
            OrderListRow(
                public_id=item.public_id,
                created=item.created_at.strftime("%d %b %Y %H:%M"),
                product_title=item.product_title,
                buyer_email=item.buyer_email,
                amount_label=item.amount_label,
                refunded_label=item.refunded_label or "—",
                status=item.status,
                status_label=item.status_label,
                detail_url=routes.order_detail(item.public_id),
            )
            for item in result.items
        ]
        self.total, self.page_count, self.is_loading = result.total, result.page_count, False

    @rx.event
    def filter_by(self, status: str) -> Events:  # type: ignore[misc]
        self.status_filter, self.page = status or ALL, 1
        yield OrdersState.load

    @rx.event
    def search(self, form: dict[str, str]) -> Events:  # type: ignore[misc]
        self.search_text, self.page = str(form.get("search", "")).strip(), 1
        yield OrdersState.load

    @rx.event
    def go_to_page(self, page: int) -> Events:  # type: ignore[misc]
        self.page = max(1, min(page, self.page_count))
        yield OrdersState.load

    @rx.event
    async def export_csv(self) -> Events:
        try:
            text = await dashboard.export_orders_csv(session_token=await self._token())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(data=text, filename="creatorly-orders.csv", mime_type="text/csv")
