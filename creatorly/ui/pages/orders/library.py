"""`/library`: the memberships, purchases and sent tips of the signed-in buyer or of an emailed link's address;
else a form to get the link."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.forms import field, form_error, submit_button
from creatorly.ui.components.links import document_link
from creatorly.ui.components.member_library import MembershipHandlers, membership_card, sent_tip_row
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.pages.orders.library_sessions import library_sessions_section
from creatorly.ui.states.orders.library import LibraryDownload, LibraryItem, LibraryState


def _loading() -> rx.Component:
    return rx.hstack(
        rx.spinner(), rx.text("Loading your purchases…"), role="status", aria_busy="true", padding_y="3rem"
    )


def _download(download: LibraryDownload) -> rx.Component:
    return rx.button(
        document_link(rx.icon("download", size=14), download.button_label, href=download.href),
        as_child=True,
        size="2",
        variant="soft",
        title=download.size_label,
    )


def _item(item: LibraryItem) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.text(rx.text.strong(item.product_title), " by ", item.creator_name, class_name="wrap-anywhere"),
                    rx.text(
                        item.ordered_on,
                        " · ",
                        item.amount_label,
                        " · ",
                        item.status_label,
                        size="2",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    align="start",
                    flex="1",
                ),
                # The order link is absolute and carries its own key.
                rx.button(
                    rx.el.a("Open order", href=item.order_url, aria_label=item.link_label), as_child=True, size="2"
                ),
                gap="1rem",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                item.downloads.length() > 0,
                rx.flex(rx.foreach(item.downloads, _download), gap="0.5rem", wrap="wrap"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, as_="h2", size="5"), *children, spacing="3", width="100%")


def _memberships() -> rx.Component:
    handlers = MembershipHandlers(
        on_act=LibraryState.act_on_membership,
        on_change_tier=LibraryState.change_tier,
        on_toggle_tier_dialog=LibraryState.toggle_tier_dialog,
        tier_dialog_for=LibraryState.tier_dialog_for,
        busy_id=LibraryState.busy_membership,
    )
    return _section(
        "Memberships",
        rx.cond(
            LibraryState.memberships_notice != "",
            rx.callout(LibraryState.memberships_notice, icon="info", color_scheme="amber", width="100%"),
            rx.cond(
                LibraryState.memberships.length() > 0,
                rx.vstack(
                    rx.foreach(LibraryState.memberships, lambda item: membership_card(item, handlers=handlers)),
                    spacing="3",
                    width="100%",
                ),
                empty_state(
                    icon="heart-handshake",
                    title="No memberships yet",
                    text="Join a creator's membership to support them every month; it shows up here.",
                    action=rx.link(rx.button("Discover creators", size="3"), href=routes.DISCOVER),
                ),
            ),
        ),
    )


def _tips() -> rx.Component:
    return _section(
        "Tips",
        rx.cond(
            LibraryState.sent_tips.length() > 0,
            rx.vstack(rx.foreach(LibraryState.sent_tips, sent_tip_row), spacing="3", width="100%"),
            rx.text("Tips you send to creators show up here.", color_scheme="gray"),
        ),
    )


def _orders() -> rx.Component:
    return rx.vstack(
        rx.text("Everything for ", rx.text.strong(LibraryState.email), color_scheme="gray"),
        _memberships(),
        _section("Purchases", _purchases()),
        library_sessions_section(),
        _tips(),
        spacing="6",
        width="100%",
    )


def _purchases() -> rx.Component:
    return rx.cond(
        LibraryState.items.length() > 0,
        rx.vstack(rx.foreach(LibraryState.items, _item), spacing="3", width="100%"),
        rx.text("When you buy or download something, it shows up here.", color_scheme="gray"),
    )


def _ask_for_link() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text("Enter the email you used at checkout and we'll send you a link to all your purchases."),
                form_error(LibraryState.link_error),
                form_error(LibraryState.form_error),
                rx.cond(
                    LibraryState.sent_message != "",
                    rx.callout(LibraryState.sent_message, icon="mail-check", color_scheme="green", role="status"),
                ),
                field("Email", name="email", input_type="email", auto_complete="email", required=True),
                submit_button("Email me a link", is_loading=LibraryState.is_sending),
                rx.text("Have an account? ", rx.link("Sign in", href=routes.SIGN_IN + "?next=" + routes.LIBRARY)),
                spacing="3",
                width="100%",
            ),
            on_submit=LibraryState.request_link,
        ),
        max_width="28rem",
        width="100%",
    )


def library_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            rx.heading("Your library", as_="h1", size="7"),
            rx.cond(
                LibraryState.is_loading,
                _loading(),
                rx.cond(LibraryState.is_showing_orders, _orders(), _ask_for_link()),
            ),
            spacing="5",
            width="100%",
        )
    )
