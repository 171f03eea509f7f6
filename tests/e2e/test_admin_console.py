"""An admin with two-factor opens the console: the platform's figures and charts (the demo's year of sales), switched
to weeks; opens a payout and holds then releases its creator's payouts; finds themself among the users; opens a
failed webhook event and retries it with a reason; the audit log shows the hold and the retry with their reasons."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_page, run_in_e2e_app

PASSWORD = "correct horse battery staple"
SHOTS = os.environ.get("CREATORLY_E2E_SCREENSHOTS", "")
FAILED_EVENT = """
import asyncio, json, sys
from creatorly import db
from creatorly.models import ExternalEvent

async def store(event_id: str) -> None:
    async with db.transaction() as session:
        session.add(ExternalEvent(
            provider="sandbox", event_id=event_id, event_type="test.console_ping",
            payload=json.dumps({"id": event_id, "type": "test.console_ping", "data": {"note": "hello"}}),
            attempts=3, last_error="RuntimeError: handler exploded",
        ))
    await db.dispose_engine()

asyncio.run(store(sys.argv[1]))
"""


def _shot(page: Page, name: str) -> None:
    """Screenshots to look at, when asked for (CREATORLY_E2E_SCREENSHOTS=folder), at desktop and phone width."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


def _assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation once the page has loaded and settled: toasts gone, and the pointer
    off the link just clicked (a hovered link's colour is Radix's, site-wide, not these pages')."""
    expect(page.locator('[aria-busy="true"], .rt-Skeleton')).to_have_count(0, timeout=15_000)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=15_000)
    page.mouse.move(1, 400)
    page.wait_for_function("() => document.getAnimations().every(animation => animation.playState !== 'running')")
    violations = [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in Axe().run(page).response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]
    assert violations == [], f"{page.url}: {violations}"


def _sign_in_with_two_factor(page: Page, app_url: str, email: str) -> None:
    open_page(page, f"{app_url}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_label("Backup codes")).to_be_visible()


def test_an_admin_reads_the_figures_finds_a_user_and_retries_a_failed_event(page: Page, app_url: str) -> None:
    email = f"console-{secrets.token_hex(3)}@example.com"
    event_id = f"evt_console_{secrets.token_hex(4)}"
    run_in_e2e_app("-m", "creatorly.cli", "admin", "create", email, "--password", PASSWORD)
    run_in_e2e_app("-c", FAILED_EVENT, event_id)
    _sign_in_with_two_factor(page, app_url, email)

    # The overview: headline figures and charts, then by week
    page.get_by_role("link", name="Admin", exact=True).click()
    admin_nav = page.get_by_role("navigation", name="Admin")
    admin_nav.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Platform overview")).to_be_visible()
    gmv = page.get_by_role("group", name="GMV", exact=True)
    expect(gmv).to_contain_text(re.compile(r"\$\d"))  # the demo store sold in the last 30 days
    expect(page.get_by_role("group", name="Paying fans")).to_contain_text(re.compile(r"[1-9]"))
    money = page.get_by_role("img", name=re.compile("^GMV, creators' share and platform fees"))
    expect(money.locator(".recharts-bar-rectangle").first).to_be_attached()
    by_day = page.get_by_role("button", name="Last 30 days, by day")
    expect(by_day).to_have_attribute("aria-pressed", "true")
    day_range = page.get_by_text(re.compile(r"\(UTC\)$")).inner_text()
    _shot(page, "admin-overview")
    _assert_accessible(page)
    page.get_by_role("button", name="Last 12 weeks, by week").click()
    expect(page.get_by_role("button", name="Last 12 weeks, by week")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text(re.compile(r"\(UTC\)$"))).not_to_have_text(day_range)
    expect(gmv).to_contain_text(re.compile(r"\$\d"))

    # Payouts: open one, see its ledger, hold the creator's payouts and release them, with reasons
    admin_nav.get_by_role("link", name="Payouts").click()
    expect(page.get_by_role("heading", name="Payouts", exact=True)).to_be_visible()
    page.get_by_role("region", name="Payouts").get_by_role("row").nth(1).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Payout", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Ledger entries").get_by_role("row").nth(1)).to_contain_text("payout")
    _shot(page, "admin-payout")
    _assert_accessible(page)
    hold = page.get_by_role("form", name="Hold payouts")
    hold.get_by_label("Reason").fill("Checking a burst of refunds")
    hold.get_by_role("button", name="Hold payouts").click()
    expect(page.get_by_text("Payouts held: Checking a burst of refunds")).to_be_visible()
    release = page.get_by_role("form", name="Release payouts")
    release.get_by_label("Reason").fill("The refunds were genuine")
    release.get_by_role("button", name="Release payouts").click()
    expect(page.get_by_text("Payouts not held")).to_be_visible()

    # Users: search by email, open the detail
    admin_nav.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    page.get_by_label("Email contains").fill(email.split("@")[0])
    page.get_by_role("button", name="Search").click()
    users = page.get_by_role("region", name="Users")
    expect(users.get_by_role("row")).to_have_count(2)  # the header and this admin
    users.get_by_role("link", name=email).click()
    expect(page.get_by_role("heading", name=email)).to_be_visible()
    details = page.get_by_role("definition")
    expect(details.filter(has_text="admin").first).to_be_visible()
    expect(page.get_by_text("On", exact=True)).to_be_visible()
    _shot(page, "admin-user")
    _assert_accessible(page)

    # Webhook events: find the failed one, retry it with a reason
    admin_nav.get_by_role("link", name="Webhook events").click()
    expect(page.get_by_role("heading", name="Webhook events")).to_be_visible()
    page.get_by_label("Status").select_option("failed")
    page.get_by_label("Event id or type").fill(event_id)
    page.get_by_role("button", name="Search").click()
    events = page.get_by_role("region", name="Webhook events")
    expect(events.get_by_role("row")).to_have_count(2)
    _shot(page, "admin-events")
    _assert_accessible(page)
    events.get_by_role("link", name=event_id).click()
    expect(page.get_by_role("heading", name="Webhook event", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Payload")).to_contain_text('"note": "hello"')
    expect(page.get_by_text("RuntimeError: handler exploded")).to_be_visible()
    _shot(page, "admin-event")
    _assert_accessible(page)
    retry = page.get_by_role("form", name="Retry this event")
    retry.get_by_label("Reason").fill("Handler fixed in the last deploy")
    retry.get_by_role("button", name="Retry event").click()
    expect(page.get_by_text("Retried: ignored.")).to_be_visible()
    expect(page.get_by_role("form", name="Retry this event")).to_have_count(0)
    expect(page.get_by_text("handled", exact=True)).to_be_visible()

    # The audit log has the retry, by this admin, with the reason
    admin_nav.get_by_role("link", name="Audit log").click()
    entries = page.get_by_role("region", name="Audit log entries")
    retried = entries.get_by_role("row").filter(has_text="webhook_event.retried")
    expect(retried.first).to_contain_text("Handler fixed in the last deploy")
    expect(retried.first).to_contain_text(email)
    held = entries.get_by_role("row").filter(has_text="payouts.held").filter(has_text=email)
    expect(held.first).to_contain_text("Checking a burst of refunds")
