"""States of `/admin/users` (search by email, newest first, 50 a page) and `/admin/users/[admin_user_id]`."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.admin import console, console_actions
from creatorly.services.admin.schemas import UserDetail, UserRow
from creatorly.ui import routes
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.admin.listing import AdminListMixin
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

WHEN = "%d %b %Y %H:%M UTC"


@dataclass
class UserListRow:
    id: int = 0
    href: str = ""
    email: str = ""
    name: str = ""
    role: str = ""
    created: str = ""
    two_factor: str = ""
    creator_handle: str = ""
    creator_href: str = ""


def user_list_row(row: UserRow) -> UserListRow:
    return UserListRow(
        id=row.id,
        href=routes.admin_user(row.id),
        email=row.email,
        name=row.display_name,
        role=row.role,
        created=f"{row.created_at:{WHEN}}",
        two_factor="On" if row.has_two_factor else "Off",
        creator_handle=row.creator_handle,
        creator_href=routes.admin_creator(row.creator_id) if row.creator_id else "",
    )


class AdminUsersState(AdminListMixin, rx.State):
    email: str = ""
    rows: list[UserListRow] = []

    def _take_search(self, form: dict[str, str]) -> None:
        self.email = form.get("email", "")

    async def _fetch_page(self, session_token: str, before_id: int | None) -> tuple[list[UserListRow], int | None]:
        page = await console.list_users(session_token=session_token, email=self.email, before_id=before_id)
        return [user_list_row(row) for row in page.items], page.next_cursor

    def _show_rows(self, rows: list[UserListRow], *, more: bool) -> None:
        self.rows = [*self.rows, *rows] if more else rows


class AdminUserState(rx.State):
    is_allowed: bool = False
    is_found: bool = False
    is_acting: bool = False
    user: UserListRow = UserListRow()
    status: str = ""
    email_verified: str = ""
    active_sessions: int = 0
    orders: int = 0
    creator_id: int = 0
    under_review: bool = False
    review_note: str = ""

    @rx.event
    async def load(self) -> Events:
        token = await session_token_of(self)
        refused = await admin_refusal(self)
        if refused:
            self.is_allowed, self.is_found = False, False
            for event in refused:
                yield event
            return
        self.is_allowed = True
        await self._read(token)

    async def _read(self, token: str) -> None:
        text = str(getattr(self, "admin_user_id", "") or "")
        try:
            detail = await console.user_detail(session_token=token, user_id=int(text) if text.isdigit() else 0)
        except CreatorlyError:
            self.is_found = False
            return
        self._show(detail)

    def _show(self, detail: UserDetail) -> None:
        self.is_found, self.user = True, user_list_row(detail.user)
        self.status = "Deleted" if detail.is_deleted else ("Active" if detail.is_active else "Deactivated")
        self.email_verified = "Yes" if detail.is_email_verified else "No"
        self.active_sessions, self.orders = detail.active_sessions, detail.orders
        self.creator_id = detail.user.creator_id or 0
        self.under_review, self.review_note = detail.payouts_under_review, detail.review_note

    @rx.event
    async def hold_payouts(self, form: dict[str, str]) -> Events:
        async for event in self._review(form, hold=True):
            yield event

    @rx.event
    async def release_payouts(self, form: dict[str, str]) -> Events:
        async for event in self._review(form, hold=False):
            yield event

    async def _review(self, form: dict[str, str], *, hold: bool) -> Events:
        self.is_acting = True
        yield
        token = await session_token_of(self)
        action = console_actions.hold_payouts if hold else console_actions.release_payouts
        try:
            await action(session_token=token, creator_id=self.creator_id, reason=form.get("reason", ""))
        except CreatorlyError as error:
            self.is_acting = False
            yield toast.error(error.message)
            return
        await self._read(token)
        self.is_acting = False
        yield toast.success("Payouts held." if hold else "Payouts released.")
