"""State of `/dashboard/products`: the creator's products with status, price, files and sales."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.catalog import manage
from creatorly.services.catalog.schemas import ProductInput
from creatorly.services.creators.service import NotACreator
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


@dataclass
class ProductListItem:
    id: int = 0
    title: str = ""
    status: str = ""
    price_label: str = ""
    file_count: int = 0
    sold_count: int = 0
    updated: str = ""
    edit_url: str = ""


class ProductsState(rx.State):
    is_loading: bool = True
    products: list[ProductListItem] = []

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        try:
            rows = await manage.list_my_products(session_token=await self._token())
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.products = [
            ProductListItem(
                id=row.id,
                title=row.title,
                status=row.status,
                price_label=row.price_label,
                file_count=row.file_count,
                sold_count=row.sold_count,
                updated=row.updated_at.strftime("%d %b %Y"),
                edit_url=routes.product_editor(row.id),
            )
            for row in rows
        ]
        self.is_loading = False

    @rx.event
    async def create(self) -> Events:
        try:
            product_id = await manage.create_product(
                session_token=await self._token(), values=ProductInput(title="Untitled product", price="10")
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.redirect(routes.product_editor(product_id))

    @rx.event
    async def change_status(self, product_id: int, status: str) -> Events:
        try:
            await manage.set_status(session_token=await self._token(), product_id=product_id, status=status)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield ProductsState.load

    @rx.event
    async def delete(self, product_id: int) -> Events:
        try:
            await manage.delete_product(session_token=await self._token(), product_id=product_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("Product deleted.")
        yield ProductsState.load
