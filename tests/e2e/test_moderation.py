"""A fan reports a product; an admin with two-factor finds it in the queue, removes it with a reason; the product
page is gone, the creator is emailed, sees the decision on their dashboard and appeals; the audit log shows the
takedown with its before and after."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_page, open_storefront_with_product, run_in_e2e_app, sign_up_and_confirm
from tests.e2e.test_accessibility import _serious_violations as serious_axe_violations

PASSWORD = "correct horse battery staple"
REASON = "Copies another artist's illustrations"


def _screenshot(page: Page, name: str) -> None:
    """Screens of the new pages for a person to look at, when CREATORLY_E2E_SCREENSHOTS names a folder."""
    folder = os.environ.get("CREATORLY_E2E_SCREENSHOTS", "")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _axe(page: Page) -> list[str]:
    """Serious axe findings once the pointer is off the links and earlier toasts have gone."""
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=15_000)
    return serious_axe_violations(page)


def _admin_with_two_factor(page: Page, app_url: str) -> None:
    email = f"moderator-{secrets.token_hex(3)}@example.com"
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


def _fan_reports(fan: Page, product_url: str) -> None:
    open_page(fan, product_url)
    fan.get_by_role("link", name="Report this product").click()
    expect(fan.get_by_role("heading", name="Report content")).to_be_visible()
    fan.wait_for_selector('#app-ready[data-ready="true"]', state="attached")
    _screenshot(fan, "report-form-phone")
    assert _axe(fan) == []
    fan.get_by_label("What is wrong?").select_option("copyright")
    fan.get_by_label("Details").fill("These illustrations are mine; this shop copied them from my portfolio.")
    fan.get_by_label("Your email").fill("reporter@example.com")
    fan.get_by_role("button", name="Send report").click()
    expect(fan.get_by_role("heading", name="Thank you for your report")).to_be_visible()


def _admin_removes(admin: Page, app_url: str, title: str) -> None:
    admin.get_by_role("link", name="Admin", exact=True).click()
    admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Reports").click()
    expect(admin.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    queue = admin.get_by_role("region", name="Reported content")
    row = queue.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("Copyright or trademark 1")
    _screenshot(admin, "reports-queue")
    assert _axe(admin) == []
    row.get_by_role("link", name=re.compile(title)).click()
    expect(admin.get_by_role("heading", name="Report case")).to_be_visible()
    expect(admin.get_by_text("These illustrations are mine")).to_be_visible()
    assert _axe(admin) == []
    admin.get_by_label("Decision", exact=True).select_option("content_removed")
    admin.get_by_label("Reason").fill(REASON)
    _screenshot(admin, "report-case")
    admin.get_by_role("button", name="Record decision").click()
    expect(admin.get_by_text("Decision recorded.")).to_be_visible()
    expect(admin.get_by_text("Decision: Content removed")).to_be_visible()
    _screenshot(admin, "report-case-decided")


def test_a_reported_product_is_removed_and_its_creator_appeals(page: Page, app_url: str) -> None:
    handle = f"copy{secrets.token_hex(3)}"
    creator_email = f"{handle}@example.com"
    title = "Borrowed Illustrations"
    sign_up_and_confirm(page, app_url, email=creator_email, password=PASSWORD, name="Copy Cat")
    product_url = app_url + open_storefront_with_product(page, app_url, handle=handle, title=title, price="9")

    browser = page.context.browser
    assert browser is not None
    fan = browser.new_context(viewport={"width": 390, "height": 844}).new_page()  # a phone
    _fan_reports(fan, product_url)

    admin = browser.new_context().new_page()
    _admin_with_two_factor(admin, app_url)
    _admin_removes(admin, app_url, title)

    open_page(fan, product_url)
    expect(fan.get_by_role("heading", name="Product not found")).to_be_visible()

    open_page(page, f"{app_url}/dev/mailbox")
    mail = page.get_by_role("article", name="We removed some of your content on Creatorly").filter(
        has_text=creator_email
    )
    expect(mail.first).to_contain_text(REASON)
    open_page(page, f"{app_url}/dashboard")
    page.get_by_role("link", name="Reports & decisions").click()
    decision = page.get_by_role("article", name=re.compile(title))
    expect(decision).to_contain_text(REASON)
    _screenshot(page, "creator-decisions")
    assert _axe(page) == []
    decision.get_by_label("Your appeal").fill("I drew these myself; my sketches are in my portfolio from 2021.")
    decision.get_by_role("button", name="Send appeal").click()
    expect(page.get_by_text("Appeal sent.")).to_be_visible()
    expect(decision).to_contain_text("I drew these myself")
    expect(decision.get_by_role("button", name="Send appeal")).to_have_count(0)

    admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Audit log").click()
    entries = admin.get_by_role("region", name="Audit log entries")
    takedown = entries.get_by_role("row").filter(has_text="product.taken_down")
    expect(takedown).to_contain_text("status: published → draft")
    expect(takedown).to_contain_text(REASON)
    expect(entries.get_by_role("row").filter(has_text="moderation.appealed")).to_have_count(1)
