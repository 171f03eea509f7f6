"""A visitor lands on `/`, follows the link to the demo storefront and sees its products."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

DEMO_PRODUCTS = [
    "Golden Hour Lightroom Presets",
    "Watercolor Brush Pack",
    "Field Guide to Film Photography",
    "Lisbon Wallpapers",
]


def test_landing_leads_to_the_demo_storefront_and_its_products(page: Page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Sell what you make. Keep what you earn.")).to_be_visible()
    expect(page.get_by_role("link", name="Start selling — it's free")).to_have_attribute("href", "/signup")

    page.get_by_role("link", name="See a demo storefront").click()

    expect(page).to_have_url(f"{app_url}/mira")
    expect(page.get_by_role("heading", name="Mira Costa", exact=True)).to_be_visible()
    cards = page.get_by_role("region", name="Products").get_by_role("article")
    expect(cards).to_have_count(len(DEMO_PRODUCTS))
    for title in DEMO_PRODUCTS:
        expect(page.get_by_role("article", name=title)).to_be_visible()
    expect(page.get_by_role("article", name="Pay what you want")).to_have_count(0)
    expect(page.get_by_text("Darkroom Notebook")).to_have_count(0)
    expect(page.get_by_role("article", name="Golden Hour Lightroom Presets")).to_contain_text("$15.00")


@pytest.mark.allow_console_errors(r"status of 404 \(Not Found\)")
def test_an_unknown_storefront_and_an_unknown_page_are_friendly(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/nobody-lives-here")
    expect(page.get_by_role("heading", name="Storefront not found")).to_be_visible()
    page.goto(f"{app_url}/no/such/page")
    expect(page.get_by_role("heading", name="We couldn't find that page")).to_be_visible()
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", name="Sell what you make. Keep what you earn.")).to_be_visible()


def test_dark_mode_toggle_and_phone_width(page: Page, app_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app_url}/mira")
    expect(page.get_by_role("heading", name="Mira Costa", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Toggle dark mode").click()
    page.wait_for_function("document.documentElement.classList.contains('dark')")


def test_health_answers_on_the_app_port(app_url: str) -> None:
    response = httpx.get(f"{app_url}/health", timeout=5)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.headers["x-request-id"]


def test_every_legal_page_is_linked_from_the_footer(page: Page, app_url: str) -> None:
    expected = {
        "Terms": "Terms of Service",
        "Privacy": "Privacy Policy",
        "Refunds": "Refund Policy",
        "Seller agreement": "Seller Agreement",
        "Content guidelines": "Content Guidelines",
    }
    for link_name, heading in expected.items():
        page.goto(app_url)
        page.get_by_role("navigation", name="Legal").get_by_role("link", name=link_name).click()
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
