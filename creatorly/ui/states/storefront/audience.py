"""States of the emailed audience links: confirm a subscription, unsubscribe in one click."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.audience import service as audience
from creatorly.ui import routes


class AudienceConfirmState(rx.State):
    """Opening the link confirms the subscription; opening it again answers the same."""

    is_loading: bool = True
    is_confirmed: bool = False
    error: str = ""
    creator_name: str = ""
    creator_href: str = ""
    email: str = ""

    @rx.event
    async def load(self) -> None:
        self.is_loading, self.is_confirmed, self.error = True, False, ""
        try:
            confirmed = await audience.confirm_subscription(token=self.router.url.query_parameters.get("token", ""))
        except CreatorlyError as error:
            self.error = error.message
        else:
            self.is_confirmed, self.email = True, confirmed.email
            self.creator_name = confirmed.creator_display_name
            self.creator_href = routes.storefront(confirmed.creator_handle)
        self.is_loading = False


class AudienceUnsubscribeState(rx.State):
    """One click: the address is unsubscribed as soon as the page loads, with nothing else to press."""

    is_loading: bool = True
    is_unsubscribed: bool = False
    error: str = ""
    creator_name: str = ""
    creator_href: str = ""
    email: str = ""

    @rx.event
    async def load(self) -> None:
        self.is_loading, self.is_unsubscribed, self.error = True, False, ""
        try:
            result = await audience.unsubscribe(token=self.router.url.query_parameters.get("token", ""))
        except CreatorlyError as error:
            self.error = error.message
        else:
            self.is_unsubscribed, self.email = True, result.email
            self.creator_name = result.creator_display_name or ""
            self.creator_href = routes.storefront(result.creator_handle) if result.creator_handle else ""
        self.is_loading = False
