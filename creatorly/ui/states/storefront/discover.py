"""State of `/discover`: filters live in the URL query string, so every result page is a shareable link."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.kit.money import parse_amount
from creatorly.services.catalog import service as catalog
from creatorly.services.catalog.rules import CATEGORIES
from creatorly.services.catalog.schemas import DiscoverQuery
from creatorly.ui import routes
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events
from creatorly.ui.states.storefront.storefront import CardView, to_card_view

DISCOVER_CURRENCY = "USD"
PAGE_SIZE = 24
ALL_CATEGORIES = "all"  # a select option cannot have an empty value
SORT_OPTIONS: list[tuple[str, str]] = [
    ("newest", "Newest"),
    ("popular", "Most popular"),
    ("price_low", "Lowest price"),
    ("price_high", "Highest price"),
]
CATEGORY_OPTIONS: list[tuple[str, str]] = [(ALL_CATEGORIES, "All"), *CATEGORIES.items()]
HIGHEST_MAX_PRICE = 100_000_000  # minor units: 1,000,000.00 USD
PRICE_HINT = "Enter a price like 10 or 12.50."
_SORTS = {value for value, _ in SORT_OPTIONS}
_MAX_PAGE = 10_000


class DiscoverState(rx.State):
    """The filter form mirrors the query string; `load` (on every URL change) runs the search."""

    is_loading: bool = True
    search_text: str = ""
    category: str = ALL_CATEGORIES
    is_free_only: bool = False
    max_price: str = ""
    sort: str = "newest"
    page_number: int = 1
    page_count: int = 1
    total: int = 0
    items: list[CardView] = []
    max_price_error: str = ""
    has_filters: bool = False

    @rx.var
    def summary(self) -> str:
        noun = "product" if self.total == 1 else "products"
        return f"Showing {len(self.items)} of {self.total} {noun}"

    @rx.var
    def page_label(self) -> str:
        return f"Page {self.page_number} of {self.page_count}"

    @rx.var
    def has_previous(self) -> bool:
        return self.page_number > 1

    @rx.var
    def has_next(self) -> bool:
        return self.page_number < self.page_count

    @rx.event
    async def load(self) -> Events:
        self._read_query(self.router.url.query_parameters)
        self.is_loading = True
        yield None
        try:
            result = await catalog.discover(self._query())
        except CreatorlyError as error:
            self.items, self.total, self.page_count, self.is_loading = [], 0, 1, False
            yield toast.error(error.message)
            return
        if not result.items and result.total and self.page_number > result.page_count:
            # A shared link to a page that no longer exists: show the last page instead.
            self.page_count = result.page_count
            yield rx.redirect(self._url_for_page(result.page_count), replace=True)
            return
        self.items = [to_card_view(card) for card in result.items]
        self.total, self.page_number, self.page_count = result.total, result.page, result.page_count
        self.is_loading = False

    def _query(self) -> DiscoverQuery:
        max_price = None
        if self.max_price and _is_price(self.max_price):
            # Anything past a million is "no limit"; it also keeps the number inside a database integer.
            max_price = min(parse_amount(self.max_price, DISCOVER_CURRENCY), HIGHEST_MAX_PRICE)
        elif self.max_price:
            self.max_price_error = PRICE_HINT
        return DiscoverQuery(
            text=self.search_text,
            category="" if self.category == ALL_CATEGORIES else self.category,
            max_price=max_price,
            is_free_only=self.is_free_only,
            sort=self.sort,
            page=self.page_number,
            page_size=PAGE_SIZE,
        )

    def _read_query(self, query: Mapping[str, str]) -> None:
        self.search_text = query.get("q", "").strip()[:80]
        category = query.get("category", "")
        self.category = category if category in CATEGORIES else ALL_CATEGORIES
        self.is_free_only = query.get("free", "") in {"1", "true", "on"}
        self.max_price = query.get("max_price", "").strip()[:12]
        sort = query.get("sort", "")
        self.sort = sort if sort in _SORTS else "newest"
        page = query.get("page", "1").strip()
        self.page_number = (
            min(max(int(page), 1), _MAX_PAGE) if page.isascii() and page.isdigit() and len(page) < 6 else 1
        )
        self.max_price_error = ""
        self.has_filters = bool(self.search_text or category in CATEGORIES or self.is_free_only or self.max_price)

    @rx.event
    def set_search_text(self, value: str) -> None:
        self.search_text = value

    @rx.event
    def set_max_price(self, value: str) -> None:
        self.max_price = value

    @rx.event
    def set_category(self, value: str) -> None:
        self.category = value

    @rx.event
    def set_sort(self, value: str) -> None:
        self.sort = value

    @rx.event
    def set_is_free_only(self, value: bool) -> None:
        self.is_free_only = value

    @rx.event
    async def apply(self, form: dict[str, str]) -> Events:
        """Put the submitted filters in the URL; `load` runs again from there."""
        max_price = form.get("max_price", "").strip()
        if max_price and not _is_price(max_price):
            self.max_price_error = PRICE_HINT
            yield toast.error(PRICE_HINT)
            return
        self.max_price_error = ""
        yield rx.redirect(
            _discover_url(
                text=form.get("q", ""),
                category=form.get("category", self.category),
                is_free_only=form.get("free", "") == "on" or self.is_free_only,
                max_price=max_price,
                sort=form.get("sort", self.sort),
            )
        )

    @rx.event
    async def reset_filters(self) -> Events:
        yield rx.redirect(routes.DISCOVER)

    @rx.event
    async def previous_page(self) -> Events:
        yield rx.redirect(self._url_for_page(self.page_number - 1))

    @rx.event
    async def next_page(self) -> Events:
        yield rx.redirect(self._url_for_page(self.page_number + 1))

    def _url_for_page(self, page: int) -> str:
        return _discover_url(
            text=self.search_text,
            category=self.category,
            is_free_only=self.is_free_only,
            max_price="" if self.max_price_error else self.max_price,
            sort=self.sort,
            page=max(1, min(page, self.page_count)),
        )


def _discover_url(*, text: str, category: str, is_free_only: bool, max_price: str, sort: str, page: int = 1) -> str:
    """`/discover` with only the filters that differ from the defaults, in a stable order."""
    parameters = {
        "q": text.strip()[:80],
        "category": category if category in CATEGORIES else "",
        "free": "1" if is_free_only else "",
        "max_price": max_price,
        "sort": sort if sort in _SORTS and sort != "newest" else "",
        "page": str(page) if page > 1 else "",
    }
    query = urlencode({key: value for key, value in parameters.items() if value})
    return f"{routes.DISCOVER}?{query}" if query else routes.DISCOVER


def _is_price(text: str) -> bool:
    try:
        return parse_amount(text, DISCOVER_CURRENCY) >= 0
    except ValueError:
        return False
