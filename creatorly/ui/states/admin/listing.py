"""What every admin list page does: admins only, a search form, newest first, "Load more" by cursor."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

PAGE_SIZE = 25


class AdminListMixin(rx.State, mixin=True):
    """A list state names its `rows` and says how to read the search form (`_take_search`), how to fetch one page
    of rows (`_fetch_page`: the rows for the table and the next page's cursor) and how to show them (`_show_rows`)."""

    is_allowed: bool = False
    is_loading: bool = False
    next_cursor: int = 0

    @rx.event
    async def load(self) -> Events:
        refused = await admin_refusal(self)
        if refused:
            self.is_allowed, self.next_cursor = False, 0
            self._show_rows([], more=False)
            for event in refused:
                yield event
            return
        self.is_allowed = True
        async for event in self._fetch(more=False):
            yield event

    @rx.event
    async def search(self, form: dict[str, str]) -> Events:
        self._take_search({name: value.strip() for name, value in form.items()})
        async for event in self._fetch(more=False):
            yield event

    @rx.event
    async def load_more(self) -> Events:
        async for event in self._fetch(more=True):
            yield event

    async def _fetch(self, *, more: bool) -> Events:
        self.is_loading = True
        yield
        try:
            token = await session_token_of(self)
            rows, next_cursor = await self._fetch_page(token, self.next_cursor if more and self.next_cursor else None)
        except CreatorlyError as error:
            self.is_loading = False
            yield toast.error(error.message)
            return
        self._show_rows(rows, more=more)
        self.next_cursor, self.is_loading = next_cursor or 0, False

    def _take_search(self, form: dict[str, str]) -> None:
        """Keep the search form's fields (stripped) for `_fetch_page`."""

    async def _fetch_page(self, session_token: str, before_id: int | None) -> tuple[list[Any], int | None]:
        raise TypeError(f"{type(self).__name__} must say how it fetches a page")

    def _show_rows(self, rows: list[Any], *, more: bool) -> None:
        raise TypeError(f"{type(self).__name__} must say how it shows its rows")
