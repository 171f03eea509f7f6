"""`/orders/{order_ref}?key=…`: the buyer's order: payment status, then each purchased file (or the tip sent)."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.links import document_link
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.pages.storefront.tip_jar import tip_jar_section
from creatorly.ui.states.orders.order import DownloadView, OrderPageState

_NOT_CHARGED = "Your payment didn't go through and you haven't been charged."


def _loading() -> rx.Component:
    return rx.hstack(rx.spinner(), rx.text("Loading your order…"), role="status", aria_busy="true", padding_y="3rem")


def _not_found() -> rx.Component:
    return empty_state(
        icon="receipt",
        title="We couldn't find that order",
        text="Please open the link from your receipt email again; it carries the key to your order.",
        action=rx.link(rx.button("Browse creators", size="3"), href=routes.DISCOVER),
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.cond(
            OrderPageState.is_tip,
            rx.text("Your tip to ", rx.text.strong(OrderPageState.creator_name), size="4", class_name="wrap-anywhere"),
            rx.text(
                rx.text.strong(OrderPageState.product_title),
                " by ",
                OrderPageState.creator_name,
                size="4",
                class_name="wrap-anywhere",
            ),
        ),
        rx.text("Amount: ", rx.text.strong(OrderPageState.amount_label), size="3"),
        rx.cond(
            OrderPageState.paid_at_label != "",
            rx.text("Paid on ", OrderPageState.paid_at_label, size="2", color_scheme="gray"),
        ),
        spacing="1",
        align="start",
    )


def _download_row(item: DownloadView) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(item.file_name, weight="medium", class_name="wrap-anywhere"),
                rx.text(item.size_label, " · ", item.downloads_left_label, size="2", color_scheme="gray"),
                rx.text(item.expires_label, size="2", color_scheme="gray"),
                spacing="1",
                align="start",
                flex="1",
            ),
            rx.cond(
                item.is_available,
                rx.button(document_link(item.button_label, href=item.href), as_child=True, size="3"),
                rx.button("Not available", size="3", disabled=True, variant="soft"),
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="start", sm="center"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _paid_tip() -> rx.Component:
    return rx.vstack(
        rx.heading("Thank you for your tip!", as_="h1", size="8"),
        _summary(),
        rx.cond(
            OrderPageState.tip_message != "",
            rx.blockquote(OrderPageState.tip_message, white_space="pre-line", class_name="wrap-anywhere"),
        ),
        rx.text("We emailed your receipt to you.", size="2", color_scheme="gray"),
        rx.link(
            rx.button("Back to ", OrderPageState.creator_name, "'s page", size="3", variant="soft"),
            href=OrderPageState.storefront_href,
        ),
        spacing="3",
        align="start",
        width="100%",
    )


def _paid() -> rx.Component:
    return rx.vstack(
        rx.heading("Thank you for your purchase!", as_="h1", size="8"),
        _summary(),
        rx.heading("Your files", as_="h2", size="5", margin_top="1rem"),
        rx.cond(
            OrderPageState.downloads.length() > 0,
            rx.vstack(rx.foreach(OrderPageState.downloads, _download_row), spacing="3", width="100%"),
            rx.text("Your files are being prepared. Refresh this page in a moment.", color_scheme="gray"),
        ),
        rx.text("We also emailed this page's link to you, so you can come back later.", size="2", color_scheme="gray"),
        rx.box(tip_jar_section(), width="100%", padding_top="1.5rem"),
        spacing="3",
        align="start",
        width="100%",
    )


def _paid_session() -> rx.Component:
    return rx.vstack(
        rx.heading("Your session is booked", as_="h1", size="8"),
        _summary(),
        rx.text("When: ", rx.text.strong(OrderPageState.session_when_label), size="3", class_name="wrap-anywhere"),
        rx.text("We emailed you the details and a calendar invite.", size="2", color_scheme="gray"),
        rx.link(
            rx.button(rx.icon("calendar-check", size=16), "Open your booking", size="3"),
            href=OrderPageState.booking_href,
        ),
        spacing="3",
        align="start",
        width="100%",
    )


def _waiting() -> rx.Component:
    return rx.vstack(
        rx.heading("Almost there", as_="h1", size="8"),
        _summary(),
        rx.cond(
            OrderPageState.is_waiting_too_long,
            rx.callout(
                "Your payment is taking longer than usual to confirm. We'll email you as soon as it does.",
                icon="clock",
                color_scheme="amber",
                role="status",
                width="100%",
            ),
            rx.hstack(
                rx.spinner(size="3"),
                rx.text("Waiting for your payment to be confirmed…", size="4"),
                align="center",
                spacing="3",
                role="status",
                aria_live="polite",
            ),
        ),
        spacing="4",
        align="start",
        width="100%",
    )


def _other_status() -> rx.Component:
    return rx.vstack(
        rx.heading(OrderPageState.status_label, as_="h1", size="8"),
        _summary(),
        rx.callout(
            rx.cond(
                OrderPageState.status == "refunded",
                rx.cond(
                    OrderPageState.is_tip,
                    "This tip was refunded.",
                    rx.cond(
                        OrderPageState.is_session,
                        "This booking was refunded to you in full. We emailed you the details.",
                        "This order was refunded, so its files are no longer available.",
                    ),
                ),
                rx.cond(
                    OrderPageState.is_tip,
                    _NOT_CHARGED + " You can try again from the storefront.",
                    _NOT_CHARGED + " You can try again from the product page.",
                ),
            ),
            icon="circle_alert",
            color_scheme="red",
            role="alert",
            width="100%",
        ),
        spacing="4",
        align="start",
        width="100%",
    )


def _paid_membership() -> rx.Component:
    return rx.vstack(
        rx.heading("Membership receipt", as_="h1", size="8"),
        _summary(),
        rx.text(
            "Manage this membership in ",
            rx.link("your library", href=routes.LIBRARY),
            ".",
            size="2",
            color_scheme="gray",
        ),
        spacing="3",
        align="start",
        width="100%",
    )


def _order() -> rx.Component:
    return rx.cond(
        OrderPageState.is_paid,
        rx.cond(
            OrderPageState.is_membership,
            _paid_membership(),
            rx.cond(OrderPageState.is_tip, _paid_tip(), rx.cond(OrderPageState.is_session, _paid_session(), _paid())),
        ),
        rx.cond(OrderPageState.is_waiting, _waiting(), _other_status()),
    )


def order_page() -> rx.Component:
    return site_layout(
        rx.box(
            rx.cond(
                OrderPageState.is_loading,
                _loading(),
                rx.cond(OrderPageState.is_missing, _not_found(), _order()),
            ),
            max_width="44rem",
            margin_x="auto",
            width="100%",
        )
    )
