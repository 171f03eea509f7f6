"""State of `/dashboard/audience`: the creator's email list with status filter, pages and CSV export."""

from __future__ import annotations

import math
from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.audience import service as audience
from creatorly.services.creators.service import NotACreator
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

PAGE_SIZE = 50


@dataclass
class AudienceRow:
    id: int = 0
    email: str = ""
    status: str = ""
    source: str = ""
    subscribed: str = ""
    confirmed: str = ""


class AudienceState(rx.State):
    rows: list[AudienceRow] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    status_filter: str = "all"
    is_loading: bool = True

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        try:
            result = await audience.list_subscribers(
                session_token=await self._token(),
                page=self.page,
                page_size=PAGE_SIZE,
                status=None if self.status_filter == "all" else self.status_filter,
            )
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.rows = [
            AudienceRow(
                id=item.id,
                email=item.email,
                status=item.status,
                source=item.source,
                subscribed=item.created_at.strftime("%d %b %Y"),
                confirmed=item.confirmed_at.strftime("%d %b %Y") if item.confirmed_at else "—",
            )
            for item in result.items
        ]
        self.total, self.page_count, self.is_loading = result.total, max(1, math.ceil(result.total / PAGE_SIZE)), False

    @rx.event
    def filter_by(self, status: str | list[str]) -> Events:  # type: ignore[misc]
        self.status_filter, self.page = status if isinstance(status, str) else (status[0] if status else "all"), 1
        yield AudienceState.load

    @rx.event
    def go_to_page(self, page: int) -> Events:  # type: ignore[misc]
        self.page = max(1, min(page, self.page_count))
        yield AudienceState.load

    @rx.event
    async def remove(self, subscriber_id: int) -> Events:
        try:
            await audience.remove_subscriber(session_token=await self._token(), subscriber_id=subscriber_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("Removed from your list.")
        yield AudienceState.load

    @rx.event
    async def export_csv(self) -> Events:
        try:
            text = await audience.export_subscribers_csv(session_token=await self._token())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(data=text, filename="creatorly-audience.csv", mime_type="text/csv")
