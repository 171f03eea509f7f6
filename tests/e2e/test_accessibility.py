"""axe-core on the public pages a first visitor sees: no serious or critical violations."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

SERIOUS = {"serious", "critical"}


def _serious_violations(page: Page) -> list[str]:
    expect(page.locator("#app-ready")).to_have_attribute("data-ready", "true")
    results = Axe().run(page)
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]


def test_landing_storefront_product_and_discover_have_no_serious_axe_violations(page: Page, app_url: str) -> None:
    page.goto(app_url)
    assert _serious_violations(page) == []

    page.get_by_role("link", name="See a demo storefront").click()
    expect(page.get_by_role("heading", name="Mira Costa", exact=True)).to_be_visible()
    assert _serious_violations(page) == []

    page.get_by_role("article", name="Golden Hour Lightroom Presets").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Golden Hour Lightroom Presets")).to_be_visible()
    assert _serious_violations(page) == []

    page.goto(f"{app_url}/discover")
    assert _serious_violations(page) == []
