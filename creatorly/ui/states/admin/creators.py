"""States of `/admin/creators` (search, load more) and `/admin/creators/[admin_creator_id]` (detail and actions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.admin import actions as admin_actions
from creatorly.services.admin import catalog_reads, suspension
from creatorly.services.admin.catalog_schemas import CreatorDetail, OrderRow
from creatorly.ui import routes
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.admin.listing import PAGE_SIZE, AdminListMixin
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


def when(moment: object) -> str:
    """A stored moment as admins read it (always UTC)."""
    return f"{moment:%d %b %Y %H:%M} UTC" if moment is not None else "—"


@dataclass
class CreatorListRow:
    handle: str = ""
    name: str = ""
    email: str = ""
    state_label: str = ""
    is_suspended: bool = False
    joined: str = ""
    href: str = ""


@dataclass
class AdminOrderRow:
    public_id: str = ""
    at: str = ""
    creator_handle: str = ""
    item: str = ""
    buyer_email: str = ""
    amount: str = ""
    status_label: str = ""
    href: str = ""


@dataclass
class BalanceRow:
    currency: str = ""
    available: str = ""
    pending: str = ""
    in_payout: str = ""
    paid_out: str = ""


@dataclass
class AdminPostRow:
    title: str = ""
    state: str = ""
    moderation_href: str = ""


def to_order_row(row: OrderRow) -> AdminOrderRow:
    return AdminOrderRow(
        public_id=row.public_id,
        at=when(row.created_at),
        creator_handle=row.creator_handle,
        item=row.item_label,
        buyer_email=row.buyer_email,
        amount=row.amount_label,
        status_label=row.status_label,
        href=routes.admin_order(row.id),
    )


class AdminCreatorsState(AdminListMixin, rx.State):
    query: str = ""
    rows: list[CreatorListRow] = []

    def _take_search(self, form: dict[str, str]) -> None:
        self.query = form.get("query", "")

    async def _fetch_page(self, session_token: str, before_id: int | None) -> tuple[list[CreatorListRow], int | None]:
        page = await catalog_reads.list_creators(
            session_token=session_token, text=self.query, before_id=before_id, limit=PAGE_SIZE
        )
        rows = [
            CreatorListRow(
                handle=row.handle,
                name=row.display_name,
                email=row.email,
                state_label="Suspended" if row.is_suspended else "Active",
                is_suspended=row.is_suspended,
                joined=when(row.created_at),
                href=routes.admin_creator(row.id),
            )
            for row in page.items
        ]
        return rows, page.next_cursor

    def _show_rows(self, rows: list[CreatorListRow], *, more: bool) -> None:
        self.rows = [*self.rows, *rows] if more else rows


class AdminCreatorState(rx.State):
    is_allowed: bool = False
    is_found: bool = False
    is_working: bool = False
    creator_id: int = 0
    handle: str = ""
    display_name: str = ""
    email: str = ""
    is_suspended: bool = False
    suspended_at: str = ""
    suspension_reason: str = ""
    platform_fee_label: str = ""
    hold_period_label: str = ""
    platform_fee_percent: str = ""
    hold_period_days: str = ""
    is_payout_under_review: bool = False
    payout_review_note: str = ""
    product_count: int = 0
    joined: str = ""
    storefront_href: str = ""
    balances: list[BalanceRow] = []
    recent_orders: list[AdminOrderRow] = []
    posts: list[AdminPostRow] = []

    @rx.event
    async def load(self) -> Events:
        token = await session_token_of(self)
        refused = await admin_refusal(self)
        self.is_allowed = not refused
        if refused:
            for event in refused:
                yield event
            return
        raw = str(getattr(self, "admin_creator_id", "") or "")
        try:
            detail = await catalog_reads.creator_detail(session_token=token, creator_id=int(raw))
        except (ValueError, CreatorlyError):
            self.is_found = False
            return
        self._show(detail)

    def _show(self, detail: CreatorDetail) -> None:
        self.is_found, self.creator_id, self.handle = True, detail.id, detail.handle
        self.display_name, self.email, self.is_suspended = detail.display_name, detail.email, detail.is_suspended
        self.suspended_at, self.suspension_reason = when(detail.suspended_at), detail.suspension_reason
        self.platform_fee_label, self.hold_period_label = detail.platform_fee_label, detail.hold_period_label
        self.platform_fee_percent, self.hold_period_days = detail.platform_fee_percent, detail.hold_period_days
        self.is_payout_under_review = detail.is_payout_under_review
        self.payout_review_note, self.product_count = detail.payout_review_note, detail.product_count
        self.joined, self.storefront_href = when(detail.created_at), routes.storefront(detail.handle)
        self.balances = [
            BalanceRow(
                line.currency, line.available_label, line.pending_label, line.in_payout_label, line.paid_out_label
            )
            for line in detail.balances
        ]
        self.recent_orders = [to_order_row(row) for row in detail.recent_orders]
        self.posts = [
            AdminPostRow(line.title, line.state, routes.admin_report("post", line.id)) for line in detail.recent_posts
        ]

    async def _reload(self) -> None:
        self._show(
            await catalog_reads.creator_detail(session_token=await session_token_of(self), creator_id=self.creator_id)
        )

    @rx.event
    async def suspend(self, form: dict[str, str]) -> Events:
        async for event in self._act(
            lambda token: suspension.admin_suspend_creator(
                session_token=token, creator_id=self.creator_id, reason=form.get("reason", "")
            ),
            done="Storefront suspended. The creator has been emailed.",
        ):
            yield event

    @rx.event
    async def restore(self, form: dict[str, str]) -> Events:
        async for event in self._act(
            lambda token: suspension.admin_restore_creator(
                session_token=token, creator_id=self.creator_id, reason=form.get("reason", "")
            ),
            done="Storefront restored. The creator has been emailed.",
        ):
            yield event

    @rx.event
    async def set_terms(self, form: dict[str, str]) -> Events:
        try:
            fee = _percent(form.get("platform_fee_percent", ""))
            hold = _days(form.get("hold_period_days", ""))
        except InvalidInput as error:
            yield toast.error(error.message)
            return
        async for event in self._act(
            lambda token: admin_actions.admin_set_creator_terms(
                session_token=token,
                creator_id=self.creator_id,
                platform_fee_percent=fee,
                hold_period_days=hold,
                reason=form.get("reason", ""),
            ),
            done="Terms saved.",
        ):
            yield event

    async def _act(self, call: Callable[[str], Awaitable[object]], *, done: str) -> Events:
        if self.is_working:
            return
        self.is_working = True
        yield
        try:
            await call(await session_token_of(self))
            await self._reload()
        except CreatorlyError as error:
            self.is_working = False
            yield toast.error(error.message)
            return
        self.is_working = False
        yield toast.success(done)


def _percent(text: str) -> Decimal | None:
    """Empty: the platform default."""
    cleaned = text.strip().removesuffix("%").strip()
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInput("Enter the platform fee as a number, like 5 or 4.5.", field="platform_fee_percent") from None


def _days(text: str) -> int | None:
    """Empty: the platform default."""
    cleaned = text.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise InvalidInput("Enter the hold period as a whole number of days.", field="hold_period_days")
    return int(cleaned)
