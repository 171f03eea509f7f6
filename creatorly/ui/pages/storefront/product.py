"""`/{handle}/{slug}`: a published product's public page."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.forms import field, form_error
from creatorly.ui.components.report_link import report_link
from creatorly.ui.components.reviews import rating_summary, reviews_section
from creatorly.ui.components.storefront import link_button, product_cover, product_skeleton, tag_list
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.storefront.product import ProductState
from creatorly.ui.states.storefront.reviews import ProductReviewsState


def _facts() -> rx.Component:
    return rx.vstack(
        rx.badge(ProductState.category_label, size="2", variant="soft", radius="full"),
        rx.heading(ProductState.title, as_="h1", size=rx.breakpoints(initial="7", sm="8"), class_name="wrap-anywhere"),
        rx.text(
            "by ",
            rx.link(ProductState.creator_name, href=ProductState.creator_href, weight="medium"),
            color_scheme="gray",
        ),
        rx.text(rx.el.span("Price: ", class_name="visually-hidden"), ProductState.price_label, size="6", weight="bold"),
        _rating(),
        rx.cond(ProductState.summary != "", rx.text(ProductState.summary, size="4", color_scheme="gray")),
        _member_badge(),
        rx.cond(ProductState.is_member_free, _member_button(), _buy_button()),
        _join_link(),
        rx.hstack(
            rx.icon("files", size=18, color=rx.color("violet", 11), aria_hidden="true"),
            rx.text(rx.text.strong("What you get: "), ProductState.files_label),
            align="center",
            spacing="2",
        ),
        tag_list(ProductState.tags),
        _checkout_dialog(),
        spacing="4",
        align="start",
        width="100%",
    )


def _rating() -> rx.Component:
    return rx.cond(
        ProductReviewsState.review_count > 0,
        rx.link(
            rating_summary(
                stars=ProductReviewsState.average_stars,
                summary_text=ProductReviewsState.summary_text,
                count=ProductReviewsState.review_count,
                size="2",
            ),
            href="#reviews",
            underline="hover",
        ),
    )


def _buy_button() -> rx.Component:
    return rx.button(
        ProductState.buy_label,
        size="4",
        width="100%",
        disabled=ProductState.is_sold_out,
        on_click=ProductState.buy,
    )


def _member_badge() -> rx.Component:
    return rx.cond(
        ProductState.members_free_tier != "",
        rx.badge(
            rx.icon("crown", size=14, aria_hidden="true"),
            "Free for members of " + ProductState.members_free_tier + " and above",
            size="2",
            color_scheme="green",
            variant="soft",
            radius="full",
            white_space="normal",
        ),
    )


def _member_button() -> rx.Component:
    return rx.button(
        "Get it free as a member",
        size="4",
        width="100%",
        color_scheme="green",
        loading=ProductState.is_claiming,
        disabled=ProductState.is_sold_out,
        on_click=ProductState.claim_as_member,
    )


def _join_link() -> rx.Component:
    return rx.cond(
        (ProductState.members_free_tier != "") & ~ProductState.is_member_free,
        rx.link(
            "Join " + ProductState.members_free_tier + " to get it free",
            href=ProductState.join_href,
            weight="medium",
        ),
    )


def _checkout_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Checkout"),
            rx.dialog.description(ProductState.title, " · ", ProductState.price_label),
            rx.form(
                rx.vstack(
                    form_error(ProductState.checkout_error),
                    field(
                        "Email for your receipt and downloads",
                        name="email",
                        form_id="checkout",
                        input_type="email",
                        default_value=ProductState.buyer_email,
                        auto_complete="email",
                        required=True,
                    ),
                    rx.cond(
                        ProductState.is_pay_what_you_want,
                        field(
                            "Your price",
                            name="amount",
                            default_value=ProductState.suggested_amount,
                            hint="Pay what you want, from " + ProductState.minimum_amount + ".",
                            input_mode="decimal",
                        ),
                    ),
                    field(
                        "Discount code",
                        name="discount_code",
                        hint="Optional.",
                        auto_complete="off",
                        auto_capitalize="characters",
                        spell_check=False,
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button("Continue to payment", type="submit", loading=ProductState.is_paying),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="0.5rem",
                ),
                on_submit=ProductState.pay,
            ),
            max_width="28rem",
        ),
        open=ProductState.is_checkout_open,
        on_open_change=ProductState.set_checkout_open,
    )


def _description() -> rx.Component:
    return rx.cond(
        ProductState.description_html != "",
        rx.el.section(
            rx.heading("About this product", as_="h2", size="5", id="about-product"),
            rx.html(ProductState.description_html, class_name="rich-text"),
            aria_labelledby="about-product",
            display="flex",
            flex_direction="column",
            gap="0.75rem",
            max_width="44rem",
            width="100%",
        ),
    )


def _product() -> rx.Component:
    return rx.vstack(
        rx.grid(
            product_cover(cover_url=ProductState.cover_url, title=ProductState.title),
            _facts(),
            columns=rx.breakpoints(initial="1", md="2"),
            gap=["1.5rem", "2rem", "3rem"],
            width="100%",
            align_items="start",
        ),
        _description(),
        rx.box(reviews_section(state=ProductReviewsState), id="reviews", width="100%"),
        report_link(ProductState.report_href, label="Report this product"),
        spacing="7",
        width="100%",
    )


def _missing() -> rx.Component:
    return empty_state(
        icon="package_x",
        title="Product not found",
        text="This product doesn't exist or isn't for sale right now. It may have been renamed or unpublished.",
        action=link_button("Discover other products", href=routes.DISCOVER),
    )


def product_page() -> rx.Component:
    return site_layout(
        rx.cond(
            ProductState.is_loading,
            product_skeleton(),
            rx.cond(ProductState.is_missing, _missing(), _product()),
        )
    )
