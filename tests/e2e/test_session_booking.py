"""Issue 19's whole scenario in one browser run. A creator in Kolkata sets up a paid session by clicking: a session
type (its settlement rules read before saving) and weekly hours in their zone. A fan whose browser is in New York
sees the slots in New York time, books one and pays with the sandbox card; both get an email with an .ics invite.
The fan moves the booking to another time and a wrong key finds nothing. After the session (moved into the past)
the creator clicks "Mark completed" on the calendar, the fan confirms it with a 5, and the batch settlement moves
the creator's money from escrow to pending with the ledger still balanced."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import open_page, run_in_e2e_app, sign_up_and_confirm
from tests.e2e.session_steps import SCREENSHOTS, axe, create_session_type, open_storefront, set_weekly_hours, shoot

KOLKATA = ZoneInfo("Asia/Kolkata")
NEW_YORK = ZoneInfo("America/New_York")
PASSWORD = "correct horse battery staple"
PRICE = 4000


def _run(*arguments: str) -> Any:
    return json.loads(run_in_e2e_app("-m", "tests.e2e.session_seed", *arguments).strip().splitlines()[-1])


def _slot_name(days_ahead: int, at: time) -> str:
    """The New York fan's slot button for a Kolkata time `days_ahead` days from now."""
    day = datetime.now(KOLKATA).date() + timedelta(days=days_ahead)
    local = datetime.combine(day, at, tzinfo=KOLKATA).astimezone(NEW_YORK)
    return f"Book {local:%H:%M} on {local:%A}, {local.day} {local:%B}"


@pytest.fixture
def kolkata_page(browser: Browser) -> Iterator[Page]:
    """The creator's browser, in Kolkata."""
    context = browser.new_context(timezone_id="Asia/Kolkata", viewport={"width": 1280, "height": 900})
    yield context.new_page()  # the autouse console watch covers every context a test opens
    context.close()


@pytest.fixture
def new_york_page(browser: Browser) -> Iterator[Page]:
    """The fan's browser, in New York (the app must learn the zone from it)."""
    context = browser.new_context(timezone_id="America/New_York", viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def _creator_offers_a_session(page: Page, app_url: str, *, handle: str) -> str:
    email = f"{handle}@example.com"
    sign_up_and_confirm(page, app_url, email=email, password=PASSWORD, name=f"Coach {handle}")
    open_storefront(page, app_url, handle, name=f"Coach {handle}")
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", name="No sessions booked yet")).to_be_visible()
    create_session_type(page, location="https://meet.example.com/review", late_fee_percent=50)
    set_weekly_hours(page, timezone="Asia/Kolkata")
    return email


def _pay_with_sandbox_card(page: Page) -> None:
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached")
    expect(page.locator("#sandbox-amount")).to_have_text("$40.00")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Ada Fan")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def _fan_books_and_pays(page: Page, app_url: str, *, handle: str, fan_email: str) -> str:
    """From the storefront to the booking's own page; returns the booking page's address."""
    open_page(page, f"{app_url}/{handle}")
    sessions = page.get_by_role("region", name="Book a session")
    expect(sessions.get_by_text("Portfolio review")).to_be_visible()
    expect(sessions.get_by_text("60 minutes")).to_be_visible()
    expect(sessions.get_by_text("$40.00")).to_be_visible()
    sessions.screenshot(path=str(SCREENSHOTS / "session-storefront-section.png"))
    sessions.get_by_role("link", name="Book Portfolio review").click()
    expect(page.get_by_role("heading", name="Portfolio review", level=1)).to_be_visible()
    expect(page.get_by_label("Times shown in")).to_have_value("America/New_York")
    slot = page.get_by_role("button", name=_slot_name(3, time(10, 0)))
    expect(slot).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Free cancellation up to 24 hours before the start").first).to_be_visible()
    shoot(page, "session-booking")
    assert axe(page) == []

    slot.click()
    expect(slot).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("Your time: ")).to_contain_text("(America/New_York)")
    page.get_by_label("Your name").fill("Ada Fan")
    page.get_by_label("Email").fill(fan_email)
    page.get_by_label("Note for the creator (optional)").fill("My design portfolio, please.")
    shoot(page, "session-booking-form")
    page.get_by_role("button", name="Pay $40.00").click()
    _pay_with_sandbox_card(page)

    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.get_by_role("heading", name="Your session is booked")).to_be_visible(timeout=30_000)
    shoot(page, "session-order")
    page.get_by_role("link", name="Open your booking").click()
    page.wait_for_url(re.compile(r"/bookings/bk_"))
    expect(page.get_by_role("heading", name="Portfolio review", level=1)).to_be_visible()
    expect(page.get_by_test_id("booking-status")).to_have_text("Booked")
    expect(page.get_by_text("(America/New_York)")).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example.com/review")).to_be_visible()
    assert axe(page) == []
    return page.url


def _fan_reschedules_and_keeps_the_booking(page: Page) -> None:
    """The fan moves the session to 14:00 Kolkata time a day later, then opens and closes the cancel dialog."""
    page.get_by_role("button", name="Reschedule").click()
    new_slot = page.get_by_role("button", name=_slot_name(4, time(14, 0)))
    expect(new_slot).to_be_visible(timeout=20_000)
    new_slot.click()
    expect(page.get_by_text("New time: ")).to_be_visible()
    page.get_by_role("button", name="Move to this time").click()
    expect(page.get_by_text("Moved. We emailed you the new time and an updated invite.")).to_be_visible()
    moved = datetime.combine(datetime.now(KOLKATA).date() + timedelta(days=4), time(14, 0), tzinfo=KOLKATA)
    expect(page.get_by_text(f"{moved.astimezone(NEW_YORK):%H:%M}", exact=False).first).to_be_visible()
    page.get_by_role("button", name="Cancel booking").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("You get a full refund of $40.00.")
    page.get_by_role("button", name="Keep it").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    shoot(page, "session-fan-booking")


def _creator_marks_it_completed(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/dashboard/sessions")
    booking = page.get_by_role("article", name="Portfolio review with Ada Fan")
    expect(booking.get_by_text("Booked", exact=True)).to_be_visible()
    expect(page.get_by_text("Held in escrow · USD")).to_be_visible()
    booking.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_text("Marked completed. The fan is asked to confirm.")).to_be_visible()
    expect(booking.get_by_text("Completed", exact=True)).to_be_visible()
    shoot(page, "sessions-completed")


def _fan_confirms_with_a_five(page: Page) -> None:
    page.reload()
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached")
    confirm = page.get_by_role("region", name="Did the session happen?")
    expect(confirm).to_be_visible()
    expect(page.get_by_role("button", name="Report a problem")).to_be_visible()
    confirm.get_by_role("radio", name="5 out of 5").check()
    shoot(page, "session-fan-confirm")
    assert axe(page) == []
    confirm.get_by_role("button", name="It happened").click()
    expect(page.get_by_text("5 out of 5")).to_be_visible()
    expect(page.get_by_role("region", name="Did the session happen?")).to_have_count(0)


def test_a_creator_sets_hours_a_fan_elsewhere_books_and_pays_and_the_confirmed_session_settles(
    kolkata_page: Page, new_york_page: Page, app_url: str
) -> None:
    handle = f"coach{secrets.token_hex(3)}"
    fan_email = f"{handle}-fan@example.com"
    creator_email = _creator_offers_a_session(kolkata_page, app_url, handle=handle)

    booking_url = _fan_books_and_pays(new_york_page, app_url, handle=handle, fan_email=fan_email)
    public_id = booking_url.split("/bookings/")[1].split("?")[0]
    mail = _run("mail", fan_email, creator_email)
    for address in (fan_email, creator_email):
        invites = [item for item in mail[address] if any(name.endswith(".ics") for name in item["attachments"])]
        assert invites, f"no .ics invite to {address}: {mail[address]}"
    before = _run("balances", handle)
    assert 0 < before["escrow"] <= PRICE and before["pending"] == 0  # held, less the sandbox provider's fee

    _fan_reschedules_and_keeps_the_booking(new_york_page)
    moved_mail = _run("mail", fan_email)[fan_email]
    assert len([item for item in moved_mail if any(n.endswith(".ics") for n in item["attachments"])]) >= 2

    # A booking link with a wrong key finds nothing (and says so).
    open_page(new_york_page, booking_url.split("?")[0] + "?key=not-the-key")
    expect(new_york_page.get_by_role("heading", name="We couldn't find that booking")).to_be_visible()
    assert axe(new_york_page) == []
    open_page(new_york_page, booking_url)

    _run("into_past", public_id)
    _creator_marks_it_completed(kolkata_page, app_url)
    _fan_confirms_with_a_five(new_york_page)

    settled = _run("settle", handle)
    assert settled["escrow"] == 0
    assert 0 < settled["pending"] < before["escrow"]  # what was held, less the platform's fee
    assert all(total == 0 for total in settled["trial_balance"].values()), settled["trial_balance"]

    # The fan makes an account with the address they booked with: the library lists the session.
    sign_up_and_confirm(new_york_page, app_url, email=fan_email, password=PASSWORD)
    open_page(new_york_page, f"{app_url}/library")
    expect(new_york_page.get_by_role("heading", name="Sessions")).to_be_visible()
    expect(
        new_york_page.get_by_role("link", name=f"Open booking: Portfolio review with Coach {handle}")
    ).to_be_visible()
    shoot(new_york_page, "session-library")
