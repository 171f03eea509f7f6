"""States of `/admin/events` (webhook events by status, id or type, newest first) and `/admin/events/[admin_event_id]`
(its payload, attempts and error, and a retry for a failed or stuck one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.admin import console, console_actions
from creatorly.services.admin.schemas import EventDetail, EventRow
from creatorly.ui import routes
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.admin.listing import AdminListMixin
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

WHEN = "%d %b %Y %H:%M:%S UTC"
STATUS_OPTIONS = [("", "Any status"), ("failed", "Failed"), ("stuck", "Stuck"), ("pending", "Pending")]
STATUS_OPTIONS.append(("handled", "Handled"))


@dataclass
class EventListRow:
    id: int = 0
    href: str = ""
    provider: str = ""
    event_id: str = ""
    event_type: str = ""
    status: str = ""
    received: str = ""
    handled: str = ""
    attempts: int = 0


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else f"{moment:{WHEN}}"


def event_list_row(row: EventRow) -> EventListRow:
    return EventListRow(
        id=row.id,
        href=routes.admin_event(row.id),
        provider=row.provider,
        event_id=row.event_id,
        event_type=row.event_type,
        status=row.status.value,
        received=_when(row.received_at),
        handled=_when(row.handled_at),
        attempts=row.attempts,
    )


class AdminEventsState(AdminListMixin, rx.State):
    status: str = ""
    search_text: str = ""
    rows: list[EventListRow] = []

    def _take_search(self, form: dict[str, str]) -> None:
        self.status, self.search_text = form.get("status", ""), form.get("query", "")

    async def _fetch_page(self, session_token: str, before_id: int | None) -> tuple[list[EventListRow], int | None]:
        page = await console.list_events(
            session_token=session_token, status=self.status, search=self.search_text, before_id=before_id
        )
        return [event_list_row(row) for row in page.items], page.next_cursor

    def _show_rows(self, rows: list[EventListRow], *, more: bool) -> None:
        self.rows = [*self.rows, *rows] if more else rows


class AdminEventState(rx.State):
    is_allowed: bool = False
    is_found: bool = False
    is_retrying: bool = False
    event: EventListRow = EventListRow()
    payload: str = ""
    last_error: str = ""
    claimed_until: str = ""
    can_retry: bool = False

    @rx.event
    async def load(self) -> Events:
        token = await session_token_of(self)
        refused = await admin_refusal(self)
        if refused:
            self.is_allowed, self.is_found, self.payload = False, False, ""
            for event in refused:
                yield event
            return
        self.is_allowed = True
        await self._read(token)

    async def _read(self, token: str) -> None:
        text = str(getattr(self, "admin_event_id", "") or "")
        try:
            detail = await console.event_detail(session_token=token, event_id=int(text) if text.isdigit() else 0)
        except CreatorlyError:
            self.is_found = False
            return
        self._show(detail)

    def _show(self, detail: EventDetail) -> None:
        self.is_found, self.event = True, event_list_row(detail.event)
        self.payload, self.last_error = detail.payload, detail.last_error
        self.claimed_until, self.can_retry = _when(detail.claimed_until), detail.can_retry

    @rx.event
    async def retry(self, form: dict[str, str]) -> Events:
        self.is_retrying = True
        yield
        token = await session_token_of(self)
        try:
            done = await console_actions.retry_webhook_event(
                session_token=token, event_id=self.event.id, reason=form.get("reason", "")
            )
        except CreatorlyError as error:
            await self._read(token)
            self.is_retrying = False
            yield toast.error(error.message)
            return
        await self._read(token)
        self.is_retrying = False
        yield toast.success(f"Retried: {done.outcome}.")
