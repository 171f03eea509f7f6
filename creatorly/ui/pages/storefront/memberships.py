"""The storefront's membership sections: tiers with the join dialog, and the posts list (locked ones point to tiers)."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.memberships import join_dialog, post_card, tier_card, tier_grid
from creatorly.ui.components.reviews import tier_reviews_section
from creatorly.ui.states.storefront.memberships import StorefrontMembershipState
from creatorly.ui.states.storefront.reviews import TierReviewsState

State = StorefrontMembershipState


def _tiers_section() -> rx.Component:
    return rx.cond(
        State.tiers.length() > 0,
        rx.el.section(
            rx.heading("Memberships", size="6", as_="h2", id="tiers-title"),
            rx.text("Support every month and unlock members-only posts.", color_scheme="gray"),
            tier_grid(rx.foreach(State.tiers, lambda tier: tier_card(tier, on_join=State.open_join))),
            tier_reviews_section(state=TierReviewsState),
            join_dialog(
                is_open=State.is_join_open,
                on_open_change=State.set_join_open,
                tier_name=State.join_tier_name,
                prices=State.join_prices,
                default_interval=State.join_default_interval,
                email=State.join_email,
                error=State.join_error,
                is_joining=State.is_joining,
                on_submit=State.join,
            ),
            id=routes.TIERS_ANCHOR,
            aria_labelledby="tiers-title",
            style={
                "display": "flex",
                "flex_direction": "column",
                "gap": "1rem",
                "width": "100%",
                "padding_top": "1rem",
            },
        ),
    )


def _posts_section() -> rx.Component:
    return rx.cond(
        State.posts.length() > 0,
        rx.el.section(
            rx.heading("Posts", size="6", as_="h2", id="posts-title"),
            rx.grid(
                rx.foreach(State.posts, lambda post: post_card(post, join_href=f"#{routes.TIERS_ANCHOR}")),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            aria_labelledby="posts-title",
            style={
                "display": "flex",
                "flex_direction": "column",
                "gap": "1rem",
                "width": "100%",
                "padding_top": "1rem",
            },
        ),
    )


def membership_sections() -> rx.Component:
    return rx.fragment(_tiers_section(), _posts_section())
