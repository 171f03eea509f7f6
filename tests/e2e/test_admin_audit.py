"""An admin made at the command line signs in, turns on two-factor as admins must, opens the admin pages from the
header and reads the audit log: their own role grant and sign-in are there, and the filters narrow it down."""

from __future__ import annotations

import secrets

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_page, run_in_e2e_app

PASSWORD = "correct horse battery staple"


def test_an_admin_with_two_factor_reads_and_filters_the_audit_log(page: Page, app_url: str) -> None:
    email = f"admin-{secrets.token_hex(3)}@example.com"
    run_in_e2e_app("-m", "creatorly.cli", "admin", "create", email, "--password", PASSWORD)

    open_page(page, f"{app_url}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_label("Backup codes")).to_be_visible()
    activity = page.get_by_role("region", name="Account activity")
    expect(activity.get_by_role("row").filter(has_text="Role changed").filter(has_text="Creatorly")).to_be_visible()
    expect(activity.get_by_role("row").filter(has_text="Admin sign-in").first).to_be_visible()

    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.get_by_role("heading", name="Platform overview")).to_be_visible()
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()

    entries = page.get_by_role("region", name="Audit log entries")
    granted = entries.get_by_role("row").filter(has_text="user.role_granted").filter(has_text="role: — → admin")
    expect(granted.first).to_be_visible()
    expect(granted.first).to_contain_text("cli:")

    page.get_by_label("Actor email").fill(email)
    page.get_by_role("button", name="Filter").click()
    mine = entries.get_by_role("row").filter(has_text="admin.signed_in")
    expect(mine).to_have_count(1)
    expect(entries.get_by_role("row").filter(has_text="user.role_granted")).to_have_count(0)

    page.get_by_label("Target type").fill("no-such-target")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No entries")).to_be_visible()
