"""A fan in New York books a creator's session offered in Kolkata time: the slots show in the fan's time, the fan
pays with the sandbox card, lands on the order page and opens the booking; both sides get an .ics invite. After the
session (moved into the past) the creator marks it completed, the fan confirms it with a 5, and the batch
settlement moves the creator's money from escrow to pending with the ledger still balanced."""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import TEST_DATA_DIR
from tests.e2e.helpers import open_page, run_in_e2e_app, sign_up_and_confirm

SCREENSHOTS = TEST_DATA_DIR / "screenshots"
KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")
PRICE = 4000


def _run(*arguments: str) -> Any:
    return json.loads(run_in_e2e_app("-m", "tests.e2e.session_seed", *arguments).strip().splitlines()[-1])


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _expected_slot_name() -> str:
    """10:00 in Kolkata three days from now, as the New York fan's slot button names it."""
    day = datetime.now(KOLKATA).date() + timedelta(days=3)
    local = datetime.combine(day, time(10, 0), tzinfo=KOLKATA).astimezone(NEW_YORK)
    return f"Book {local:%H:%M} on {local:%A}, {local.day} {local:%B}"


@pytest.fixture
def new_york_page(browser: Browser, app_url: str) -> Any:
    """A page whose browser believes it is in New York (the app must learn the zone from it)."""
    context = browser.new_context(timezone_id="America/New_York", viewport={"width": 1280, "height": 900})
    yield context.new_page()  # the autouse console watch covers every context a test opens
    context.close()


def _pay_with_sandbox_card(page: Page) -> None:
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached")
    expect(page.locator("#sandbox-amount")).to_have_text("$40.00")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Ada Fan")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def test_a_fan_in_another_timezone_books_pays_confirms_and_the_session_settles(
    new_york_page: Page, app_url: str
) -> None:
    page = new_york_page
    suffix = secrets.token_hex(3)
    seeded = _run("seed", suffix)
    fan_email = f"fan-{suffix}@example.com"

    # The storefront lists the session; "Book" opens its page, with times in the browser's zone.
    open_page(page, f"{app_url}/{seeded['handle']}")
    sessions = page.get_by_role("region", name="Book a session")
    expect(sessions.get_by_text("Portfolio review")).to_be_visible()
    expect(sessions.get_by_text("60 minutes")).to_be_visible()
    expect(sessions.get_by_text("$40.00")).to_be_visible()
    sessions.screenshot(path=str(SCREENSHOTS / "session-storefront-section.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    sessions.screenshot(path=str(SCREENSHOTS / "session-storefront-section-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    sessions.get_by_role("link", name="Book Portfolio review").click()
    expect(page.get_by_role("heading", name="Portfolio review", level=1)).to_be_visible()
    expect(page.get_by_label("Times shown in")).to_have_value("America/New_York")
    slot = page.get_by_role("button", name=_expected_slot_name())
    expect(slot).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Free cancellation up to 24 hours before the start").first).to_be_visible()
    _shoot(page, "session-booking")

    slot.click()
    expect(slot).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("Your time: ")).to_contain_text("(America/New_York)")
    page.get_by_label("Your name").fill("Ada Fan")
    page.get_by_label("Email").fill(fan_email)
    page.get_by_label("Note for the creator (optional)").fill("My design portfolio, please.")
    _shoot(page, "session-booking-form")
    page.get_by_role("button", name="Pay $40.00").click()
    _pay_with_sandbox_card(page)

    # The order page says it is booked and leads to the booking's own page.
    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.get_by_role("heading", name="Your session is booked")).to_be_visible(timeout=30_000)
    _shoot(page, "session-order")
    page.get_by_role("link", name="Open your booking").click()
    page.wait_for_url(re.compile(r"/bookings/bk_"))
    expect(page.get_by_role("heading", name="Portfolio review", level=1)).to_be_visible()
    expect(page.get_by_test_id("booking-status")).to_have_text("Booked")
    expect(page.get_by_text("(America/New_York)")).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example.com/review")).to_be_visible()
    expect(page.get_by_role("button", name="Reschedule")).to_be_visible()
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("You get a full refund of $40.00.")
    page.get_by_role("button", name="Keep it").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    _shoot(page, "session-fan-booking")
    public_id = page.url.split("/bookings/")[1].split("?")[0]

    mail = _run("mail", fan_email, seeded["email"])
    for address in (fan_email, seeded["email"]):
        invites = [item for item in mail[address] if any(name.endswith(".ics") for name in item["attachments"])]
        assert invites, f"no .ics invite to {address}: {mail[address]}"
    before = _run("balances", seeded["handle"])
    assert 0 < before["escrow"] <= PRICE and before["pending"] == 0  # held, less the sandbox provider's fee

    # After the session: the creator reports it completed, the fan confirms with a 5.
    _run("finish", public_id, seeded["email"])
    page.reload()
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached")
    confirm = page.get_by_role("region", name="Did the session happen?")
    expect(confirm).to_be_visible()
    expect(page.get_by_role("button", name="Report a problem")).to_be_visible()
    confirm.get_by_role("radio", name="5 out of 5").check()
    _shoot(page, "session-fan-confirm")
    confirm.get_by_role("button", name="It happened").click()
    expect(page.get_by_text("5 out of 5")).to_be_visible()
    expect(page.get_by_role("region", name="Did the session happen?")).to_have_count(0)

    settled = _run("settle", seeded["handle"])
    assert settled["escrow"] == 0
    assert 0 < settled["pending"] < before["escrow"]  # what was held, less the platform's fee
    assert all(total == 0 for total in settled["trial_balance"].values()), settled["trial_balance"]

    # The fan makes an account with the address they booked with: the library lists the session.
    sign_up_and_confirm(page, app_url, email=fan_email, password="correct horse battery staple")
    open_page(page, f"{app_url}/library")
    expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
    expect(page.get_by_role("link", name=f"Open booking: Portfolio review with Coach {suffix}")).to_be_visible()
    _shoot(page, "session-library")
