"""Without JavaScript a storefront still shows its products and prices, and a card leads to the product's price;
with JavaScript a shared "Buy" link (?buy=1) lands on the product with its checkout open."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import open_page

PRODUCT_TITLE = "Golden Hour Lightroom Presets"


def test_without_javascript_the_storefront_shows_cards_and_a_card_leads_to_the_price(
    browser: Browser, app_url: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{app_url}/mira")

    products = page.get_by_role("region", name="Products").last
    card = products.locator("article").filter(has=page.get_by_role("link", name=PRODUCT_TITLE))
    expect(card).to_be_visible()
    price = card.locator("strong").inner_text()
    assert price.startswith("$")

    products.get_by_role("link", name=PRODUCT_TITLE).click()
    page.wait_for_url(f"{app_url}/mira/golden-hour-lightroom-presets")
    expect(page.get_by_role("heading", name=PRODUCT_TITLE)).to_be_visible()
    expect(page.locator("strong").filter(has_text=price).first).to_be_visible()
    expect(page.get_by_role("link", name="Buy")).to_be_visible()
    context.close()


def test_a_shared_buy_link_opens_the_checkout(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/mira/golden-hour-lightroom-presets?buy=1")

    expect(page.get_by_label("Email for your receipt and downloads")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Continue to payment")).to_be_visible()
