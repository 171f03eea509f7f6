"""`/signin` and `/signin/two-factor`: password, then the second factor when it is on."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.forms import field, form_error, submit_button
from creatorly.ui.components.links import document_link
from creatorly.ui.layouts.auth import auth_layout
from creatorly.ui.states.accounts.sign_in import SignInState, TwoFactorState


def _google() -> rx.Component:
    return rx.cond(
        SignInState.is_google_enabled,
        rx.vstack(
            document_link(
                rx.button(rx.icon("globe", size=16), "Continue with Google", variant="outline", size="3", width="100%"),
                href=routes.GOOGLE_SIGN_IN,
                style={"width": "100%"},
            ),
            rx.text(
                "By continuing with Google you accept our Terms and Privacy Policy.", size="1", color_scheme="gray"
            ),
            rx.separator(size="4"),
            width="100%",
            spacing="2",
        ),
    )


def sign_in_page() -> rx.Component:
    return auth_layout(
        "Welcome back",
        "Sign in to your Creatorly account.",
        _google(),
        rx.form(
            rx.vstack(
                form_error(SignInState.form_error),
                field("Email", name="email", input_type="email", auto_complete="email"),
                field("Password", name="password", input_type="password", auto_complete="current-password"),
                submit_button("Sign in", is_loading=SignInState.is_submitting),
                rx.hstack(
                    rx.link("Forgot your password?", href=routes.RESET_PASSWORD, size="2"),
                    rx.spacer(),
                    rx.link("Create an account", href=routes.SIGN_UP, size="2"),
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            on_submit=SignInState.submit,
            width="100%",
        ),
    )


def two_factor_page() -> rx.Component:
    return auth_layout(
        "Two-factor authentication",
        "Enter the 6-digit code from your authenticator app, or one of your backup codes.",
        rx.cond(
            TwoFactorState.has_challenge,
            rx.form(
                rx.vstack(
                    form_error(TwoFactorState.form_error),
                    field("Authentication code", name="code", auto_complete="one-time-code", input_mode="numeric"),
                    submit_button("Verify", is_loading=TwoFactorState.is_submitting),
                    spacing="4",
                    width="100%",
                ),
                on_submit=TwoFactorState.submit,
                width="100%",
            ),
            rx.callout(
                rx.text("This sign-in has expired. ", rx.link("Sign in again", href=routes.SIGN_IN), "."),
                icon="clock",
                color_scheme="amber",
            ),
        ),
    )
