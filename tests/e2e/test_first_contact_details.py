"""First contact in a browser: tab titles, unique labelled fields, pricing, the phone header."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_a_storefront_keeps_the_creators_title_and_its_email_fields_are_each_labelled(page: Page, app_url: str) -> None:
    page.goto(app_url)
    page.get_by_role("link", name="See a demo storefront").click()
    expect(page.get_by_role("heading", name="Mira Costa", exact=True)).to_be_visible()
    expect(page.locator("#app-ready")).to_have_attribute("data-ready", "true")

    expect(page).to_have_title("Mira Costa · Creatorly")
    ids = page.eval_on_selector_all("[id]", "elements => elements.map(element => element.id)")
    duplicates = sorted({identifier for identifier in ids if ids.count(identifier) > 1})
    assert duplicates == []
    assert page.locator("#field-email").count() == 0

    page.get_by_role("article", name="Golden Hour Lightroom Presets").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Golden Hour Lightroom Presets")).to_be_visible()
    expect(page).to_have_title("Golden Hour Lightroom Presets by Mira Costa · Creatorly")


def test_the_landing_page_states_the_fee_and_hold_and_discover_selects_are_labelled(page: Page, app_url: str) -> None:
    page.goto(app_url)
    pricing = page.get_by_role("region", name="Pricing")
    expect(pricing).to_contain_text("Creatorly keeps 10% of each sale")
    expect(pricing).to_contain_text("held for 7 days")

    page.goto(f"{app_url}/discover")
    expect(page.locator("#app-ready")).to_have_attribute("data-ready", "true")
    assert page.locator("select:not(label select):not([aria-label]):not([aria-labelledby])").count() == 0
    expect(page.get_by_role("combobox", name="Sort by")).to_be_visible()


def test_the_phone_header_keeps_start_selling_on_one_line(page: Page, app_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url)
    start_selling = page.locator("header").get_by_role("button", name="Start selling")
    expect(start_selling).to_be_visible()
    header_height = page.locator("header").bounding_box()
    assert header_height is not None and header_height["height"] < 70
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
