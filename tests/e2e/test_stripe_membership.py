"""A fan joins a EUR tier billed by Stripe: the join dialog hands off to our membership card page (Stripe Elements,
driven against localstripe's fake Stripe.js), the card makes a Stripe subscription, and localstripe's signed
invoice webhook activates the membership while the page waits for it.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_page

SCREENSHOTS = Path(os.environ.get("CREATORLY_SCREENSHOTS", "/tmp/creatorly-stripe-membership-shots"))

_MAKE_TIER = """
import asyncio, itertools, secrets, sys
from creatorly import db
from creatorly.models.memberships import Tier, TierPrice
from tests import factories
factories._numbers = itertools.count(secrets.randbelow(10**9))  # a fresh process: keep emails unique


async def main():
    made = await factories.make_creator(handle=sys.argv[1])
    async with db.transaction() as session:
        tier = Tier(public_id=f"tier_{secrets.token_hex(6)}", creator_id=made.creator.id, name="Euro circle",
                    is_published=True)
        session.add(tier)
        await session.flush()
        session.add(TierPrice(tier_id=tier.id, interval="monthly", amount=500, currency="EUR"))


asyncio.run(main())
"""


def _eur_tier(environment: dict[str, str]) -> str:
    handle = f"eurotier{secrets.token_hex(3)}"
    subprocess.run([sys.executable, "-c", _MAKE_TIER, handle], env=environment, check=True, capture_output=True)
    return handle


def _screenshots(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = page.url
    for label, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        page.goto(url)
        page.wait_for_timeout(500)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _to_card_page(page: Page, app_url: str, handle: str) -> None:
    open_page(page, f"{app_url}/{handle}")
    page.get_by_role("button", name="Join Euro circle").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("radio", name="€5.00 / month")).to_be_checked()
    # By name: the storefront's tip jar has an email field with the same id as the dialog's.
    dialog.locator('input[name="email"]').fill(f"member-{secrets.token_hex(3)}@example.com")
    dialog.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(re.compile(r"/pay/stripe/membership/msf_"), timeout=30_000)
    expect(page.get_by_role("heading", name="Euro circle membership")).to_be_visible()
    expect(page.get_by_label("Amount to pay")).to_have_text("€5.00 / month")


def _type_card(page: Page, number: str) -> None:
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("10115")
    page.get_by_role("button", name="Join and pay €5.00").click()


def test_a_fan_joins_a_stripe_billed_tier_on_the_card_page_and_the_invoice_webhook_activates_it(
    page: Page, app_url: str, app_environment: dict[str, str]
) -> None:
    handle = _eur_tier(app_environment)
    _to_card_page(page, app_url, handle)
    _screenshots(page, "card-page")

    _type_card(page, "4242424242424242")

    expect(page.get_by_role("heading", name="Welcome! Your membership is active.")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="Go to your library")).to_be_visible()
    _screenshots(page, "active")


@pytest.mark.allow_console_errors(r"status of 402 \(Payment Required\)")
def test_a_declined_card_on_the_membership_card_page_shows_the_decline_and_stays(
    page: Page, app_url: str, app_environment: dict[str, str]
) -> None:
    handle = _eur_tier(app_environment)
    _to_card_page(page, app_url, handle)

    _type_card(page, "4000000000000002")

    expect(page.locator("#message")).to_contain_text("declined", timeout=20_000)
    expect(page).to_have_url(re.compile(r"/pay/stripe/membership/msf_"))
    expect(page.get_by_role("button", name="Join and pay €5.00")).to_be_enabled()
