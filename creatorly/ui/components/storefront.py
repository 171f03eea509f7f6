"""Storefront pieces: the creator header, product cards and grid, the email sign-up card and loading skeletons."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui.components.forms import field, submit_button
from creatorly.ui.theme import card_style

BANNER_GRADIENT = f"linear-gradient(120deg, {rx.color('violet', 8)}, {rx.color('pink', 7)}, {rx.color('amber', 7)})"
COVER_GRADIENT = f"linear-gradient(135deg, {rx.color('violet', 3)}, {rx.color('pink', 3)})"
SUBSCRIBE_ANCHOR = "subscribe"


def _banner(*, banner_url: rx.Var[str], display_name: rx.Var[str]) -> rx.Component:
    return rx.cond(
        banner_url != "",
        rx.image(
            src=banner_url,
            alt=f"Banner of {display_name}",
            class_name="storefront-banner",
            object_fit="cover",
        ),
        rx.box(class_name="storefront-banner", background=BANNER_GRADIENT, aria_hidden="true"),
    )


def _avatar(*, avatar_url: rx.Var[str], display_name: rx.Var[str]) -> rx.Component:
    return rx.cond(
        avatar_url != "",
        rx.image(src=avatar_url, alt=f"Profile picture of {display_name}", class_name="creator-avatar"),
        rx.center(
            rx.text(display_name[:1], size="8", weight="bold", color=rx.color("violet", 11)),
            class_name="creator-avatar",
            background_color=rx.color("violet", 4),
            aria_hidden="true",
        ),
    )


def social_links_list(links: rx.Var[list[Any]]) -> rx.Component:
    """The creator's links as a labelled list; `rel` keeps them from passing ranking or the opener along."""
    return rx.cond(
        links.length() > 0,
        rx.el.nav(
            rx.el.ul(
                rx.foreach(
                    links,
                    lambda link: rx.el.li(
                        rx.link(
                            rx.cond(link.is_social_network, rx.icon("at_sign", size=16), rx.icon("globe", size=16)),
                            rx.text(link.label, as_="span"),
                            href=link.url,
                            rel="noopener nofollow",
                            class_name="social-link",
                            size="2",
                        )
                    ),
                ),
                class_name="social-links",
            ),
            aria_label="Links",
        ),
    )


def creator_header(
    *,
    display_name: rx.Var[str],
    handle: rx.Var[str],
    bio_html: rx.Var[str],
    avatar_url: rx.Var[str],
    banner_url: rx.Var[str],
    social_links: rx.Var[list[Any]],
) -> rx.Component:
    """Banner, avatar, name as the page's h1, @handle, the sanitised bio and the creator's links."""
    return rx.vstack(
        _banner(banner_url=banner_url, display_name=display_name),
        rx.flex(
            _avatar(avatar_url=avatar_url, display_name=display_name),
            rx.vstack(
                rx.heading(
                    display_name, size=rx.breakpoints(initial="7", sm="8"), as_="h1", class_name="wrap-anywhere"
                ),
                rx.text("@", handle, color_scheme="gray"),
                spacing="0",
                min_width="0",
            ),
            align="end",
            gap="1rem",
            margin_top=["-2.75rem", "-3.5rem"],
            padding_x=["0.5rem", "1rem"],
        ),
        rx.cond(bio_html != "", rx.html(bio_html, class_name="rich-text", max_width="42rem")),
        social_links_list(social_links),
        spacing="3",
        width="100%",
    )


def _cover(cover_url: rx.Var[str], *, alt: rx.Var[str] | str = "", icon_size: int = 32) -> rx.Component:
    """The cover image, or a soft placeholder; on cards it is decorative (the title says what it is)."""
    return rx.cond(
        cover_url != "",
        rx.image(src=cover_url, alt=alt, class_name="product-cover", object_fit="cover", loading="lazy"),
        rx.center(
            rx.icon("package", size=icon_size, color=rx.color("violet", 11)),
            class_name="product-cover",
            background=COVER_GRADIENT,
            aria_hidden="true",
        ),
    )


def _creator_line(creator_name: rx.Var[str], creator_href: rx.Var[str]) -> rx.Component:
    # Sits above the card's stretched title link, so it stays its own link to the creator.
    return rx.text(
        "by ",
        rx.link(creator_name, href=creator_href, class_name="card-secondary-link", color_scheme="gray"),
        size="2",
        color_scheme="gray",
    )


def product_card(
    *,
    title: rx.Var[str],
    summary: rx.Var[str],
    price_label: rx.Var[str],
    href: rx.Var[str],
    cover_url: rx.Var[str],
    creator_name: rx.Var[str] | None = None,
    creator_href: rx.Var[str] | None = None,
) -> rx.Component:
    """An article named by its title; the title link stretches over the whole card (see styles.css)."""
    creator_line = [] if creator_name is None or creator_href is None else [_creator_line(creator_name, creator_href)]
    return rx.el.article(
        _cover(cover_url),
        rx.vstack(
            rx.heading(
                rx.link(title, href=href, class_name="card-link", underline="none", color="inherit"),
                size="4",
                as_="h3",
            ),
            *creator_line,
            rx.text(summary, size="2", color_scheme="gray", class_name="clamp-3"),
            rx.spacer(),
            rx.badge(price_label, size="2", variant="soft", radius="full"),
            spacing="2",
            align="start",
            padding="1rem",
            flex="1",
        ),
        aria_label=title,
        class_name="product-card",
        style=card_style,
    )


def product_grid(cards: rx.Component, *, is_wide: bool = False) -> rx.Component:
    """One column on phones, up to three (four with `is_wide`, for pages without a sidebar or header)."""
    columns = rx.breakpoints(initial="1", sm="2", md="3", lg="4" if is_wide else "3")
    return rx.grid(cards, columns=columns, spacing="4", width="100%")


def product_card_skeletons(count: int = 6, *, is_wide: bool = False) -> rx.Component:
    return rx.grid(
        *[
            rx.vstack(
                rx.skeleton(class_name="product-cover", loading=True),
                rx.vstack(
                    rx.skeleton(height="1.25rem", width="70%", loading=True),
                    rx.skeleton(height="0.875rem", width="100%", loading=True),
                    rx.skeleton(height="0.875rem", width="85%", loading=True),
                    rx.skeleton(height="1.5rem", width="5rem", border_radius="999px", loading=True),
                    spacing="2",
                    padding="1rem",
                    width="100%",
                ),
                spacing="0",
                style={**card_style, "_hover": {}},
                overflow="hidden",
            )
            for _ in range(count)
        ],
        columns=rx.breakpoints(initial="1", sm="2", md="3", lg="4" if is_wide else "3"),
        spacing="4",
        width="100%",
        aria_hidden="true",
    )


def storefront_skeleton() -> rx.Component:
    return rx.vstack(
        rx.text("Loading the storefront…", class_name="visually-hidden", role="status"),
        rx.skeleton(class_name="storefront-banner", loading=True),
        rx.hstack(
            rx.skeleton(class_name="creator-avatar", loading=True),
            rx.vstack(
                rx.skeleton(height="2rem", width="14rem", max_width="50vw", loading=True),
                rx.skeleton(height="1rem", width="6rem", loading=True),
                spacing="2",
            ),
            align="end",
            spacing="4",
            margin_top=["-2.75rem", "-3.5rem"],
            padding_x=["0.5rem", "1rem"],
        ),
        rx.skeleton(height="1rem", width="100%", max_width="36rem", loading=True),
        rx.skeleton(height="1rem", width="80%", max_width="28rem", loading=True),
        rx.box(height="1rem"),
        product_card_skeletons(3),
        spacing="3",
        width="100%",
        aria_busy="true",
    )


def _subscribe_intro(display_name: rx.Var[str]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.center(
                rx.icon("mail", size=20, color=rx.color("violet", 11)),
                width="2.5rem",
                height="2.5rem",
                border_radius="50%",
                background_color=rx.color("violet", 3),
                flex_shrink="0",
                aria_hidden="true",
            ),
            # Not a heading: the page's headings stay "<name>" and "Products"; the section is named by this text.
            rx.text("Get updates from ", display_name, id="subscribe-title", size="5", weight="bold"),
            align="center",
            spacing="3",
        ),
        rx.text(
            "New products and news, straight to your inbox. Unsubscribe any time with one click.",
            size="2",
            color_scheme="gray",
        ),
        spacing="3",
    )


def _subscribe_form(*, on_submit: Any, is_submitting: rx.Var[bool], error: rx.Var[str]) -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Email",
                name="email",
                form_id="subscribe",
                input_type="email",
                error=error,
                auto_complete="email",
                placeholder="you@example.com",
                required=True,
            ),
            submit_button("Subscribe", is_loading=is_submitting),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
    )


def email_capture_card(
    *,
    display_name: rx.Var[str],
    on_submit: Any,
    is_submitting: rx.Var[bool],
    is_subscribed: rx.Var[bool],
    error: rx.Var[str],
    success_message: str,
) -> rx.Component:
    """The "Get updates from <name>" card: one labelled email field; success replaces the form with a status."""
    return rx.el.section(
        rx.grid(
            _subscribe_intro(display_name),
            rx.cond(
                is_subscribed,
                rx.callout(success_message, icon="mail_check", color_scheme="green", role="status", width="100%"),
                _subscribe_form(on_submit=on_submit, is_submitting=is_submitting, error=error),
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            gap=["1rem", "1rem", "2rem"],
            align_items="center",
            width="100%",
        ),
        id=SUBSCRIBE_ANCHOR,
        aria_labelledby="subscribe-title",
        class_name="subscribe-card",
        style={**card_style, "_hover": {}},
    )


def product_cover(*, cover_url: rx.Var[str], title: rx.Var[str]) -> rx.Component:
    return rx.box(_cover(cover_url, alt=f"Cover of {title}", icon_size=56), class_name="product-page-cover")


def tag_list(tags: rx.Var[list[str]]) -> rx.Component:
    return rx.cond(
        tags.length() > 0,
        rx.el.ul(
            rx.foreach(tags, lambda tag: rx.el.li(rx.badge(tag, variant="outline", color_scheme="gray", size="2"))),
            class_name="tag-list",
            aria_label="Tags",
        ),
    )


def product_skeleton() -> rx.Component:
    return rx.grid(
        rx.text("Loading the product…", class_name="visually-hidden", role="status"),
        rx.box(rx.skeleton(width="100%", height="100%", loading=True), class_name="product-page-cover"),
        rx.vstack(
            rx.skeleton(height="1.25rem", width="8rem", loading=True),
            rx.skeleton(height="2.5rem", width="90%", loading=True),
            rx.skeleton(height="1rem", width="10rem", loading=True),
            rx.skeleton(height="2rem", width="6rem", loading=True),
            rx.skeleton(height="1rem", width="100%", loading=True),
            rx.skeleton(height="1rem", width="75%", loading=True),
            rx.skeleton(height="3rem", width="100%", loading=True),
            spacing="3",
            width="100%",
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        gap=["1.5rem", "2rem", "3rem"],
        width="100%",
        aria_busy="true",
    )


def link_button(label: str, *, href: str, variant: str = "solid", size: str = "3") -> rx.Component:
    """A link that looks like a button (one focusable element, announced as a link)."""
    return rx.button(rx.link(label, href=href, underline="none"), as_child=True, size=size, variant=variant)
