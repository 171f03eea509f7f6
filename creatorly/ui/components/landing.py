"""Landing page sections."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.theme import card_style


def hero(*, primary: rx.Component, secondary: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.badge("Open source · Built for creators", radius="full", size="2", variant="surface"),
        rx.heading(
            "Sell what you make. Keep what you earn.",
            as_="h1",
            size=rx.breakpoints(initial="8", md="9"),
            text_align="center",
            max_width="48rem",
        ),
        rx.text(
            "Creatorly gives you a storefront for digital products, paid memberships and tips — "
            "with protected downloads, a live dashboard and payouts you can trust.",
            size="5",
            color_scheme="gray",
            text_align="center",
            max_width="40rem",
        ),
        rx.flex(primary, secondary, gap="0.75rem", wrap="wrap", justify="center"),
        align="center",
        spacing="5",
        padding_y=["2rem", "4rem"],
    )


def feature(icon: str, title: str, text: str) -> rx.Component:
    return rx.vstack(
        rx.center(
            rx.icon(icon, size=22, color=rx.color("violet", 11)),
            width="2.75rem",
            height="2.75rem",
            border_radius="var(--radius-3)",
            background_color=rx.color("violet", 3),
        ),
        rx.heading(title, as_="h3", size="4"),
        rx.text(text, color_scheme="gray", size="2"),
        spacing="2",
        padding="1.25rem",
        style={**card_style, "_hover": {}},
    )


def feature_grid(*features: rx.Component) -> rx.Component:
    return rx.grid(*features, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="4", width="100%")


def pricing_section(*, fee_label: rx.Var[str], hold_label: rx.Var[str]) -> rx.Component:
    """The platform's fee and payout hold, said plainly before anyone signs up."""
    return rx.el.section(
        rx.heading("Pricing", as_="h2", size="7", id="pricing-title"),
        rx.text(
            "No monthly fee. Creatorly keeps ",
            rx.text.strong(fee_label, id="pricing-fee"),
            " of each sale, membership payment and tip; the rest is yours.",
            size="4",
        ),
        rx.text(
            "Your share is held for ",
            rx.text.strong(hold_label, id="pricing-hold"),
            " after a sale (refunds and disputes come out of it), then it is ready for payout.",
            size="3",
            color_scheme="gray",
        ),
        id="pricing",
        aria_labelledby="pricing-title",
        style={"display": "flex", "flexDirection": "column", "gap": "0.75rem", "width": "100%", "paddingTop": "2rem"},
    )
