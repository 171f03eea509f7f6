"""`/{handle}`: a creator's public storefront: published products, tips, the supporter wall and an email sign-up."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.report_link import report_link
from creatorly.ui.components.storefront import (
    creator_header,
    email_capture_card,
    link_button,
    product_card,
    product_grid,
    storefront_skeleton,
)
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.pages.storefront.memberships import membership_sections
from creatorly.ui.pages.storefront.session_offers import session_offers_section
from creatorly.ui.pages.storefront.tip_jar import supporter_wall_section, tip_jar_section
from creatorly.ui.states.storefront.storefront import SUBSCRIBED_MESSAGE, StorefrontState


def _products() -> rx.Component:
    return rx.cond(
        StorefrontState.products.length() > 0,
        product_grid(
            rx.foreach(
                StorefrontState.products,
                lambda item: product_card(
                    title=item.title,
                    summary=item.summary,
                    price_label=item.price_label,
                    href=item.href,
                    cover_url=item.cover_url,
                ),
            )
        ),
        empty_state(
            icon="package_open",
            title="Nothing for sale yet",
            text="This creator hasn't published any products. Subscribe below to hear when they do.",
        ),
    )


def _storefront() -> rx.Component:
    return rx.vstack(
        creator_header(
            display_name=StorefrontState.display_name,
            handle=StorefrontState.handle,
            bio_html=StorefrontState.bio_html,
            avatar_url=StorefrontState.avatar_url,
            banner_url=StorefrontState.banner_url,
            social_links=StorefrontState.social_links,
        ),
        rx.el.section(
            rx.heading("Products", size="6", as_="h2", id="products-title", padding_bottom="1rem"),
            _products(),
            aria_labelledby="products-title",
            width="100%",
            padding_top="1rem",
        ),
        membership_sections(),
        session_offers_section(),
        rx.grid(
            tip_jar_section(),
            supporter_wall_section(),
            columns=rx.breakpoints(initial="1", md="2"),
            gap=["1.5rem", "1.5rem", "2rem"],
            width="100%",
            align_items="start",
            padding_top="1.5rem",
        ),
        rx.box(
            email_capture_card(
                display_name=StorefrontState.display_name,
                on_submit=StorefrontState.subscribe,
                is_submitting=StorefrontState.is_subscribing,
                is_subscribed=StorefrontState.is_subscribed,
                error=StorefrontState.subscribe_error,
                success_message=SUBSCRIBED_MESSAGE,
            ),
            width="100%",
            padding_top="1.5rem",
        ),
        report_link(StorefrontState.report_href, label="Report this storefront"),
        spacing="5",
        width="100%",
    )


def _missing() -> rx.Component:
    return rx.cond(
        StorefrontState.is_unavailable,
        _missing_view(
            title="This storefront is unavailable",
            text="This creator's storefront isn't available right now. Browse every creator's products instead.",
        ),
        _missing_view(
            title="Storefront not found",
            text="There's no creator at this address. Check the link, or browse every creator's products.",
        ),
    )


def _missing_view(*, title: str, text: str) -> rx.Component:
    return empty_state(
        icon="store",
        title=title,
        text=text,
        action=rx.flex(
            link_button("Discover products", href=routes.DISCOVER),
            link_button("Back to Creatorly", href=routes.LANDING, variant="soft"),
            gap="0.75rem",
            wrap="wrap",
            justify="center",
        ),
    )


def storefront_page() -> rx.Component:
    return site_layout(
        rx.cond(
            StorefrontState.is_loading,
            storefront_skeleton(),
            rx.cond(StorefrontState.is_missing, _missing(), _storefront()),
        )
    )
