"""State of the public storefront page `/{handle}`: the creator, their products, the email sign-up (and the tip jar)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import reflex as rx

from creatorly.errors import CreatorlyError, NotFound
from creatorly.services.analytics.rules import EventKind
from creatorly.services.audience import service as audience
from creatorly.services.catalog import service as catalog
from creatorly.services.catalog.schemas import ProductCard
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import count_page_view, toast
from creatorly.ui.states.events import Events
from creatorly.ui.states.storefront.tips import TipJarState

SUBSCRIBED_MESSAGE = "Check your inbox to confirm."

# Well-known hosts get their proper name; any other link shows its bare host name.
_SITE_NAMES = {
    "instagram.com": "Instagram",
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "x.com": "X",
    "twitter.com": "X",
    "tiktok.com": "TikTok",
    "github.com": "GitHub",
    "linkedin.com": "LinkedIn",
    "facebook.com": "Facebook",
    "twitch.tv": "Twitch",
    "behance.net": "Behance",
    "dribbble.com": "Dribbble",
    "patreon.com": "Patreon",
    "substack.com": "Substack",
    "bsky.app": "Bluesky",
    "threads.net": "Threads",
    "pinterest.com": "Pinterest",
    "soundcloud.com": "SoundCloud",
    "bandcamp.com": "Bandcamp",
    "vimeo.com": "Vimeo",
}


@dataclass
class CardView:
    """A product card ready to show; `href` is the product page, `creator_href` the creator's storefront."""

    title: str = ""
    summary: str = ""
    price_label: str = ""
    cover_url: str = ""
    href: str = ""
    creator_name: str = ""
    creator_href: str = ""


@dataclass
class SocialLink:
    """A creator's link: known networks by name (Instagram, YouTube…), any other site by its host name."""

    url: str = ""
    label: str = ""
    is_social_network: bool = False


def to_card_view(card: ProductCard) -> CardView:
    return CardView(
        title=card.title,
        summary=card.summary,
        price_label=card.price_label,
        cover_url=card.cover_url,
        href=routes.product(card.creator_handle, card.slug),
        creator_name=card.creator_name,
        creator_href=routes.storefront(card.creator_handle),
    )


def to_social_link(url: str) -> SocialLink:
    host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("m.")
    site = _SITE_NAMES.get(host) or next(
        (name for domain, name in _SITE_NAMES.items() if host.endswith(f".{domain}")), None
    )
    return SocialLink(url=url, label=site or host or url, is_social_network=site is not None)


class StorefrontState(rx.State):
    """Loads the storefront named by the route; `is_missing` shows the friendly not-found view."""

    is_loading: bool = True
    is_missing: bool = False
    is_unavailable: bool = False  # a suspended storefront: not found, with words that don't deny it exists
    display_name: str = ""
    handle: str = ""
    bio_html: str = ""
    avatar_url: str = ""
    banner_url: str = ""
    report_href: str = ""
    social_links: list[SocialLink] = []
    products: list[CardView] = []
    is_subscribing: bool = False
    is_subscribed: bool = False
    subscribe_error: str = ""

    @rx.var
    def page_title(self) -> str:
        """The tab title follows the creator on screen, so hydration never replaces the server's name."""
        if self.is_missing:
            return "Storefront unavailable · Creatorly" if self.is_unavailable else "Storefront not found · Creatorly"
        return f"{self.display_name} · Creatorly" if self.display_name else "Storefront · Creatorly"

    @rx.event
    async def load(self) -> Events:
        requested = str(getattr(self, "store_handle", "") or "")
        self.is_subscribing, self.is_subscribed, self.subscribe_error = False, False, ""
        if requested.casefold() != self.handle.casefold():
            # Another creator than the one on screen: show the skeleton, not the previous storefront.
            self.is_loading, self.is_missing = True, False
            yield None
        try:
            storefront = await catalog.get_storefront(handle=requested)
        except NotFound as error:
            self.is_missing, self.is_loading, self.handle, self.products = True, False, "", []
            self.is_unavailable = isinstance(error, catalog.StorefrontUnavailable)
            return
        self.is_missing, self.is_unavailable = False, False
        self.display_name, self.handle, self.bio_html = storefront.display_name, storefront.handle, storefront.bio_html
        self.avatar_url, self.banner_url = storefront.avatar_url, storefront.banner_url
        self.report_href = routes.report("storefront", storefront.creator_id)
        self.social_links = [to_social_link(url) for url in storefront.social_links]
        self.products = [to_card_view(card) for card in storefront.products]
        self.is_loading = False
        await count_page_view(self, EventKind.STOREFRONT_VIEW, storefront.handle)
        yield None
        # The tip jar, its goal and the wall are read fresh on every visit (after the fan's own tip too).
        yield TipJarState.load_for_storefront(storefront.handle)

    @rx.event
    async def subscribe(self, form: dict[str, str]) -> Events:
        self.is_subscribing, self.subscribe_error = True, ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            await audience.subscribe(handle=self.handle, email=form.get("email", ""), requester=auth.requester())
        except CreatorlyError as error:
            self.subscribe_error = error.message
            yield toast.error(error.message)
        else:
            # The same answer whether or not the address was already on the list.
            self.is_subscribed = True
        finally:
            self.is_subscribing = False
