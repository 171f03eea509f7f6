"""Membership pieces: tier cards with their prices and benefits, post cards with a lock, the join dialog, comments."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui.components.forms import field, form_error
from creatorly.ui.components.report_link import report_link
from creatorly.ui.theme import card_style

_STATIC_CARD = {**card_style, "_hover": {}}


def _benefits(benefits: rx.Var[list[str]]) -> rx.Component:
    return rx.cond(
        benefits.length() > 0,
        rx.el.ul(
            rx.foreach(
                benefits,
                lambda benefit: rx.el.li(
                    rx.hstack(
                        rx.icon("check", size=16, color=rx.color("green", 10), aria_hidden="true", flex_shrink="0"),
                        rx.text(benefit, size="2"),
                        spacing="2",
                        align="start",
                    )
                ),
            ),
            class_name="benefit-list",
            style={"list_style": "none", "padding": "0", "margin": "0", "display": "grid", "gap": "0.4rem"},
            aria_label="Benefits",
        ),
    )


def tier_card(tier: Any, *, on_join: Any) -> rx.Component:
    """An article named by the tier: prices per period, trial, description, benefits and the Join button."""
    return rx.el.article(
        rx.vstack(
            rx.heading(tier.name, as_="h3", size="5", class_name="wrap-anywhere"),
            rx.vstack(
                rx.foreach(tier.prices, lambda price: rx.text(price.label, size="4", weight="bold")),
                spacing="0",
            ),
            rx.cond(tier.trial_label != "", rx.badge(tier.trial_label, color_scheme="green", variant="soft")),
            rx.cond(tier.description_html != "", rx.html(tier.description_html, class_name="rich-text")),
            _benefits(tier.benefits),
            rx.spacer(),
            rx.cond(
                tier.is_full,
                rx.button("Full", size="3", width="100%", disabled=True),
                rx.button(
                    "Join",
                    size="3",
                    width="100%",
                    on_click=on_join(tier.public_id),
                    aria_label="Join " + tier.name,
                    disabled=~rx.State.is_hydrated,
                ),
            ),
            spacing="3",
            align="start",
            height="100%",
            padding="1.25rem",
        ),
        aria_label=tier.name,
        style=_STATIC_CARD,
    )


def tier_grid(cards: rx.Component) -> rx.Component:
    return rx.grid(cards, columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="4", width="100%")


def lock_badge(label: rx.Var[str] | str) -> rx.Component:
    return rx.badge(
        rx.icon("lock", size=12, aria_hidden="true"), label, color_scheme="amber", variant="soft", high_contrast=True
    )


def post_card(post: Any, *, join_href: rx.Var[str] | str) -> rx.Component:
    """A post in the storefront list: locked ones keep their title and teaser and point to the tiers."""
    return rx.el.article(
        rx.vstack(
            rx.hstack(
                rx.text(post.date, size="1", color_scheme="gray"),
                rx.cond(post.lock_label != "", lock_badge(post.lock_label)),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.heading(
                rx.link(post.title, href=post.href, underline="hover", color="inherit"),
                as_="h3",
                size="4",
                class_name="wrap-anywhere",
            ),
            rx.cond(post.teaser != "", rx.text(post.teaser, size="2", color_scheme="gray")),
            rx.cond(
                post.is_locked,
                rx.link(
                    rx.hstack(rx.icon("lock", size=14, aria_hidden="true"), rx.text("Join to read"), spacing="1"),
                    href=join_href,
                    size="2",
                    weight="medium",
                ),
                rx.link("Read", href=post.href, size="2", weight="medium", aria_label="Read " + post.title),
            ),
            spacing="2",
            align="start",
            padding="1rem 1.25rem",
        ),
        aria_label=post.title,
        style=_STATIC_CARD,
    )


def join_dialog(
    *,
    is_open: rx.Var[bool],
    on_open_change: Any,
    tier_name: rx.Var[str],
    prices: rx.Var[list[Any]],
    default_interval: rx.Var[str],
    email: rx.Var[str],
    error: rx.Var[str],
    is_joining: rx.Var[bool],
    on_submit: Any,
) -> rx.Component:
    """Email and billing period, then a full-page hand-off to the payment page."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Join ", tier_name),
            rx.dialog.description("Choose how often to pay. Cancel any time."),
            rx.form(
                rx.vstack(
                    form_error(error),
                    rx.radio_group.root(
                        rx.foreach(prices, lambda price: rx.radio_group.item(price.label, value=price.interval)),
                        name="interval",
                        default_value=default_interval,
                        direction="column",
                        spacing="2",
                        aria_label="Billing period",
                    ),
                    field(
                        "Email for your membership and receipts",
                        name="email",
                        form_id="membership",
                        input_type="email",
                        default_value=email,
                        auto_complete="email",
                        required=True,
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Continue to payment", type="submit", loading=is_joining),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="0.5rem",
                ),
                on_submit=on_submit,
            ),
            max_width="28rem",
        ),
        open=is_open,
        on_open_change=on_open_change,
    )


def comment_item(comment: Any, *, is_owner: rx.Var[bool], on_hide: Any, on_show: Any, on_block: Any) -> rx.Component:
    """One comment as plain text; the creator sees hidden ones marked, with hide and block actions."""
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.text(comment.author_name, weight="medium", size="2"),
                rx.text(comment.date, size="1", color_scheme="gray"),
                rx.cond(comment.is_hidden, rx.badge("hidden", color_scheme="gray")),
                rx.cond(comment.is_author_blocked, rx.badge("blocked", color_scheme="red")),
                rx.cond(~is_owner, report_link(comment.report_href, label="Report this comment")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(comment.body, size="2", white_space="pre-wrap", class_name="wrap-anywhere"),
            rx.cond(
                is_owner,
                rx.hstack(
                    rx.cond(
                        comment.is_hidden,
                        rx.button("Show", size="1", variant="soft", color_scheme="gray", on_click=on_show(comment.id)),
                        rx.button("Hide", size="1", variant="soft", color_scheme="gray", on_click=on_hide(comment.id)),
                    ),
                    rx.cond(
                        ~comment.is_author_blocked,
                        rx.button(
                            "Block commenter",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=on_block(comment.id),
                        ),
                    ),
                    spacing="2",
                ),
            ),
            spacing="1",
            align="start",
            padding_y="0.75rem",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        ),
    )
