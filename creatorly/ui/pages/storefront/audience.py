"""Emailed audience links: `/audience/confirm` and the one-click `/audience/unsubscribe`."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.layouts.auth import auth_layout
from creatorly.ui.states.storefront.audience import AudienceConfirmState, AudienceUnsubscribeState


def _checking() -> rx.Component:
    return rx.hstack(rx.spinner(), rx.text("Checking your link…"), aria_busy="true", role="status")


def _failed(message: rx.Var[str]) -> rx.Component:
    return rx.vstack(
        rx.callout(message, icon="circle_alert", color_scheme="red", role="alert", width="100%"),
        rx.link("Browse creators on Creatorly", href=routes.DISCOVER, size="2"),
        spacing="3",
        width="100%",
    )


def _confirmed() -> rx.Component:
    state = AudienceConfirmState
    return rx.vstack(
        rx.callout(
            rx.text(
                "You're subscribed to ",
                rx.text.strong(state.creator_name),
                ". We'll send updates to ",
                rx.text.strong(state.email, class_name="wrap-anywhere"),
                ".",
            ),
            icon="badge_check",
            color_scheme="green",
            role="status",
            width="100%",
        ),
        rx.text("Every email has a one-click unsubscribe link.", size="2", color_scheme="gray"),
        rx.button(
            rx.link("Visit ", state.creator_name, "'s storefront", href=state.creator_href, underline="none"),
            as_child=True,
            size="3",
        ),
        spacing="3",
        width="100%",
    )


def _unsubscribed() -> rx.Component:
    state = AudienceUnsubscribeState
    address = rx.text.strong(state.email, class_name="wrap-anywhere")
    return rx.vstack(
        rx.callout(
            rx.cond(
                state.creator_name != "",
                rx.text(
                    "You're unsubscribed. ",
                    address,
                    " won't get any more emails from ",
                    rx.text.strong(state.creator_name),
                    ".",
                ),
                # The creator had already removed the address: nothing was left to stop.
                rx.text("You're unsubscribed. ", address, " isn't on that mailing list any more."),
            ),
            icon="bell_off",
            color_scheme="green",
            role="status",
            width="100%",
        ),
        rx.cond(
            state.creator_href != "",
            rx.text(
                "Changed your mind? Subscribe again on ",
                rx.link(state.creator_name, "'s storefront", href=state.creator_href),
                ".",
                size="2",
                color_scheme="gray",
            ),
        ),
        spacing="3",
        width="100%",
    )


def confirm_subscription_page() -> rx.Component:
    return auth_layout(
        "Confirm your subscription",
        "We only send a creator's updates to addresses that confirmed.",
        rx.cond(
            AudienceConfirmState.is_loading,
            _checking(),
            rx.cond(AudienceConfirmState.is_confirmed, _confirmed(), _failed(AudienceConfirmState.error)),
        ),
    )


def unsubscribe_page() -> rx.Component:
    return auth_layout(
        "Unsubscribe",
        "Opening this link is all it takes: there is nothing else to click.",
        rx.cond(
            AudienceUnsubscribeState.is_loading,
            _checking(),
            rx.cond(AudienceUnsubscribeState.is_unsubscribed, _unsubscribed(), _failed(AudienceUnsubscribeState.error)),
        ),
    )
