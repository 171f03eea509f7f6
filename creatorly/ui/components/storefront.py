"""Storefront pieces: the creator header and the product grid."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.theme import card_style

BANNER_GRADIENT = f"linear-gradient(120deg, {rx.color('violet', 8)}, {rx.color('pink', 7)}, {rx.color('amber', 7)})"


def creator_header(*, display_name: rx.Var[str], handle: rx.Var[str], bio: rx.Var[str]) -> rx.Component:
    return rx.vstack(
        rx.box(
            height=["6rem", "9rem"],
            width="100%",
            border_radius="var(--radius-5)",
            background=BANNER_GRADIENT,
            aria_hidden="true",
        ),
        rx.hstack(
            rx.avatar(
                fallback=display_name[:1],
                size="7",
                radius="full",
                margin_top="-3rem",
                border="4px solid var(--color-background)",
            ),
            rx.vstack(
                rx.heading(display_name, size="8", as_="h1"),
                rx.text("@", handle, color_scheme="gray"),
                spacing="0",
            ),
            align="end",
            spacing="4",
            padding_x="1rem",
        ),
        rx.box(rx.markdown(bio), max_width="42rem", padding_x="1rem", color=rx.color("gray", 11)),
        spacing="3",
        width="100%",
    )


def product_card(
    *, title: rx.Var[str], summary: rx.Var[str], price_label: rx.Var[str], href: rx.Var[str]
) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.box(
                rx.icon("package", size=32, color=rx.color("violet", 11)),
                display="flex",
                align_items="center",
                justify_content="center",
                height="8rem",
                width="100%",
                border_radius="var(--radius-3)",
                background_color=rx.color("violet", 3),
            ),
            rx.heading(title, size="4", as_="h3"),
            rx.text(summary, size="2", color_scheme="gray"),
            rx.badge(price_label, size="2", variant="soft", radius="full"),
            spacing="2",
            align="start",
            padding="1rem",
            height="100%",
        ),
        href=href,
        underline="none",
        color="inherit",
        style=card_style,
        aria_label=title,
        role="article",
    )


def product_grid(cards: rx.Component) -> rx.Component:
    return rx.grid(cards, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="4", width="100%")
