"""A creator whose store sells in euros gets a tip jar in euros; changing the store's currency in the storefront
settings moves the tip jar to it (issue 15: tip currencies differed from storefront currencies)."""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_page, sign_up_and_confirm

PASSWORD = "correct horse battery staple"


def test_the_tip_jar_asks_in_the_store_currency_and_follows_a_change_of_it(page: Page, app_url: str) -> None:
    handle = f"euro{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Elsa Euro")
    open_page(page, f"{app_url}/dashboard/products")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Storefront name").fill("Elsa's Studio")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("button", name="Open my storefront").click()
    expect(page.get_by_role("heading", name="Add your first product")).to_be_visible()

    open_page(page, f"{app_url}/{handle}")
    tip = page.locator("#tip")
    expect(tip.get_by_role("button", name="€5.00")).to_be_visible()
    expect(tip.get_by_role("button", name="$5.00")).to_have_count(0)

    open_page(page, f"{app_url}/dashboard/storefront")
    expect(page.get_by_label("Currency")).to_have_value("EUR")
    page.get_by_label("Currency").select_option("GBP")
    page.get_by_role("button", name="Save storefront").click()
    expect(page.get_by_text("Storefront saved.")).to_be_visible()

    open_page(page, f"{app_url}/{handle}")
    expect(tip.get_by_role("button", name="£5.00")).to_be_visible()
    expect(tip.get_by_role("button", name="€5.00")).to_have_count(0)

    open_page(page, f"{app_url}/dashboard/tips")
    expect(page.locator("#tip-jar-currency")).to_have_text("GBP")
    expect(page.get_by_label("Preset amounts")).to_have_value("3 5 10")
