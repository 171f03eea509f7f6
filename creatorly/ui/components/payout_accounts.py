"""The "Add payout account" form: a kind picker and the labelled fields of that kind, each with its error."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui.components.forms import field, form_error

ACCOUNT_KINDS = (
    ("bank", "Bank account"),
    ("upi", "UPI (India)"),
    ("stripe", "Stripe connected account"),
    ("paypal", "PayPal"),
)


def _error(errors: rx.Var[dict[str, str]], name: str) -> rx.Var[str]:
    return errors[name].to(str)


def _kind_select(kind: rx.Var[str], on_kind_change: Any, errors: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.vstack(
        rx.el.label("Account type", html_for="field-kind", class_name="field-label"),
        rx.el.select(
            *[rx.el.option(label, value=value) for value, label in ACCOUNT_KINDS],
            id="field-kind",
            name="kind",
            value=kind,
            on_change=on_kind_change,
            class_name="native-select",
        ),
        rx.text(_error(errors, "kind"), size="2", color_scheme="red", role="alert"),
        spacing="1",
        width="100%",
        align="start",
    )


def _bank_fields(errors: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.grid(
        field("Account holder name", name="holder_name", error=_error(errors, "holder_name"), auto_complete="name"),
        field(
            "Country",
            name="country",
            error=_error(errors, "country"),
            hint="Two letters, like US or IN.",
            max_length=2,
            auto_complete="country",
        ),
        field(
            "Routing number or IFSC",
            name="routing_code",
            error=_error(errors, "routing_code"),
            hint="9-digit ABA routing number (US) or 11-character IFSC (India).",
            auto_complete="off",
        ),
        field(
            "Account number",
            name="account_number",
            error=_error(errors, "account_number"),
            hint="Stored encrypted; we only ever show the last 4 digits.",
            input_mode="numeric",
            auto_complete="off",
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        gap="1rem",
        width="100%",
    )


def _kind_fields(kind: rx.Var[str], errors: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.match(
        kind,
        (
            "upi",
            field(
                "UPI id",
                name="upi_id",
                error=_error(errors, "upi_id"),
                hint="Like yourname@okbank.",
                auto_complete="off",
            ),
        ),
        (
            "stripe",
            field(
                "Stripe account id",
                name="stripe_account_id",
                error=_error(errors, "stripe_account_id"),
                hint="Starts with acct_, from your Stripe dashboard.",
                auto_complete="off",
            ),
        ),
        (
            "paypal",
            field(
                "PayPal email",
                name="paypal_email",
                error=_error(errors, "paypal_email"),
                hint="The email address of your PayPal account.",
                input_type="email",
                auto_complete="email",
            ),
        ),
        _bank_fields(errors),
    )


def payout_account_form(
    *,
    kind: rx.Var[str],
    errors: rx.Var[dict[str, str]],
    message: rx.Var[str],
    is_saving: rx.Var[bool],
    version: rx.Var[int],
    on_kind_change: Any,
    on_submit: Any,
) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Add payout account", as_="h3", size="3", id="add-payout-account"),
            form_error(message),
            rx.grid(
                _kind_select(kind, on_kind_change, errors),
                field(
                    "Currency",
                    name="currency",
                    error=_error(errors, "currency"),
                    hint="The currency paid out to this account, like USD or INR.",
                    default_value=rx.cond(kind == "upi", "INR", "USD"),
                    max_length=3,
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                gap="1rem",
                width="100%",
            ),
            _kind_fields(kind, errors),
            rx.el.label(
                rx.el.input(type="checkbox", name="make_default", id="field-make_default"),
                rx.text("Make this my default account for its currency", size="2"),
                html_for="field-make_default",
                display="flex",
                align_items="center",
                gap="0.5rem",
            ),
            rx.button(rx.icon("plus", size=16), "Add payout account", type="submit", loading=is_saving),
            spacing="3",
            width="100%",
        ),
        key=version.to_string() + kind,
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )
