"""State of `/admin/audit`: the audit log, newest first, filtered by action, actor or target; older pages on demand."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.audit import browse
from creatorly.services.audit.schemas import AuditFilter, AuditPage
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

PAGE_SIZE = 50


@dataclass
class AuditRow:
    id: int = 0
    at: str = ""
    actor: str = ""
    role: str = ""
    action: str = ""
    target: str = ""
    changes: str = ""
    reason: str = ""
    request_id: str = ""


class AuditLogState(rx.State):
    is_allowed: bool = False
    is_loading: bool = False
    action: str = ""
    actor_email: str = ""
    target_type: str = ""
    target_id: str = ""
    rows: list[AuditRow] = []
    next_cursor: int = 0

    @rx.event
    async def load(self) -> Events:
        refused = await admin_refusal(self)
        if refused:
            self.is_allowed, self.rows, self.next_cursor = False, [], 0
            for event in refused:
                yield event
            return
        self.is_allowed = True
        async for event in self._fetch(older=False):
            yield event

    @rx.event
    async def search(self, form: dict[str, str]) -> Events:
        self.action = form.get("action", "").strip()
        self.actor_email = form.get("actor_email", "").strip()
        self.target_type = form.get("target_type", "").strip()
        self.target_id = form.get("target_id", "").strip()
        async for event in self._fetch(older=False):
            yield event

    @rx.event
    async def load_older(self) -> Events:
        async for event in self._fetch(older=True):
            yield event

    async def _fetch(self, *, older: bool) -> Events:
        wanted = AuditFilter(
            action=self.action, actor_email=self.actor_email, target_type=self.target_type, target_id=self.target_id
        )
        self.is_loading = True
        yield
        try:
            page = await browse.admin_entries(
                session_token=await session_token_of(self),
                wanted=wanted,
                before_id=self.next_cursor if older and self.next_cursor else None,
                page_size=PAGE_SIZE,
            )
        except CreatorlyError as error:
            self.is_loading = False
            yield toast.error(error.message)
            return
        self._show(page, older=older)
        self.is_loading = False

    def _show(self, page: AuditPage, *, older: bool) -> None:
        rows = [
            AuditRow(
                id=item.id,
                at=f"{item.created_at:%d %b %Y %H:%M:%S} UTC",
                actor=item.actor_email or "—",
                role=item.actor_role,
                action=item.action,
                target=f"{item.target_type} {item.target_id}".strip(),
                changes="; ".join(browse.change_lines(item)),
                reason=item.reason,
                request_id=item.request_id,
            )
            for item in page.items
        ]
        self.rows = [*self.rows, *rows] if older else rows
        self.next_cursor = page.next_cursor or 0
