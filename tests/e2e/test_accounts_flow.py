"""A person signs up, confirms by email, signs out and in, turns on 2FA, and resets a password once."""

from __future__ import annotations

import re
import secrets

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_mail_link, open_page, sign_up_and_confirm

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a fresh new passphrase"


def _sign_in(page: Page, app_url: str, email: str, password: str) -> None:
    open_page(page, f"{app_url}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).first.click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_sign_up_verify_sign_in_two_factor_and_reset(page: Page, app_url: str) -> None:
    email = f"fan-{secrets.token_hex(3)}@example.com"

    # Sign up, then confirm through the Dev mailbox.
    open_page(page, f"{app_url}/signup")
    page.get_by_label("Your name").fill("Ada Fan")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert").filter(has_text="accept the Terms")).to_be_visible()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We sent a confirmation link to")).to_be_visible()

    open_mail_link(page, app_url, to_address=email, subject="Confirm your email for Creatorly")
    expect(page.get_by_text("Your email is confirmed and you're signed in.")).to_be_visible()
    page.get_by_role("link", name="Go to your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()

    # Sign out, sign in with the password.
    _sign_out(page)
    _sign_in(page, app_url, email, PASSWORD)
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()

    # Turn on two-factor authentication.
    page.get_by_role("button", name="Set up two-factor authentication").click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_label("Backup codes")).to_be_visible()
    expect(page.get_by_text("On", exact=True)).to_be_visible()

    # Sign in again: now a TOTP code is asked for.
    _sign_out(page)
    _sign_in(page, app_url, email, PASSWORD)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()

    # A reset link works once, then not again.
    _sign_out(page)
    open_page(page, f"{app_url}/reset-password")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_text("a reset link is on its way")).to_be_visible()
    link = open_mail_link(page, app_url, to_address=email, subject="Reset your Creatorly password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    open_page(page, link)
    page.get_by_label("New password", exact=True).fill("yet another passphrase")
    page.get_by_label("New password again").fill("yet another passphrase")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_text("This link is invalid, expired or already used.").first).to_be_visible()

    _sign_in(page, app_url, email, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()


def test_wrong_password_shows_a_clear_error(page: Page, app_url: str) -> None:
    _sign_in(page, app_url, "nobody-here@example.com", "not the password")
    expect(page.get_by_role("alert").filter(has_text="don't match an account")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin/?$"))


def test_account_page_needs_sign_in(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/account")
    expect(page).to_have_url(re.compile(r"/signin/?\?next=/account$"))
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()


def test_changing_the_email_needs_the_new_inbox(page: Page, app_url: str) -> None:
    email = f"mover-{secrets.token_hex(3)}@example.com"
    new_email = f"moved-{secrets.token_hex(3)}@example.com"
    sign_up_and_confirm(page, app_url, email=email, password=PASSWORD, name="Mo Ver")
    open_page(page, f"{app_url}/account")

    page.get_by_label("New email").fill(new_email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Change email").click()
    expect(page.get_by_text("Check your new inbox")).to_be_visible()

    open_mail_link(page, app_url, to_address=new_email, subject="Confirm your new email for Creatorly")
    expect(page.get_by_text(f"You now sign in with {new_email}.")).to_be_visible()
    open_page(page, f"{app_url}/account")
    expect(page.get_by_text(new_email, exact=True)).to_be_visible()
