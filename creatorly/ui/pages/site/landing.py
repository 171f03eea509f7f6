"""`/`: what Creatorly is, with the way in for creators and a demo storefront to look at."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.landing import feature, feature_grid, hero, pricing_section
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.site.landing import LandingState


def landing_page() -> rx.Component:
    return site_layout(
        hero(
            primary=rx.link(rx.button("Start selling — it's free", size="4"), href=routes.SIGN_UP),
            secondary=rx.link(
                rx.button("See a demo storefront", size="4", variant="outline"), href=routes.DEMO_STOREFRONT
            ),
        ),
        feature_grid(
            feature("store", "Your storefront", "A page at creatorly/you with your products, bio and links."),
            feature("file-down", "Digital products", "Sell files up to 2 GB with expiring, count-limited downloads."),
            feature("crown", "Memberships", "Monthly or yearly tiers with posts and products only members unlock."),
            feature("heart-handshake", "Tips", "Fans can say thanks with a tip and a message on your wall."),
            feature("chart-line", "Live dashboard", "Revenue, visitors and conversion, updating while you watch."),
            feature(
                "landmark", "Honest payouts", "A double-entry ledger, clear hold periods and payouts you can trace."
            ),
        ),
        pricing_section(fee_label=LandingState.platform_fee_label, hold_label=LandingState.hold_period_label),
        header_actions=[
            # On a phone the hero's own demo button is enough; the header keeps "Start selling" on one line.
            rx.link(
                "Demo storefront", href=routes.DEMO_STOREFRONT, size="2", weight="medium", display=["none", "block"]
            )
        ],
    )
