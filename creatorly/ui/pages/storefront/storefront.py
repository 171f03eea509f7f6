"""`/{handle}`: a creator's public storefront with their published products."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.storefront import creator_header, product_card, product_grid
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.storefront.storefront import StorefrontState


def _products() -> rx.Component:
    return rx.cond(
        StorefrontState.products.length() > 0,
        product_grid(
            rx.foreach(
                StorefrontState.products,
                lambda item: product_card(
                    title=item.title, summary=item.summary, price_label=item.price_label, href=item.href
                ),
            )
        ),
        empty_state(
            icon="package-open",
            title="Nothing for sale yet",
            text="This creator hasn't published any products. Check back soon!",
        ),
    )


def _storefront() -> rx.Component:
    return rx.vstack(
        creator_header(
            display_name=StorefrontState.display_name, handle=StorefrontState.handle, bio=StorefrontState.bio
        ),
        rx.heading("Products", size="6", as_="h2", padding_top="1rem"),
        _products(),
        spacing="5",
        width="100%",
    )


def _missing() -> rx.Component:
    return empty_state(
        icon="store",
        title="Storefront not found",
        text="There's no creator at this address. Check the link, or start with the demo storefront.",
        action=rx.link(rx.button("Back to Creatorly", size="3"), href=routes.LANDING),
    )


def storefront_page() -> rx.Component:
    return site_layout(
        rx.cond(
            StorefrontState.is_loading,
            card_skeletons(),
            rx.cond(StorefrontState.is_missing, _missing(), _storefront()),
        )
    )
