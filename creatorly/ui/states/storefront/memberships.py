"""State of the storefront's membership sections: published tiers with the join form, and the posts list."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.memberships import join, posts, tiers
from creatorly.services.memberships.content_schemas import PostCard, PublicTier
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import leave_for, toast
from creatorly.ui.states.events import Events


@dataclass
class PriceOption:
    interval: str = ""
    label: str = ""


@dataclass
class TierView:
    public_id: str = ""
    name: str = ""
    description_html: str = ""
    benefits: list[str] = field(default_factory=list)
    trial_label: str = ""
    prices: list[PriceOption] = field(default_factory=list)
    is_full: bool = False


@dataclass
class PostCardView:
    title: str = ""
    teaser: str = ""
    date: str = ""
    href: str = ""
    image_url: str = ""
    lock_label: str = ""
    is_locked: bool = False


def to_tier_view(tier: PublicTier) -> TierView:
    trial = "" if not tier.trial_days else f"{tier.trial_days}-day free trial"
    return TierView(
        public_id=tier.public_id,
        name=tier.name,
        description_html=tier.description_html,
        benefits=list(tier.benefits),
        trial_label=trial,
        prices=[PriceOption(interval=price.interval, label=price.label) for price in tier.prices],
        is_full=tier.is_full,
    )


def to_post_card_view(handle: str, card: PostCard) -> PostCardView:
    return PostCardView(
        title=card.title,
        teaser=card.teaser,
        date=card.published_at.strftime("%d %b %Y"),
        href=routes.post(handle, card.slug),
        image_url=card.image_url,
        lock_label=card.audience_label,
        is_locked=card.is_locked,
    )


class StorefrontMembershipState(rx.State):
    """Loads with the storefront (same route argument); the join dialog hands off to the payment page."""

    tiers: list[TierView] = []
    posts: list[PostCardView] = []
    is_join_open: bool = False
    join_tier_name: str = ""
    join_prices: list[PriceOption] = []
    join_default_interval: str = ""
    join_email: str = ""
    join_error: str = ""
    is_joining: bool = False
    _handle: str = ""
    _join_tier_id: str = ""
    _checkout_key: str = ""

    @rx.event
    async def load(self) -> None:
        handle = str(getattr(self, "store_handle", "") or "")
        auth = await self.get_state(AuthState)
        self.is_join_open, self.join_error, self._handle = False, "", handle
        try:
            public_tiers = await tiers.list_public_tiers(handle=handle)
            cards = await posts.list_public_posts(handle=handle, session_token=auth.session_token)
        except CreatorlyError:
            self.tiers, self.posts = [], []
            return
        self.tiers = [to_tier_view(tier) for tier in public_tiers]
        self.posts = [to_post_card_view(handle.casefold(), card) for card in cards]

    @rx.event
    async def open_join(self, tier_public_id: str) -> None:
        """Open the join form for a tier; one key per attempt makes a double-click start one subscription."""
        tier = next((tier for tier in self.tiers if tier.public_id == tier_public_id), None)
        if tier is None or tier.is_full:
            return
        auth = await self.get_state(AuthState)
        self._join_tier_id, self._checkout_key = tier.public_id, secrets.token_urlsafe(24)
        self.join_tier_name, self.join_prices = tier.name, list(tier.prices)
        monthly = [price.interval for price in tier.prices if price.interval == "monthly"]
        self.join_default_interval = (monthly or [price.interval for price in tier.prices] or [""])[0]
        self.join_email, self.join_error, self.is_join_open = auth.email, "", True

    @rx.event
    def set_join_open(self, is_open: bool) -> None:
        self.is_join_open = is_open

    @rx.event
    async def join(self, form: dict[str, str]) -> Events:
        if self.is_joining:
            return
        self.is_joining, self.join_error = True, ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            started = await join.start_join(
                handle=self._handle,
                tier_public_id=self._join_tier_id,
                interval=form.get("interval", self.join_default_interval),
                buyer_email=form.get("email", ""),
                checkout_key=self._checkout_key,
                buyer_user_id=auth.signed_in_user_id() or None,
            )
        except CreatorlyError as error:
            self.join_error = error.message
            yield toast.error(error.message)
            return
        finally:
            self.is_joining = False
        # A full page load, not the router: the Stripe and Razorpay payment pages are served by the backend.
        await leave_for(self, started.redirect_url)
