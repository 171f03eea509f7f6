"""`/signup`: create an account; a confirmation link goes to the inbox."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.forms import field, form_error, submit_button
from creatorly.ui.layouts.auth import auth_layout
from creatorly.ui.states.accounts.sign_up import SignUpState


def _terms() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.checkbox(id="field-accepted_terms", name="accepted_terms"),
            rx.el.label(
                "I accept the ",
                rx.link("Terms of Service", href=routes.LEGAL_TERMS, is_external=True),
                " and the ",
                rx.link("Privacy Policy", href=routes.LEGAL_PRIVACY, is_external=True),
                html_for="field-accepted_terms",
            ),
            align="start",
            spacing="2",
        ),
        rx.text(SignUpState.errors["accepted_terms"], size="2", color_scheme="red", role="alert"),
        spacing="1",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(SignUpState.form_error),
            field("Your name", name="display_name", error=SignUpState.errors["display_name"], auto_complete="name"),
            field("Email", name="email", input_type="email", error=SignUpState.errors["email"], auto_complete="email"),
            field(
                "Password",
                name="password",
                input_type="password",
                error=SignUpState.errors["password"],
                hint="At least 8 characters. A few words are easy to remember and hard to guess.",
                auto_complete="new-password",
            ),
            _terms(),
            submit_button("Create account", is_loading=SignUpState.is_submitting),
            rx.text("Already have an account? ", rx.link("Sign in", href=routes.SIGN_IN), size="2"),
            spacing="4",
            width="100%",
        ),
        on_submit=SignUpState.submit,
        width="100%",
    )


def _check_inbox() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.text("We sent a confirmation link to ", rx.text.strong(SignUpState.submitted_email), "."),
            icon="mail-check",
            color_scheme="green",
            role="status",
        ),
        rx.text("Open it to confirm your email and sign in. It may take a minute to arrive.", color_scheme="gray"),
        rx.button("Use a different email", variant="soft", on_click=SignUpState.start_over),
        spacing="3",
        width="100%",
    )


def sign_up_page() -> rx.Component:
    return auth_layout(
        "Create your account",
        "Sell, support and collect what creators make.",
        rx.cond(SignUpState.is_done, _check_inbox(), _form()),
    )
