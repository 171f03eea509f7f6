"""State of the public storefront page `/{handle}`."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import NotFound
from creatorly.services.catalog import service as catalog
from creatorly.ui import routes


@dataclass
class StorefrontProduct:
    title: str = ""
    summary: str = ""
    price_label: str = ""
    href: str = ""


class StorefrontState(rx.State):
    """Loads the storefront named by the route; `is_missing` shows the friendly not-found view."""

    is_loading: bool = True
    is_missing: bool = False
    display_name: str = ""
    handle: str = ""
    bio: str = ""
    products: list[StorefrontProduct] = []

    @rx.event
    async def load(self) -> None:
        self.is_loading = True
        requested = str(getattr(self, "store_handle", "") or "")
        try:
            storefront = await catalog.get_storefront(handle=requested)
        except NotFound:
            self.is_missing, self.is_loading, self.products = True, False, []
            return
        self.is_missing = False
        self.display_name, self.handle, self.bio = storefront.display_name, storefront.handle, storefront.bio
        self.products = [
            StorefrontProduct(
                title=card.title,
                summary=card.summary,
                price_label=card.price_label,
                href=routes.product(storefront.handle, card.slug),
            )
            for card in storefront.products
        ]
        self.is_loading = False
