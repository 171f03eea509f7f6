"""An admin with two-factor finds a creator by search, suspends their storefront with a reason (the public sees
"This storefront is unavailable", the creator sees the reason on their dashboard), restores it, and refunds one of
the creator's orders from the order's admin page."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Page, expect

from tests.conftest import TEST_DATA_DIR
from tests.e2e.helpers import (
    buy_with_sandbox_card,
    open_page,
    open_storefront_with_product,
    run_in_e2e_app,
    sign_up_and_confirm,
)

PASSWORD = "correct horse battery staple"
SCREENSHOTS = TEST_DATA_DIR / "screenshots"


def _admin_signed_in_with_two_factor(page: Page, app_url: str) -> None:
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


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_an_admin_suspends_restores_and_refunds(page: Page, app_url: str, browser: Browser) -> None:
    handle = f"shop{secrets.token_hex(3)}"
    creator_context = browser.new_context()
    creator = creator_context.new_page()
    sign_up_and_confirm(creator, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Sam Seller")
    product_path = open_storefront_with_product(creator, app_url, handle=handle, title="Brush Pack", price="9")
    fan = browser.new_context().new_page()
    buy_with_sandbox_card(fan, f"{app_url}{product_path}", email=f"fan-{handle}@example.com")

    _admin_signed_in_with_two_factor(page, app_url)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Creators").click()
    expect(page.get_by_role("heading", name="Creators")).to_be_visible()
    page.get_by_label("Search creators").fill(handle)
    page.get_by_role("button", name="Search").click()
    creators = page.get_by_role("region", name="Creators")
    expect(creators.get_by_role("row")).to_have_count(2)  # the header and the one match
    creators.get_by_role("link", name=handle).click()
    expect(page.get_by_role("heading", name="Creator", exact=True, level=1)).to_be_visible()
    expect(page.get_by_text(f"{handle.title()} Studio").first).to_be_visible()

    suspend = page.get_by_role("form", name="Suspend storefront")
    suspend.get_by_label("Reason").fill("Selling brushes that aren't theirs")
    suspend.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("Storefront suspended. The creator has been emailed.")).to_be_visible()
    expect(page.get_by_text("Reason: Selling brushes that aren't theirs")).to_be_visible()
    _shot(page, "admin-creator-suspended")

    open_page(fan, f"{app_url}/{handle}")
    expect(fan.get_by_role("heading", name="This storefront is unavailable")).to_be_visible()
    open_page(creator, f"{app_url}/dashboard")
    expect(creator.get_by_role("alert").filter(has_text="Your storefront is suspended.")).to_contain_text(
        "Selling brushes that aren't theirs"
    )

    restore = page.get_by_role("form", name="Restore storefront")
    restore.get_by_label("Reason").fill("The licence checks out")
    restore.get_by_role("button", name="Restore").click()
    expect(page.get_by_text("Storefront restored. The creator has been emailed.")).to_be_visible()
    open_page(fan, f"{app_url}/{handle}")
    expect(
        fan.get_by_role("heading", name="Sam Seller", exact=False).or_(fan.get_by_text("Brush Pack")).first
    ).to_be_visible()

    page.get_by_role("region", name="Recent orders").get_by_role("link", name=re.compile("^ord_")).click()
    expect(page.get_by_role("heading", name="Order", exact=True, level=1)).to_be_visible()
    refund = page.get_by_role("form", name="Refund")
    refund.get_by_label("Amount").fill("4.00")
    refund.get_by_label("Reason").fill("Buyer asked within the refund window")
    refund.get_by_role("button", name="Refund").click()
    expect(page.get_by_text("Refund of $4.00 asked of the payment provider.")).to_be_visible()
    refunds = page.get_by_role("region", name="Refunds")
    expect(refunds.get_by_role("row").filter(has_text="$4.00")).to_contain_text("Buyer asked within the refund window")
    _shot(page, "admin-order-refunded")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "admin-order-phone")

    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Audit log").click()
    entries = page.get_by_role("region", name="Audit log entries")
    expect(entries.get_by_role("row").filter(has_text="creator.suspended")).to_contain_text(
        "Selling brushes that aren't theirs"
    )
    expect(entries.get_by_role("row").filter(has_text="refund.requested").first).to_contain_text("refund_amount")
    creator_context.close()
