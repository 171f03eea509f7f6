"""State of the public product page `/{handle}/{slug}`."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import NotFound
from creatorly.services.catalog import service as catalog
from creatorly.ui import routes
from creatorly.ui.states.events import Events

CHECKOUT_COMING_MESSAGE = "Checkout is coming in the next release — subscribe to the creator to hear when it opens."
FREE_PRICING = "free"  # catalog's PricingModel.FREE; the UI does not import models


class ProductState(rx.State):
    """Loads the published product named by the route; drafts and unknown products show `is_missing`."""

    is_loading: bool = True
    is_missing: bool = False
    title: str = ""
    summary: str = ""
    description_html: str = ""
    price_label: str = ""
    cover_url: str = ""
    category_label: str = ""
    tags: list[str] = []
    files_label: str = ""
    creator_name: str = ""
    creator_href: str = ""
    buy_label: str = "Buy now"
    is_sold_out: bool = False
    _loaded_path: str = ""

    @rx.event
    async def load(self) -> Events:
        handle = str(getattr(self, "store_handle", "") or "")
        slug = str(getattr(self, "product_slug", "") or "")
        if routes.product(handle, slug) != self._loaded_path:
            # Another product than the one on screen: show the skeleton, not the previous product.
            self.is_loading, self.is_missing = True, False
            yield None
        try:
            product = await catalog.get_product_page(handle=handle, slug=slug)
        except NotFound:
            self.is_missing, self.is_loading, self._loaded_path = True, False, ""
            return
        self.title, self.summary, self.description_html = product.title, product.summary, product.description_html
        self.price_label, self.cover_url = product.price_label, product.cover_url
        self.category_label, self.tags = product.category_label, list(product.tags)
        self.files_label = f"{product.file_count} file" if product.file_count == 1 else f"{product.file_count} files"
        self.creator_name, self.creator_href = product.creator_name, routes.storefront(product.handle)
        self.is_sold_out = product.is_sold_out
        self.buy_label = _buy_label(product.pricing, is_sold_out=product.is_sold_out)
        self.is_missing, self.is_loading = False, False
        self._loaded_path = routes.product(handle, slug)

    @rx.event
    async def buy(self) -> Events:
        # Checkout ships in the next release; until then the button says so instead of pretending.
        yield rx.toast.info(CHECKOUT_COMING_MESSAGE, duration=8000)


def _buy_label(pricing: str, *, is_sold_out: bool) -> str:
    if is_sold_out:
        return "Sold out"
    return "Get it free" if pricing == FREE_PRICING else "Buy now"
