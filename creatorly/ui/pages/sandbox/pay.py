"""`/sandbox/pay/[sandbox_ref]`: the sandbox gateway's hosted payment page, with its test cards listed."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.components.forms import field, submit_button
from creatorly.ui.layouts.auth import auth_layout
from creatorly.ui.states.sandbox.pay import SandboxPayState

TEST_CARDS: list[tuple[str, str]] = [
    ("4242 4242 4242 4242", "succeeds"),
    ("4000 0000 0000 0002", "is declined"),
    ("4000 0000 0000 9995", "fails: insufficient funds"),
]


def _banner() -> rx.Component:
    return rx.callout(
        "Sandbox test payment — no real money moves",
        icon="flask_conical",
        color_scheme="amber",
        role="note",
        width="100%",
    )


def _summary() -> rx.Component:
    state = SandboxPayState
    return rx.vstack(
        rx.text(state.description, weight="medium"),
        rx.text("Order ", state.merchant_reference, size="2", color_scheme="gray", class_name="wrap-anywhere"),
        rx.heading(state.amount_label, as_="p", size="8", id="sandbox-amount"),
        spacing="1",
        width="100%",
    )


def _test_cards() -> rx.Component:
    return rx.vstack(
        rx.text("Test cards (any future expiry, any 3-digit CVC):", size="2", weight="medium"),
        rx.el.ul(
            *[rx.el.li(rx.code(number), " ", outcome) for number, outcome in TEST_CARDS],
            rx.el.li("Any other valid card number succeeds."),
            class_name="plain-list",
        ),
        spacing="1",
        width="100%",
    )


def _card_form() -> rx.Component:
    state = SandboxPayState
    return rx.form(
        rx.vstack(
            rx.cond(
                state.decline_message != "",
                rx.callout(
                    rx.text(state.decline_message, " Nothing was charged: check the details or try another card."),
                    icon="circle_alert",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                ),
            ),
            field(
                "Card number",
                name="card_number",
                error=state.field_errors.get("card_number", ""),
                input_mode="numeric",
                auto_complete="cc-number",
                required=True,
            ),
            rx.hstack(
                field(
                    "Expiry (MM/YY)",
                    name="expiry",
                    error=state.field_errors.get("expiry", ""),
                    placeholder="MM/YY",
                    auto_complete="cc-exp",
                    required=True,
                ),
                field(
                    "CVC",
                    name="cvc",
                    error=state.field_errors.get("cvc", ""),
                    input_mode="numeric",
                    auto_complete="cc-csc",
                    required=True,
                ),
                spacing="3",
                width="100%",
            ),
            field(
                "Name on card",
                name="name",
                error=state.field_errors.get("name", ""),
                auto_complete="cc-name",
                required=True,
            ),
            submit_button(f"Pay {state.amount_label}", is_loading=state.is_submitting),
            _test_cards(),
            spacing="4",
            width="100%",
        ),
        on_submit=state.pay,
        width="100%",
    )


def _already_settled() -> rx.Component:
    state = SandboxPayState
    return rx.vstack(
        rx.cond(
            state.is_paid,
            rx.callout(
                "This payment is complete. Your card was charged once.",
                icon="badge_check",
                color_scheme="green",
                role="status",
                width="100%",
            ),
            rx.callout(
                rx.cond(state.decline_message != "", state.decline_message, "This payment can no longer be paid."),
                icon="circle_alert",
                color_scheme="red",
                role="alert",
                width="100%",
            ),
        ),
        rx.link("Return to the shop", href=state.return_url, size="3"),
        spacing="3",
        width="100%",
    )


def _content() -> rx.Component:
    state = SandboxPayState
    return rx.cond(
        state.is_loading,
        rx.hstack(rx.spinner(), rx.text("Loading the payment…"), aria_busy="true", role="status"),
        rx.cond(
            state.load_error != "",
            rx.callout(state.load_error, icon="circle_alert", color_scheme="red", role="alert", width="100%"),
            rx.vstack(
                _summary(),
                rx.cond(state.is_payable, _card_form(), _already_settled()),
                spacing="4",
                width="100%",
            ),
        ),
    )


def sandbox_pay_page() -> rx.Component:
    return auth_layout(
        "Complete your payment",
        "Creatorly Sandbox — the built-in test payment gateway.",
        _banner(),
        _content(),
    )
