"""States of `/admin/products` (search by title or creator, load more) and `/admin/products/[admin_product_id]`."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.admin import catalog_reads
from creatorly.services.admin import moderation as takedowns
from creatorly.services.admin.catalog_schemas import ProductDetail
from creatorly.ui import routes
from creatorly.ui.states.admin.creators import when
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.admin.listing import PAGE_SIZE, AdminListMixin
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


@dataclass
class ProductListRow:
    title: str = ""
    creator_handle: str = ""
    price: str = ""
    status: str = ""
    sold: int = 0
    href: str = ""


@dataclass
class FileRow:
    name: str = ""
    content_type: str = ""
    size: str = ""


class AdminProductsState(AdminListMixin, rx.State):
    query: str = ""
    rows: list[ProductListRow] = []

    def _take_search(self, form: dict[str, str]) -> None:
        self.query = form.get("query", "")

    async def _fetch_page(self, session_token: str, before_id: int | None) -> tuple[list[ProductListRow], int | None]:
        page = await catalog_reads.list_products(
            session_token=session_token, text=self.query, before_id=before_id, limit=PAGE_SIZE
        )
        rows = [
            ProductListRow(
                title=row.title,
                creator_handle=row.creator_handle,
                price=row.price_label,
                status=row.status.capitalize(),
                sold=row.sold_count,
                href=routes.admin_product(row.id),
            )
            for row in page.items
        ]
        return rows, page.next_cursor

    def _show_rows(self, rows: list[ProductListRow], *, more: bool) -> None:
        self.rows = [*self.rows, *rows] if more else rows


class AdminProductState(rx.State):
    """One product, and its takedown (unpublish with a reason: the creator is emailed and may appeal)."""

    is_allowed: bool = False
    is_working: bool = False
    is_found: bool = False
    product_id: int = 0
    title: str = ""
    creator_handle: str = ""
    creator_name: str = ""
    creator_href: str = ""
    price: str = ""
    status: str = ""
    is_published: bool = False
    public_href: str = ""
    sales_count: int = 0
    created: str = ""
    files: list[FileRow] = []

    @rx.event
    async def load(self) -> Events:
        token = await session_token_of(self)
        refused = await admin_refusal(self)
        self.is_allowed = not refused
        if refused:
            for event in refused:
                yield event
            return
        raw = str(getattr(self, "admin_product_id", "") or "")
        try:
            detail = await catalog_reads.product_detail(session_token=token, product_id=int(raw))
        except (ValueError, CreatorlyError):
            self.is_found = False
            return
        self._show(detail)

    def _show(self, detail: ProductDetail) -> None:
        self.is_found, self.product_id, self.title = True, detail.id, detail.title
        self.creator_handle, self.creator_name = detail.creator_handle, detail.creator_name
        self.creator_href, self.price = routes.admin_creator(detail.creator_id), detail.price_label
        self.status, self.is_published = detail.status.capitalize(), detail.is_published
        self.public_href, self.sales_count = detail.public_url, detail.sales_count
        self.created = when(detail.created_at)
        self.files = [FileRow(line.name, line.content_type, line.size_label) for line in detail.files]

    @rx.event
    async def unpublish(self, form: dict[str, str]) -> Events:
        if self.is_working or not self.product_id:
            return
        self.is_working = True
        yield
        token = await session_token_of(self)
        try:
            await takedowns.unpublish_product(
                session_token=token, product_id=self.product_id, reason=form.get("reason", "")
            )
            self._show(await catalog_reads.product_detail(session_token=token, product_id=self.product_id))
        except CreatorlyError as error:
            self.is_working = False
            yield toast.error(error.message)
            return
        self.is_working = False
        yield toast.success("Product unpublished. The creator has been emailed and may appeal.")
