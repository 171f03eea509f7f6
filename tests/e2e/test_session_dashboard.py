"""A new creator offers paid sessions: creates a session type (reading the settlement rules before saving), sets
weekly hours and a day off, and sees the empty calendar; a fan's paid booking (seeded through the services) then
shows on the calendar with the money held in escrow, and after the session the creator marks it completed."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from datetime import date, timedelta

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_page, run_in_e2e_app, sign_up_and_confirm
from tests.e2e.session_steps import axe as _axe
from tests.e2e.session_steps import create_session_type, open_storefront, set_weekly_hours
from tests.e2e.session_steps import shoot as _shot

PASSWORD = "correct horse battery staple"
# A fan books and pays the creator's first session type through the services and the sandbox webhook, then the
# session is moved two hours into the past so that it has taken place.
SEED_PAID_BOOKING = """
import asyncio, sys, time
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select

import creatorly.jobs  # the job names the gateway and the booking enqueue
from creatorly import db
from creatorly.models import Order, SandboxWebhook, SessionBooking
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.services.external_events import service as external_events
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.sessions import booking
from creatorly.services.sessions.schemas import NewBooking


async def seed(app_url: str, handle: str) -> None:
    type_id = (await booking.list_offered_types(handle=handle))[0][0]
    offer = await booking.get_booking_offer(handle=handle, session_type_id=type_id, timezone="UTC")
    start = offer.days[0].slots[0].starts_at
    started = await booking.start_booking(NewBooking(
        handle=handle, session_type_id=type_id, starts_at=start, fan_email=sys.argv[3], fan_name="Ada Fan",
        fan_timezone="Europe/London", checkout_key=f"e2e-session-{time.time_ns()}", note="My portfolio, please",
    ))
    async with db.transaction() as session:
        order = (await session.exec(select(Order).where(Order.public_id == started.order_public_id))).one()
    await gateway.pay(reference=order.provider_reference, card_number="4242424242424242", expiry="12/40",
                      cvc="123", name="Ada Fan")
    async with db.transaction() as session:
        paid = select(SandboxWebhook).where(SandboxWebhook.event_type == "payment.succeeded")
        rows = (await session.exec(paid)).all()
    raw = [row for row in rows if order.public_id in row.payload][-1].payload.encode()
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    response = httpx.post(f"{app_url}/api/webhooks/sandbox", content=raw, timeout=30,
                          headers={"Creatorly-Signature": signature, "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    async with db.transaction() as session:
        held = (await session.exec(select(SessionBooking).where(SessionBooking.order_id == order.id))).one()
        assert held.status == "booked", held.status
        held.starts_at = datetime.now(UTC) - timedelta(hours=2)
        held.ends_at = held.blocked_until = held.starts_at + timedelta(hours=1)
        session.add(held)
    await db.dispose_engine()


asyncio.run(seed(sys.argv[1], sys.argv[2]))
"""

# The fan disputes the session they just had (through the services, with the key from their emails).
SEED_DISPUTE = """
import asyncio, sys

from sqlmodel import select

import creatorly.jobs  # the job names the booking's life may enqueue
from creatorly import db
from creatorly.models import SessionBooking
from creatorly.services.sessions import lifecycle
from creatorly.services.sessions.booking import booking_key


async def dispute(fan_email: str) -> None:
    async with db.transaction() as session:
        found = (await session.exec(select(SessionBooking).where(SessionBooking.fan_email == fan_email))).one()
    await lifecycle.dispute_as_fan(public_id=found.public_id, key=booking_key(found.public_id),
                                   reason="We only talked for ten minutes.", satisfaction=2)
    await db.dispose_engine()


asyncio.run(dispute(sys.argv[1]))
"""


def _run_with_the_app_settings(environment: dict[str, str], *arguments: str) -> None:
    """A script against the app's database and its sandbox gateway (reached at the app's public URL)."""
    result = subprocess.run(
        [sys.executable, *arguments], env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _add_a_day_off(page: Page) -> str:
    day = (date.today() + timedelta(days=90)).isoformat()
    exception = page.get_by_role("form", name="Date that differs")
    exception.get_by_label("Date", exact=True).fill(day)
    exception.get_by_label("Day off").check()
    exception.get_by_role("button", name="Save date").click()
    expect(page.get_by_text("Date saved.")).to_be_visible()
    expect(page.get_by_text("Day off", exact=True).last).to_be_visible()
    return day


def _admin_with_two_factor(page: Page, app_url: str) -> None:
    email = f"disputes-{secrets.token_hex(3)}@example.com"
    run_in_e2e_app("-m", "creatorly.cli", "admin", "create", email, "--password", PASSWORD)
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


def _admin_decides(admin: Page, app_url: str, *, creator_name: str) -> None:
    _admin_with_two_factor(admin, app_url)
    open_page(admin, f"{app_url}/admin")
    admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Disputes").click()
    expect(admin.get_by_role("heading", name="Session disputes")).to_be_visible()
    dispute = admin.get_by_role("article").filter(has_text=creator_name)
    expect(dispute).to_contain_text("We only talked for ten minutes.")
    expect(dispute).to_contain_text("2 / 5")
    expect(dispute).to_contain_text("Completed")  # the creator's report beside the fan's reason
    _shot(admin, "admin-disputes")
    assert _axe(admin) == []
    dispute.get_by_label("Creator's share %").fill("30")
    dispute.get_by_label("Reason").fill("Shortened session: the creator keeps 30%.")
    dispute.get_by_role("button", name="Record decision").click()
    expect(admin.get_by_text(re.compile("decided and settled"))).to_be_visible()
    expect(admin.get_by_role("article").filter(has_text=creator_name)).to_have_count(0)


def test_a_creator_offers_a_session_and_marks_a_paid_booking_completed(
    page: Page, app_url: str, app_environment: dict[str, str]
) -> None:
    handle = f"sol{secrets.token_hex(3)}"
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Sol Coach")
    open_storefront(page, app_url, handle, name="Sol Coaching")

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", name="No sessions booked yet")).to_be_visible()
    expect(page.get_by_text("Held in escrow", exact=True)).to_be_visible()
    create_session_type(page, location="https://meet.example.com/sol", late_fee_percent=25)
    set_weekly_hours(page, timezone="Europe/Berlin")
    day = _add_a_day_off(page)
    expect(page.get_by_role("button", name=f"Remove the hours of {day}")).to_be_visible()
    _shot(page, "session-types")
    assert _axe(page) == []

    page.get_by_role("link", name="← Back to your sessions").click()
    expect(page.get_by_role("heading", name="No sessions booked yet")).to_be_visible()
    expect(page.get_by_text("Times in Europe/Berlin.")).to_be_visible()  # the zone the hours were set in
    expect(page.get_by_role("link", name="Manage session types")).to_be_visible()
    expect(page.get_by_role("link", name="Create a session type")).to_have_count(0)
    _shot(page, "sessions-empty")

    _run_with_the_app_settings(app_environment, "-c", SEED_PAID_BOOKING, app_url, handle, f"{handle}-fan@example.com")
    open_page(page, f"{app_url}/dashboard/sessions")
    booking = page.get_by_role("article", name="Portfolio review with Ada Fan")
    expect(booking).to_be_visible()
    expect(booking.get_by_text("Booked", exact=True)).to_be_visible()
    expect(booking.get_by_text(f"{handle}-fan@example.com", exact=False)).to_be_visible()
    expect(booking.get_by_text("$40.00")).to_be_visible()
    expect(page.get_by_text("Held in escrow · USD")).to_be_visible()
    expect(page.get_by_text("$38.54")).to_be_visible()  # $40.00 less the sandbox provider's fee
    _shot(page, "sessions-booked")
    assert _axe(page) == []

    booking.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_text("Marked completed. The fan is asked to confirm.")).to_be_visible()
    expect(booking.get_by_text("Completed", exact=True)).to_be_visible()
    expect(booking.get_by_role("button", name="Mark completed")).to_have_count(0)
    expect(booking.get_by_role("button", name=re.compile("Cancel"))).to_have_count(0)
    _shot(page, "sessions-completed")

    _run_with_the_app_settings(app_environment, "-c", SEED_DISPUTE, f"{handle}-fan@example.com")
    browser = page.context.browser
    assert browser is not None
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _admin_decides(admin, app_url, creator_name="Sol Coaching")
