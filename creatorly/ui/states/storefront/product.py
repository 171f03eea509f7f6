"""State of the public product page `/{handle}/{slug}`."""

from __future__ import annotations

import secrets

import reflex as rx

from creatorly.errors import CreatorlyError, NotFound
from creatorly.services.analytics.rules import EventKind
from creatorly.services.catalog import service as catalog
from creatorly.services.checkout import service as checkout
from creatorly.services.memberships import member_products
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import count_page_view, leave_for, toast
from creatorly.ui.states.events import Events

FREE_PRICING = "free"  # catalog's PricingModel.FREE; the UI does not import models
PAY_WHAT_YOU_WANT = "pay_what_you_want"


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
    report_href: str = ""
    buy_label: str = "Buy now"
    is_sold_out: bool = False
    is_pay_what_you_want: bool = False
    minimum_amount: str = ""
    suggested_amount: str = ""
    is_checkout_open: bool = False
    is_paying: bool = False
    checkout_error: str = ""
    buyer_email: str = ""
    members_free_tier: str = ""  # the tier whose members (and higher ones') get it free; "" when none
    is_member_free: bool = False  # the reader is such a member now
    join_href: str = ""
    is_claiming: bool = False
    _loaded_path: str = ""
    _handle: str = ""
    _slug: str = ""
    _checkout_key: str = ""

    @rx.var
    def page_title(self) -> str:
        """The tab title follows the product on screen, so hydration never replaces the server's title."""
        if self.is_missing:
            return "Product not found · Creatorly"
        if not self.title:
            return "Product · Creatorly"
        by = f" by {self.creator_name}" if self.creator_name else ""
        return f"{self.title}{by} · Creatorly"

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
        self.is_pay_what_you_want = product.pricing == PAY_WHAT_YOU_WANT
        self.minimum_amount, self.suggested_amount = product.minimum_amount_text, product.suggested_amount_text
        self._handle, self._slug = product.handle, product.slug
        self.report_href = routes.report("product", product.product_id)
        self.buy_label = _buy_label(product.pricing, is_sold_out=product.is_sold_out)
        await self._load_member_offer()
        self.is_missing, self.is_loading = False, False
        self._loaded_path = routes.product(handle, slug)
        await count_page_view(self, EventKind.PRODUCT_VIEW, product.handle, product.slug)
        if self.router.url.query_parameters.get("buy") != "1":
            # Coming back (from the payment page, say) shows the product, not the checkout left open in this tab.
            self.is_checkout_open = False
        elif not self.is_sold_out and not self.is_checkout_open:
            # A shared "Buy" link (also the no-JavaScript page's) lands with the checkout open.
            auth = await self.get_state(AuthState)
            self._checkout_key = secrets.token_urlsafe(24)
            self.buyer_email, self.checkout_error, self.is_checkout_open = auth.email, "", True

    async def _load_member_offer(self) -> None:
        token = (await self.get_state(AuthState)).session_token
        try:
            offer = await member_products.member_offer(handle=self._handle, slug=self._slug, session_token=token)
        except CreatorlyError:
            offer = member_products.MemberOffer()
        self.members_free_tier, self.is_member_free = offer.tier_name, offer.is_eligible
        self.join_href = routes.storefront_tiers(self._handle)

    @rx.event
    async def claim_as_member(self) -> Events:
        """A member of the product's tier or above gets it free: one order, however often they click."""
        if self.is_claiming:
            return
        self.is_claiming = True
        yield None
        token = (await self.get_state(AuthState)).session_token
        try:
            started = await member_products.claim_member_product(
                handle=self._handle, slug=self._slug, session_token=token
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_claiming = False
        await leave_for(self, started.redirect_url)

    @rx.event
    async def buy(self) -> Events:
        """Open the checkout form; one key per attempt makes a double-click pay once."""
        auth = await self.get_state(AuthState)
        self._checkout_key = secrets.token_urlsafe(24)
        self.buyer_email, self.checkout_error, self.is_checkout_open = auth.email, "", True
        yield None

    @rx.event
    def set_checkout_open(self, is_open: bool) -> None:
        self.is_checkout_open = is_open

    @rx.event
    async def pay(self, form: dict[str, str]) -> Events:
        if self.is_paying:
            return
        self.is_paying, self.checkout_error = True, ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            started = await checkout.start_checkout(
                handle=self._handle,
                slug=self._slug,
                buyer_email=form.get("email", ""),
                amount_text=form.get("amount", ""),
                checkout_key=self._checkout_key,
                buyer_user_id=auth.signed_in_user_id() or None,
                discount_code=form.get("discount_code", ""),
            )
        except CreatorlyError as error:
            self.checkout_error = error.message
            yield toast.error(error.message)
            return
        finally:
            self.is_paying = False
        # A full page load, not the router: the Stripe and Razorpay payment pages are served by the backend.
        await leave_for(self, started.redirect_url)


def _buy_label(pricing: str, *, is_sold_out: bool) -> str:
    if is_sold_out:
        return "Sold out"
    return "Get it free" if pricing == FREE_PRICING else "Buy now"
