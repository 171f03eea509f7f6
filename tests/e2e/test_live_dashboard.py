"""The creator's dashboard is open in two tabs; a fan buys in a third browser; both tabs show the new order and
revenue and a toast within seconds, without a reload."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.conftest import TEST_DATA_DIR
from tests.e2e.helpers import (
    buy_with_sandbox_card,
    open_page,
    open_storefront_with_product,
    sale_applied_at,
    see_receipt,
    sign_up_and_confirm,
)

PASSWORD = "correct horse battery staple"
LIVE_WITHIN_SECONDS = 2.0  # issue 8: every open tab shows a new sale within 2 seconds
SCREENSHOTS = Path(os.environ.get("CREATORLY_SCREENSHOTS", "/tmp/creatorly-dashboard-shots"))
# Chromium in headless mode calls itself HeadlessChrome, which bot filters (rightly) drop: look like a person.
PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def _metric(page: Page, label: str) -> object:
    return page.get_by_role("group", name=label, exact=True)


def _screenshots(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        page.wait_for_timeout(400)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_both_dashboard_tabs_show_a_new_sale_within_seconds_without_reload(
    browser: Browser, page: Page, app_url: str
) -> None:
    handle = f"live{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Lena Live")
    product_url = open_storefront_with_product(page, app_url, handle=handle, title="Live Zine", price="9")

    # A visitor (not a bot) opens the storefront and the product page: counted as one visitor
    visitor = browser.new_context(user_agent=PERSON)
    visitor_page = visitor.new_page()
    open_page(visitor_page, f"{app_url}/{handle}")
    open_page(visitor_page, f"{app_url}{product_url}")
    visitor.close()

    # The storefront's settings show what was saved (not the first option of each list) — onboarding chose UTC
    open_page(page, f"{app_url}/dashboard/storefront")
    expect(page.get_by_label("Timezone")).to_have_value("UTC")
    expect(page.get_by_label("Currency")).to_have_value("USD")

    open_page(page, f"{app_url}/dashboard")
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    expect(page.get_by_text("days in UTC", exact=False)).to_be_visible()
    expect(_metric(page, "Orders")).to_contain_text("0")
    expect(_metric(page, "Visitors")).to_contain_text("1")
    second_tab = page.context.new_page()
    open_page(second_tab, f"{app_url}/dashboard")
    expect(_metric(second_tab, "Orders")).to_contain_text("0")

    fan = browser.new_context()
    fan_page = fan.new_page()
    buy_with_sandbox_card(
        fan_page, f"{app_url}{product_url}", email=f"fan-{handle}@example.com", wait_for_receipt=False
    )

    for tab in (page, second_tab):
        expect(tab.get_by_role("status", name="Live updates")).to_contain_text("New sale · $9.00", timeout=10_000)
        expect(_metric(tab, "Orders")).to_contain_text("1", timeout=10_000)
        expect(_metric(tab, "Revenue")).to_contain_text("$9.00", timeout=10_000)
        expect(tab.get_by_text("New sale · $9.00").first).to_be_visible(timeout=10_000)
        products = tab.get_by_role("region", name="Products")
        expect(products.get_by_role("row").filter(has_text="Live Zine")).to_contain_text("$9.00")
    seen_at = datetime.now(UTC)  # both tabs show it (the fan's page may still be on its way)
    lag = (seen_at - sale_applied_at(TEST_DATA_DIR / "e2e-app.log")).total_seconds()
    print(f"live dashboard: both tabs showed the sale {lag:.2f} s after it was recorded")
    assert lag <= LIVE_WITHIN_SECONDS, f"the tabs showed the sale {lag:.2f} s after it was recorded"
    see_receipt(fan_page)
    fan.close()

    row = page.get_by_role("region", name="Products").get_by_role("row").filter(has_text="Live Zine")
    expect(row.get_by_role("cell").first).to_have_text("1")  # the visitor's product page view
    funnel = page.get_by_role("list").filter(has_text="Opened a product")
    expect(funnel).to_contain_text("Paid orders")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export products as CSV").click()
    assert "Live Zine" in Path(download.value.path()).read_text()
    _screenshots(page, "dashboard-home")
    second_tab.close()
