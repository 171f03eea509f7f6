"""State of `/dashboard/discounts`: the creator's discount codes, a form to add one, and deactivation."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.catalog import manage
from creatorly.services.creators.service import NotACreator
from creatorly.services.discounts import service as discounts
from creatorly.services.discounts.service import DiscountRow
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

ARCHIVED = "archived"  # catalog's ProductStatus.ARCHIVED; the UI does not import models


@dataclass
class DiscountListItem:
    id: int = 0
    code: str = ""
    value_label: str = ""
    scope_label: str = ""
    window_label: str = ""
    redemptions_label: str = ""
    status_label: str = ""
    is_active: bool = False


@dataclass
class ProductOption:
    slug: str = ""
    title: str = ""


class DiscountsState(rx.State):
    is_loading: bool = True
    is_saving: bool = False
    discounts: list[DiscountListItem] = []
    product_options: list[ProductOption] = []
    kind: str = "percent"
    form_error: str = ""
    form_version: int = 0  # bumped after a save so the form remounts empty

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.var
    def amount_hint(self) -> str:
        if self.kind == "percent":
            return "Percent off, like 10 or 12.5."
        return "Money off, in the product's currency (your store's for all products), like 5.00."

    @rx.event
    def set_kind(self, kind: str) -> None:
        self.kind = kind

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        token = await self._token()
        try:
            rows = await discounts.list_discounts(session_token=token)
            products = await manage.list_my_products(session_token=token)
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.discounts = [_item(row) for row in rows]
        self.product_options = [
            ProductOption(slug=product.slug, title=product.title) for product in products if product.status != ARCHIVED
        ]
        self.is_loading = False

    @rx.event
    async def create(self, form: dict[str, str]) -> Events:
        if self.is_saving:
            return
        self.is_saving, self.form_error = True, ""
        yield None
        try:
            await discounts.create_discount(
                session_token=await self._token(),
                code=form.get("code", ""),
                kind=form.get("kind", ""),
                value_text=form.get("value", ""),
                product_slug=form.get("product", "") or None,
                starts_at=form.get("starts_at", ""),
                ends_at=form.get("ends_at", ""),
                max_redemptions=form.get("max_redemptions", ""),
            )
        except CreatorlyError as error:
            self.form_error = error.message
            yield toast.error(error.message)
            return
        finally:
            self.is_saving = False
        self.form_version += 1
        self.kind = "percent"
        yield toast.success("Discount code created.")
        yield DiscountsState.load

    @rx.event
    async def deactivate(self, discount_id: int) -> Events:
        try:
            await discounts.deactivate_discount(session_token=await self._token(), discount_id=discount_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("Discount code deactivated.")
        yield DiscountsState.load


def _item(row: DiscountRow) -> DiscountListItem:
    return DiscountListItem(
        id=row.id,
        code=row.code,
        value_label=row.value_label,
        scope_label=row.scope_label,
        window_label=row.window_label,
        redemptions_label=row.redemptions_label,
        status_label=row.status_label,
        is_active=row.is_active,
    )
