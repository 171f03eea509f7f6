"""The texts of account emails."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EmailText:
    subject: str
    text_body: str


def verify_email(link: str) -> EmailText:
    return EmailText(
        "Confirm your email for Creatorly",
        f"Welcome to Creatorly!\n\nConfirm your email address and sign in:\n{link}\n\n"
        "The link works once and expires in 48 hours. If you didn't sign up, ignore this email.",
    )


def already_registered(sign_in_link: str, reset_link: str) -> EmailText:
    return EmailText(
        "Someone tried to sign up with your email",
        "Someone (maybe you) tried to create a Creatorly account with this email address, "
        f"but you already have one.\n\nSign in: {sign_in_link}\nForgot your password? {reset_link}\n\n"
        "If this wasn't you, you can ignore this email.",
    )


def reset_password(link: str) -> EmailText:
    return EmailText(
        "Reset your Creatorly password",
        f"Choose a new password here:\n{link}\n\nThe link works once and expires in one hour. "
        "If you didn't ask for this, ignore this email: your password stays the same.",
    )


def password_changed() -> EmailText:
    return EmailText(
        "Your Creatorly password was changed",
        "Your password was just changed and every device was signed out. "
        "If this wasn't you, reset your password right away and contact support@creatorly.example.",
    )


def confirm_new_email(link: str) -> EmailText:
    return EmailText(
        "Confirm your new email for Creatorly",
        f"Confirm that this is your new sign-in email:\n{link}\n\n"
        "The link works once and expires in 24 hours. If you didn't ask for this, ignore this email.",
    )


def email_changed(new_address: str) -> EmailText:
    return EmailText(
        "Your Creatorly email was changed",
        f"Your account now signs in with {new_address}. "
        "If this wasn't you, contact support@creatorly.example right away.",
    )
