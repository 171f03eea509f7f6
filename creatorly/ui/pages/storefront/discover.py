"""`/discover`: every creator's published products, searched and filtered through the URL."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.components.discover import (
    filter_form,
    filter_row,
    labelled_select,
    labelled_switch,
    max_price_field,
    pagination,
    results_summary,
    search_field,
)
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.storefront import product_card, product_card_skeletons, product_grid
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.storefront.discover import CATEGORY_OPTIONS, SORT_OPTIONS, DiscoverState


def _filters() -> rx.Component:
    state = DiscoverState
    return filter_form(
        search_field(value=state.search_text, on_change=state.set_search_text),
        filter_row(
            labelled_select(
                "Category",
                name="category",
                options=CATEGORY_OPTIONS,
                value=state.category,
                on_change=state.set_category,
            ),
            labelled_select("Sort by", name="sort", options=SORT_OPTIONS, value=state.sort, on_change=state.set_sort),
            max_price_field(
                "Max price (USD)", value=state.max_price, on_change=state.set_max_price, error=state.max_price_error
            ),
            labelled_switch("Free only", name="free", is_checked=state.is_free_only, on_change=state.set_is_free_only),
        ),
        on_submit=state.apply,
        is_busy=state.is_loading,
    )


def _results() -> rx.Component:
    return rx.vstack(
        results_summary(DiscoverState.summary),
        product_grid(
            rx.foreach(
                DiscoverState.items,
                lambda item: product_card(
                    title=item.title,
                    summary=item.summary,
                    price_label=item.price_label,
                    href=item.href,
                    cover_url=item.cover_url,
                    creator_name=item.creator_name,
                    creator_href=item.creator_href,
                ),
            ),
            is_wide=True,
        ),
        rx.cond(
            DiscoverState.page_count > 1,
            pagination(
                page_label=DiscoverState.page_label,
                has_previous=DiscoverState.has_previous,
                has_next=DiscoverState.has_next,
                on_previous=DiscoverState.previous_page,
                on_next=DiscoverState.next_page,
            ),
        ),
        spacing="4",
        width="100%",
    )


def _no_results() -> rx.Component:
    return empty_state(
        icon="search_x",
        title="No products match",
        text="Try fewer words, another category or a higher price — or start over with every product.",
        action=rx.button("Reset filters", size="3", variant="soft", on_click=DiscoverState.reset_filters),
    )


def discover_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            rx.vstack(
                rx.heading("Discover", as_="h1", size=rx.breakpoints(initial="8", sm="9")),
                rx.text("Presets, templates, e-books and more, made by independent creators.", color_scheme="gray"),
                spacing="2",
            ),
            _filters(),
            rx.heading("Products", as_="h2", class_name="visually-hidden"),
            rx.cond(
                DiscoverState.is_loading,
                rx.box(
                    rx.text("Loading products…", class_name="visually-hidden", role="status"),
                    product_card_skeletons(8, is_wide=True),
                    width="100%",
                    aria_busy="true",
                ),
                rx.cond(DiscoverState.total > 0, _results(), _no_results()),
            ),
            spacing="5",
            width="100%",
        )
    )
