"""State of the buyer's library `/library`: purchases, memberships and sent tips of a signed-in buyer or of an
emailed link's address, or the form to ask for a link."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.accounts.errors import NotAuthenticated
from creatorly.services.delivery import library
from creatorly.services.delivery.library import Library
from creatorly.services.memberships import library as memberships
from creatorly.services.memberships.library import LibraryMembership
from creatorly.services.memberships.library_tier_change import change_library_tier
from creatorly.services.tips import service as tips
from creatorly.services.tips.schemas import SentTip
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import leave_for, toast
from creatorly.ui.states.events import Events

SENT_MESSAGE = "If there are purchases for that address, we've emailed it a link to them. The link works for one hour."


@dataclass
class LibraryDownload:
    """A file of a purchase that can be downloaded now (others are explained on the order page)."""

    href: str = ""
    button_label: str = ""
    size_label: str = ""


@dataclass
class LibraryItem:
    product_title: str = ""
    creator_name: str = ""
    amount_label: str = ""
    status_label: str = ""
    ordered_on: str = ""
    order_url: str = ""
    link_label: str = ""
    downloads: list[LibraryDownload] = field(default_factory=list)


@dataclass
class TierChoiceView:
    tier_public_id: str = ""
    label: str = ""
    note: str = ""


@dataclass
class HistoryView:
    day: str = ""
    text: str = ""
    amount_label: str = ""
    order_url: str = ""  # receipts only
    link_label: str = ""


@dataclass
class MembershipView:
    public_id: str = ""
    creator_name: str = ""
    storefront_href: str = ""
    tier_name: str = ""
    price_label: str = ""
    status: str = ""
    status_label: str = ""
    status_note: str = ""
    next_charge_label: str = ""
    can_cancel: bool = False
    can_resume: bool = False
    can_pause: bool = False
    can_unpause: bool = False
    tier_choices: list[TierChoiceView] = field(default_factory=list)
    history: list[HistoryView] = field(default_factory=list)
    card_label: str = ""


@dataclass
class SentTipView:
    creator_name: str = ""
    storefront_href: str = ""
    amount_label: str = ""
    sent_on: str = ""
    message: str = ""
    visibility_label: str = ""
    status_label: str = ""
    order_url: str = ""
    link_label: str = ""


_TIP_STATUS_LABELS = {"paid": "", "partially_refunded": "Partly refunded", "refunded": "Refunded"}


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
    memberships: list[MembershipView] = []
    sent_tips: list[SentTipView] = []
    memberships_notice: str = ""
    busy_membership: str = ""
    tier_dialog_for: str = ""  # the membership whose change-tier dialog is open
    _library_key: str = ""

    @rx.event
    async def load(self) -> Events:
        self.is_loading, self.link_error, self.form_error, self.sent_message = True, "", "", ""
        key = self.router.url.query_parameters.get("key", "")
        self._library_key = key
        try:
            if key:
                self._show(await library.library_from_key(key=key))
            else:
                await self._show_signed_in()
        except CreatorlyError as error:
            self.is_showing_orders, self.items, self.link_error = False, [], error.message
        if self.is_showing_orders:
            await self._load_memberships_and_tips()
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
                downloads=[
                    LibraryDownload(
                        href=link.url, button_label=f"Download {link.file_name}", size_label=link.size_label
                    )
                    for link in entry.downloads
                    if link.is_available
                ],
            )
            for entry in found.entries
        ]

    # --- Memberships and tips: every handler re-checks who is looking (session or link) in the service ---

    async def _identity(self) -> tuple[str, str]:
        auth = await self.get_state(AuthState)
        return auth.session_token, self._library_key

    async def _load_memberships_and_tips(self) -> None:
        session_token, key = await self._identity()
        self.memberships, self.sent_tips, self.memberships_notice = [], [], ""
        try:
            found = await memberships.list_library_memberships(session_token=session_token, library_key=key)
            email = await memberships.library_email(session_token=session_token, library_key=key)
            sent = await tips.list_sent_tips(email=email)
        except CreatorlyError as error:
            self.memberships_notice = error.message
            return
        self.memberships = [_membership_view(item) for item in found]
        self.sent_tips = [_tip_view(item) for item in sent]

    @rx.event
    async def act_on_membership(self, subscription_public_id: str, action: str) -> Events:
        """Cancel, resume, pause or unpause one membership, then show it as it is now; resuming a Razorpay membership
        goes to Razorpay's page, where the member authorises its new subscription."""
        if self.busy_membership:
            return
        self.busy_membership = subscription_public_id
        yield None
        session_token, key = await self._identity()
        try:
            done = await memberships.act_on_membership(
                session_token=session_token,
                library_key=key,
                subscription_public_id=subscription_public_id,
                action=action,
            )
        except CreatorlyError as error:
            self.busy_membership = ""
            yield toast.error(error.message)
            return
        if done.redirect_url:
            self.busy_membership = ""
            await leave_for(self, done.redirect_url)  # a provider's page or our server's payment page
            return
        await self._load_memberships_and_tips()
        self.busy_membership = ""
        yield toast.success(done.message)

    @rx.event
    def toggle_tier_dialog(self, subscription_public_id: str, is_open: bool) -> None:
        self.tier_dialog_for = subscription_public_id if is_open else ""

    @rx.event
    async def change_tier(self, form: dict[str, str]) -> Events:
        """Move a membership to the chosen tier (upgrade now with a prorated charge, downgrade at renewal); a
        Razorpay membership's upgrade is paid on Razorpay's page, which comes back to the library."""
        if self.busy_membership:
            return
        subscription_public_id = form.get("membership", "")
        self.busy_membership = subscription_public_id or "-"
        yield None
        session_token, key = await self._identity()
        try:
            change = await change_library_tier(
                session_token=session_token,
                library_key=key,
                subscription_public_id=subscription_public_id,
                tier_public_id=form.get("tier", ""),
            )
        except CreatorlyError as error:
            self.busy_membership = ""
            yield toast.error(error.message)
            return
        if change.redirect_url:
            self.busy_membership, self.tier_dialog_for = "", ""
            await leave_for(self, change.redirect_url)
            return
        await self._load_memberships_and_tips()
        self.busy_membership, self.tier_dialog_for = "", ""
        yield toast.success(change.message)


def _membership_view(item: LibraryMembership) -> MembershipView:
    return MembershipView(
        public_id=item.public_id,
        creator_name=item.creator_name,
        storefront_href=routes.storefront(item.creator_handle) if item.creator_handle else "",
        tier_name=item.tier_name,
        price_label=item.price_label,
        status=item.status,
        status_label=item.status_label,
        status_note=item.status_note,
        next_charge_label=item.next_charge_label,
        can_cancel=item.can_cancel,
        can_resume=item.can_resume,
        can_pause=item.can_pause,
        can_unpause=item.can_unpause,
        tier_choices=[
            TierChoiceView(tier_public_id=choice.tier_public_id, label=choice.label, note=choice.note)
            for choice in item.tier_choices
        ],
        history=[
            HistoryView(
                day=f"{line.at:%d %b %Y}",
                text=line.text,
                amount_label=line.amount_label,
                order_url=line.order_url,
                link_label=f"Receipt {line.order_public_id}" if line.order_url else "",
            )
            for line in reversed(item.history)  # newest first
        ],
        card_label=f"{item.tier_name} membership with {item.creator_name}",
    )


def _tip_view(tip: SentTip) -> SentTipView:
    return SentTipView(
        creator_name=tip.creator_name,
        storefront_href=routes.storefront(tip.handle),
        amount_label=tip.amount_label,
        sent_on=f"{tip.sent_at:%d %b %Y}",
        message=tip.message,
        visibility_label="Public" if tip.is_public else "Private",
        status_label=_TIP_STATUS_LABELS.get(tip.status, tip.status),
        order_url=tip.order_url,
        link_label=f"Open tip to {tip.creator_name} of {tip.amount_label}",
    )
