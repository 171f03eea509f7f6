"""A fan tips the demo creator with a public message and the sandbox card; the message appears on the supporter
wall, and the creator sees the tip in the dashboard."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

from creatorly.services.demo.service import DEMO_EMAIL, DEMO_PASSWORD
from tests.conftest import TEST_DATA_DIR
from tests.e2e.helpers import open_page

SCREENSHOTS = TEST_DATA_DIR / "screenshots"


def _screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.locator("#tip").screenshot(path=str(path))
    return path


def _pay_with_sandbox_card(page: Page) -> None:
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Ada Fan")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def test_a_fan_tips_with_a_public_message_that_shows_on_the_wall_and_in_the_dashboard(page: Page, app_url: str) -> None:
    token = secrets.token_hex(3)
    message = f"Your presets made my wedding photos glow! <b>{token}</b>"
    shown = f"Your presets made my wedding photos glow! {token}"
    email = f"tipper-{token}@example.com"

    open_page(page, f"{app_url}/mira")
    tip = page.locator("#tip")
    expect(tip.get_by_role("heading", name="Support Mira Costa")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    _screenshot(page, "tips-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    _screenshot(page, "tips-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    tip.get_by_role("button", name="$5.00").click()
    expect(tip.get_by_label("Or your own amount")).to_have_value("5")
    tip.get_by_label("Or your own amount").fill("7.50")
    tip.get_by_label("Message (optional)").fill(message)
    tip.get_by_label("Your name (shown with your tip)").fill("Ada Fan")
    tip.get_by_label("Email for your receipt").fill(email)
    tip.get_by_role("button", name="Send tip").click()
    _pay_with_sandbox_card(page)

    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.get_by_role("heading", name="Thank you for your tip!")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("$7.50").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "tip-receipt.png"))
    page.get_by_role("link", name=re.compile("Back to Mira Costa")).click()

    wall = page.get_by_test_id("supporter-wall")
    expect(wall.get_by_text(shown)).to_be_visible(timeout=15_000)
    expect(wall.locator("li").filter(has_text=shown).get_by_text("Ada Fan")).to_be_visible()
    expect(page.locator("b", has_text=token)).to_have_count(0)  # the message's HTML is never markup
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("supporter-wall").screenshot(path=str(SCREENSHOTS / "wall-desktop.png"))

    open_page(page, f"{app_url}/signin?next=/dashboard/tips")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/tips"))
    expect(page.get_by_role("heading", name="Tips", exact=True)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=shown)
    expect(row).to_be_visible()
    expect(row.get_by_text("$7.50")).to_be_visible()
    expect(row.get_by_text("Public", exact=True)).to_be_visible()
    expect(row.get_by_text(email)).to_be_visible()
    # The tip jar has no currency of its own: it is the store's, changed in the storefront settings
    expect(page.locator("#tip-jar-currency")).to_have_text("USD")
    expect(page.get_by_role("link", name="storefront settings")).to_have_attribute("href", "/dashboard/storefront")
    expect(page.get_by_role("combobox", name="Currency")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-tips.png"), full_page=True)
