"""Browser-test helpers: wait for the live app, read the Dev mailbox, compute TOTP codes."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def open_page(page: Page, url: str) -> None:
    """Go to a page and wait until Reflex has hydrated it (handlers are live)."""
    page.goto(url)
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached", timeout=30_000)


def open_mail_link(page: Page, app_url: str, *, to_address: str, subject: str) -> str:
    """Find the newest mail to `to_address` with `subject` in the Dev mailbox and follow its link."""
    open_page(page, f"{app_url}/dev/mailbox")
    mail = page.get_by_role("article", name=subject).filter(has_text=to_address).first
    expect(mail).to_be_visible()
    link = mail.get_by_role("link", name=re.compile("^Open link")).first
    href = link.get_attribute("href")
    assert href is not None
    open_page(page, href)
    return href


def sign_up_and_confirm(page: Page, app_url: str, *, email: str, password: str, name: str = "Ada Fan") -> None:
    """Create an account through the UI and confirm it from the Dev mailbox (ends signed in)."""
    open_page(page, f"{app_url}/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We sent a confirmation link to")).to_be_visible()
    open_mail_link(page, app_url, to_address=email, subject="Confirm your email for Creatorly")
    expect(page.get_by_text("Your email is confirmed and you're signed in.")).to_be_visible()
