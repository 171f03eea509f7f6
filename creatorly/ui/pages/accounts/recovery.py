"""Emailed-link pages: `/verify-email`, `/reset-password` and `/reset-password/confirm`."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.forms import field, form_error, submit_button
from creatorly.ui.layouts.auth import auth_layout
from creatorly.ui.states.accounts.recovery import (
    ConfirmEmailChangeState,
    ResetConfirmState,
    ResetRequestState,
    VerifyEmailState,
)


def verify_email_page() -> rx.Component:
    return auth_layout(
        "Confirm your email",
        "",
        rx.cond(
            VerifyEmailState.is_loading,
            rx.hstack(rx.spinner(), rx.text("One moment while we check your link…"), role="status", aria_busy="true"),
            rx.cond(
                VerifyEmailState.is_verified,
                rx.vstack(
                    rx.callout(
                        "Your email is confirmed and you're signed in.",
                        icon="badge-check",
                        color_scheme="green",
                        role="status",
                    ),
                    rx.link(rx.button("Go to your account", size="3"), href=routes.ACCOUNT),
                    spacing="3",
                ),
                rx.vstack(
                    rx.callout(VerifyEmailState.error, icon="circle-alert", color_scheme="red", role="alert"),
                    rx.link("Sign in to get a new link", href=routes.SIGN_IN),
                    spacing="3",
                ),
            ),
        ),
    )


def reset_request_page() -> rx.Component:
    return auth_layout(
        "Reset your password",
        "We'll email you a link to choose a new password.",
        rx.cond(
            ResetRequestState.is_done,
            rx.callout(
                "If an account uses that email, a reset link is on its way. It works once, for one hour.",
                icon="mail-check",
                color_scheme="green",
                role="status",
            ),
            rx.form(
                rx.vstack(
                    form_error(ResetRequestState.form_error),
                    field("Email", name="email", input_type="email", auto_complete="email"),
                    submit_button("Email me a reset link", is_loading=ResetRequestState.is_submitting),
                    rx.link("Back to sign in", href=routes.SIGN_IN, size="2"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ResetRequestState.submit,
                width="100%",
            ),
        ),
    )


def reset_confirm_page() -> rx.Component:
    return auth_layout(
        "Choose a new password",
        "Every device will be signed out once it's changed.",
        rx.cond(
            ResetConfirmState.is_done,
            rx.vstack(
                rx.callout("Your password is changed.", icon="badge-check", color_scheme="green", role="status"),
                rx.link(rx.button("Sign in", size="3"), href=routes.SIGN_IN),
                spacing="3",
            ),
            rx.form(
                rx.vstack(
                    form_error(ResetConfirmState.form_error),
                    field(
                        "New password",
                        name="password",
                        input_type="password",
                        error=ResetConfirmState.errors["password"],
                        auto_complete="new-password",
                    ),
                    field(
                        "New password again",
                        name="password_again",
                        input_type="password",
                        error=ResetConfirmState.errors["password_again"],
                        auto_complete="new-password",
                    ),
                    submit_button("Save new password", is_loading=ResetConfirmState.is_submitting),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ResetConfirmState.submit,
                width="100%",
            ),
        ),
    )


def confirm_email_change_page() -> rx.Component:
    return auth_layout(
        "Confirm your new email",
        "",
        rx.cond(
            ConfirmEmailChangeState.is_loading,
            rx.hstack(rx.spinner(), rx.text("One moment while we check your link…"), role="status", aria_busy="true"),
            rx.cond(
                ConfirmEmailChangeState.error == "",
                rx.vstack(
                    rx.callout(
                        rx.text("You now sign in with ", rx.text.strong(ConfirmEmailChangeState.new_email), "."),
                        icon="badge-check",
                        color_scheme="green",
                        role="status",
                    ),
                    rx.link(rx.button("Go to your account", size="3"), href=routes.ACCOUNT),
                    spacing="3",
                ),
                rx.callout(ConfirmEmailChangeState.error, icon="circle-alert", color_scheme="red", role="alert"),
            ),
        ),
    )
