"""Steps the paid-session browser tests share: a creator opening a storefront, offering a session type (reading the
settlement rules before saving) and setting weekly hours, all by clicking; screenshots at desktop and phone width;
axe once the pointer and the toasts are out of the way."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import TEST_DATA_DIR
from tests.e2e.helpers import open_page
from tests.e2e.test_accessibility import _serious_violations as serious_axe_violations

SCREENSHOTS = TEST_DATA_DIR / "screenshots"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot at desktop width and at 390 px (a phone)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def axe(page: Page) -> list[str]:
    """Serious axe findings once the pointer is off the links and earlier toasts have gone."""
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=15_000)
    return serious_axe_violations(page)


def open_storefront(page: Page, app_url: str, handle: str, *, name: str) -> None:
    """A signed-in new creator opens a storefront from the sessions page."""
    open_page(page, f"{app_url}/dashboard/sessions")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Storefront name").fill(name)
    page.get_by_role("button", name="Open my storefront").click()
    expect(page.get_by_role("heading", name="Add your first product")).to_be_visible()


def create_session_type(page: Page, *, location: str, late_fee_percent: int) -> None:
    """From the sessions page: a 60-minute $40 "Portfolio review", its settlement rules read before saving."""
    page.get_by_role("link", name="Create a session type").click()
    expect(page.get_by_role("heading", name="New session type")).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Portfolio review")
    page.get_by_label("Length in minutes").fill("60")
    page.get_by_label("Price", exact=True).fill("40")
    page.get_by_label("Video link or location").fill(location)
    page.get_by_label("Late cancellation fee %").fill(str(late_fee_percent))
    page.get_by_label("Buffer minutes").focus()  # leaving the fee field shows the rules for what was typed
    rules = page.get_by_role("region", name="Settlement rules")
    expect(rules).to_contain_text("The money is held for you until the session is settled")
    fee = 40 * late_fee_percent // 100
    expect(rules).to_contain_text(f"late fee of {late_fee_percent}% of the price (${fee:.2f} of $40.00)")
    shoot(page, "session-type-form")
    assert axe(page) == []
    page.get_by_role("button", name="Save session type").click()
    expect(page.get_by_text("“Portfolio review” saved.")).to_be_visible()
    expect(page.get_by_text("60 min · $40.00")).to_be_visible()


def set_weekly_hours(page: Page, *, timezone: str) -> None:
    """Hours on every day of the week in the creator's zone: the default 10:00–17:00, Monday until 18:00."""
    weekly = page.get_by_role("form", name="Weekly hours")
    weekly.get_by_label("Timezone").select_option(timezone)
    for day in WEEKDAYS:
        weekly.get_by_role("button", name=f"Add hours on {day}").click()
    weekly.get_by_label("Monday from").fill("10:00")
    weekly.get_by_label("Monday to").fill("18:00")
    weekly.get_by_role("button", name="Save weekly hours").click()
    expect(page.get_by_text("Weekly hours saved.")).to_be_visible()
    expect(weekly.get_by_label("Monday from")).to_have_value("10:00")
    expect(weekly.get_by_label("Tuesday to")).to_have_value("17:00")
    expect(weekly.get_by_label("Timezone")).to_have_value(timezone)
