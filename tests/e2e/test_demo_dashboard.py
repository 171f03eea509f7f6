"""The demo creator signs in and looks at the last 12 months: revenue, orders and visitors are there, and the
revenue chart draws a line (not a flat one), on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from creatorly.services.demo.service import DEMO_EMAIL, DEMO_PASSWORD
from tests.conftest import TEST_DATA_DIR
from tests.e2e.helpers import open_page

SCREENSHOTS = TEST_DATA_DIR / "screenshots"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
DESKTOP = pytest.param({"width": 1280, "height": 800}, id="desktop")
PHONE = pytest.param({"width": 390, "height": 844}, id="phone")


def _sign_in_to_the_dashboard(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/signin?next=/dashboard")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard$"))


def _metric(page: Page, label: str) -> Locator:
    """The figure of the metric card named `label`."""
    return page.get_by_role("group", name=label, exact=True).locator(".tabular-figures")


def _curve_heights(page: Page) -> set[float]:
    """The distinct y coordinates of the revenue chart's drawn lines (a flat line has one)."""
    chart = page.get_by_role("img", name=re.compile(r"^Revenue by day"))
    curves = chart.locator("path.recharts-curve")
    expect(curves.first).to_be_attached(timeout=15_000)
    heights: set[float] = set()
    for index in range(curves.count()):
        numbers = [float(value) for value in NUMBER.findall(curves.nth(index).get_attribute("d") or "")]
        heights.update(numbers[1::2])
    return heights


def _open_twelve_months(browser: Browser, app_url: str, viewport: dict[str, int]) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    _sign_in_to_the_dashboard(page, app_url)
    range_picker = page.get_by_role("group", name="Date range")
    range_picker.get_by_role("button", name="12 months").click()
    expect(range_picker.get_by_role("button", name="12 months")).to_have_attribute("aria-pressed", "true")
    return context, page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_the_demo_dashboard_shows_a_year_of_revenue_orders_and_visitors(
    browser: Browser, app_url: str, viewport: dict[str, int]
) -> None:
    context, page = _open_twelve_months(browser, app_url, viewport)
    try:
        # A year of the demo: thousands of dollars, hundreds of orders, thousands of visitors.
        expect(_metric(page, "Revenue")).to_have_text(re.compile(r"^\$\d{1,3},\d{3}\.\d\d$"), timeout=15_000)
        expect(_metric(page, "Orders")).to_have_text(re.compile(r"^[1-9]\d{2}$"))
        expect(_metric(page, "Visitors")).to_have_text(re.compile(r"^1\d,\d{3}$"))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"demo-dashboard-{viewport['width']}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_the_demo_dashboard_draws_the_year_of_revenue(browser: Browser, app_url: str, viewport: dict[str, int]) -> None:
    context, page = _open_twelve_months(browser, app_url, viewport)
    try:
        expect(_metric(page, "Orders")).to_have_text(re.compile(r"^[1-9]\d{2}$"), timeout=15_000)
        page.wait_for_function(
            """() => [...document.querySelectorAll('path.recharts-curve')]
                .some(path => new Set((path.getAttribute('d') || '').match(/-?\\d+(\\.\\d+)?/g)
                    ?.filter((_, index) => index % 2 === 1)).size > 2)""",
            timeout=15_000,
        )
        assert len(_curve_heights(page)) > 2
    finally:
        context.close()


def test_the_demo_orders_read_their_states_as_words_and_filter_by_them(page: Page, app_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in_to_the_dashboard(page, app_url)
    page.get_by_role("link", name="Orders", exact=True).first.click()
    page.wait_for_url(re.compile(r"/dashboard/orders$"))

    table = page.get_by_role("table")
    expect(table.get_by_text("Paid", exact=True).first).to_be_visible(timeout=15_000)
    for raw in ("paid", "partially_refunded", "pending", "expired", "created"):
        expect(table.get_by_text(raw, exact=True)).to_have_count(0)

    page.get_by_role("combobox", name="Filter by status").click()
    page.get_by_role("option", name="Paid", exact=True).click()
    expect(page.get_by_role("combobox", name="Filter by status")).to_have_text("Paid")
    badges = table.locator("tbody tr td:last-child")
    expect(badges.first).to_have_text("Paid", timeout=15_000)
    assert set(badges.all_inner_texts()) == {"Paid"}
