"""State of the tip jar shown on a storefront and on a paid order's page: the form, the goal and the wall."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, NotFound
from creatorly.services.tips import service as tips
from creatorly.services.tips.schemas import NewTip, TipJar, WallPage
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import leave_for, toast
from creatorly.ui.states.events import Events


@dataclass
class PresetView:
    label: str = ""
    text: str = ""


@dataclass
class WallView:
    key: str = ""
    supporter: str = ""
    message: str = ""  # plain text, rendered escaped
    amount_label: str = ""
    date_label: str = ""


class TipJarState(rx.State):
    """One creator's tip jar; the wall holds one page at a time."""

    is_available: bool = False
    creator_name: str = ""
    presets: list[PresetView] = []
    minimum_label: str = ""
    has_goal: bool = False
    goal_title: str = ""
    goal_raised_label: str = ""
    goal_label: str = ""
    goal_percent: int = 0
    amount_text: str = ""
    is_public: bool = True
    is_anonymous: bool = False
    buyer_email: str = ""
    is_sending: bool = False
    tip_error: str = ""
    wall: list[WallView] = []
    wall_page: int = 1
    wall_has_more: bool = False
    _handle: str = ""
    _checkout_key: str = ""

    @rx.event
    async def load_for_storefront(self, handle: str) -> None:
        """Show the jar and the wall's first page of the storefront's creator (reloaded on every visit)."""
        try:
            jar = await tips.get_tip_jar(handle=handle)
            wall = await tips.list_wall(handle=jar.handle)
        except NotFound:
            self.is_available = False
            return
        await self._show(jar)
        self._show_wall(wall)

    @rx.event
    async def load_for_order(self, order_public_id: str, key: str) -> None:
        """After a purchase: the jar of the creator the order was bought from (no wall on the order page)."""
        try:
            jar = await tips.tip_jar_for_order(order_public_id=order_public_id, key=key)
        except NotFound:
            self.is_available = False
            return
        await self._show(jar)
        self.wall, self.wall_page, self.wall_has_more = [], 1, False

    async def _show(self, jar: TipJar) -> None:
        auth = await self.get_state(AuthState)
        self._handle, self.creator_name = jar.handle, jar.creator_name
        self.presets = [PresetView(label=preset.label, text=preset.text) for preset in jar.presets]
        self.minimum_label = jar.minimum_label
        self.amount_text = jar.presets[len(jar.presets) // 2].text if jar.presets else ""
        self.has_goal = jar.goal is not None
        if jar.goal is not None:
            self.goal_title, self.goal_label = jar.goal.title, jar.goal.goal_label
            self.goal_raised_label, self.goal_percent = jar.goal.raised_label, jar.goal.percent
        self.buyer_email = auth.email
        self.is_public, self.is_anonymous, self.is_sending, self.tip_error = True, False, False, ""
        self._checkout_key = secrets.token_urlsafe(24)
        self.is_available = True

    def _show_wall(self, wall: WallPage) -> None:
        self.wall = [
            WallView(
                key=f"{wall.page}-{index}",
                supporter=entry.supporter,
                message=entry.message,
                amount_label=entry.amount_label,
                date_label=f"{entry.created_at:%d %b %Y}",
            )
            for index, entry in enumerate(wall.items)
        ]
        self.wall_page, self.wall_has_more = wall.page, wall.has_more

    @rx.event
    async def show_wall_page(self, page: int) -> Events:
        try:
            wall = await tips.list_wall(handle=self._handle, page=max(1, page))
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self._show_wall(wall)

    @rx.event
    def choose_amount(self, text: str) -> None:
        self.amount_text, self.tip_error = text, ""

    @rx.event
    def set_amount_text(self, text: str) -> None:
        self.amount_text = text

    @rx.event
    def set_is_public(self, is_public: bool) -> None:
        self.is_public = bool(is_public)

    @rx.event
    def set_is_anonymous(self, is_anonymous: bool) -> None:
        self.is_anonymous = bool(is_anonymous)

    @rx.event
    async def send(self, form: dict[str, str]) -> Events:
        """Open the tip order and hand the fan to the payment page; a double click pays once (one key)."""
        if self.is_sending or not self._handle:
            return
        self.is_sending, self.tip_error = True, ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            started = await tips.start_tip(
                NewTip(
                    handle=self._handle,
                    amount_text=self.amount_text,
                    buyer_email=form.get("email", ""),
                    checkout_key=self._checkout_key,
                    message=form.get("message", ""),
                    display_name=form.get("display_name", ""),
                    is_public=self.is_public,
                    is_anonymous=self.is_anonymous,
                    buyer_user_id=auth.signed_in_user_id() or None,
                )
            )
        except CreatorlyError as error:
            # Nothing usable was opened with this key (refused input, or a failed provider call): a fresh one.
            self._checkout_key = secrets.token_urlsafe(24)
            self.tip_error = error.message
            yield toast.error(error.message)
            return
        finally:
            self.is_sending = False
        # A full page load, not the router: the Stripe and Razorpay payment pages are served by the backend.
        await leave_for(self, started.redirect_url)
