"""State of the buyer's library `/library`: signed-in buyers' orders, or an emailed link's orders, or the form."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.accounts.errors import NotAuthenticated
from creatorly.services.delivery import library
from creatorly.services.delivery.library import Library
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.events import Events

SENT_MESSAGE = "If there are purchases for that address, we've emailed it a link to them. The link works for one hour."


@dataclass
class LibraryItem:
    product_title: str = ""
    creator_name: str = ""
    amount_label: str = ""
    status_label: str = ""
    ordered_on: str = ""
    order_url: str = ""
    link_label: str = ""


class LibraryState(rx.State):
    """`is_showing_orders` once a signed-in user or a valid link is known; the email form otherwise."""

    is_loading: bool = True
    is_showing_orders: bool = False
    email: str = ""
    items: list[LibraryItem] = []
    link_error: str = ""
    form_error: str = ""
    sent_message: str = ""
    is_sending: bool = False

    @rx.event
    async def load(self) -> Events:
        self.is_loading, self.link_error, self.form_error, self.sent_message = True, "", "", ""
        key = self.router.url.query_parameters.get("key", "")
        try:
            if key:
                self._show(await library.library_from_key(key=key))
            else:
                await self._show_signed_in()
        except CreatorlyError as error:
            self.is_showing_orders, self.items, self.link_error = False, [], error.message
        self.is_loading = False
        yield None

    async def _show_signed_in(self) -> None:
        auth = await self.get_state(AuthState)
        self.is_showing_orders, self.items = False, []
        if not auth.session_token:
            return
        try:
            self._show(await library.list_my_library(session_token=auth.session_token))
        except NotAuthenticated:
            return

    @rx.event
    async def request_link(self, form: dict[str, str]) -> Events:
        if self.is_sending:
            return
        self.is_sending, self.form_error, self.sent_message = True, "", ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            await library.request_library_link(email_address=form.get("email", ""), requester=auth.requester())
        except CreatorlyError as error:
            self.form_error = error.message
            return
        finally:
            self.is_sending = False
        self.sent_message = SENT_MESSAGE

    def _show(self, found: Library) -> None:
        self.email, self.is_showing_orders = found.email, True
        self.items = [
            LibraryItem(
                product_title=entry.product_title,
                creator_name=entry.creator_name,
                amount_label=entry.amount_label,
                status_label=entry.status_label,
                ordered_on=f"{entry.ordered_at:%d %b %Y}",
                order_url=entry.order_url,
                link_label=f"Open order for {entry.product_title}",
            )
            for entry in found.entries
        ]
