"""A fan pays a EUR product on our Stripe Elements page, driven in Chromium against localstripe's fake Stripe.js.

localstripe's Stripe.js renders the card Element as plain inputs and has no createPaymentMethod, so the page
tokenizes the card (createToken), our server attaches it to the PaymentIntent and confirms it, and
localstripe's Stripe-signed payment_intent.succeeded webhook pays the order.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_page

_MAKE_PRODUCT = """
import asyncio, itertools, secrets, sys
from tests import factories
factories._numbers = itertools.count(secrets.randbelow(10**9))  # a fresh process: keep emails unique
made = asyncio.run(
    factories.make_creator(handle=sys.argv[1], products=[factories.new_product(currency="EUR", title="Euro Zine")])
)
print(made.products[0].slug)
"""


def _eur_product(environment: dict[str, str]) -> tuple[str, str]:
    handle = f"euro{secrets.token_hex(3)}"
    made = subprocess.run(
        [sys.executable, "-c", _MAKE_PRODUCT, handle], env=environment, check=True, capture_output=True, text=True
    )
    return handle, made.stdout.strip().splitlines()[-1]


def _to_stripe_page(page: Page, app_url: str, handle: str, slug: str, email: str) -> None:
    open_page(page, f"{app_url}/{handle}/{slug}")
    page.get_by_role("button", name="Buy now").click()
    page.get_by_label("Email for your receipt and downloads").fill(email)
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(re.compile(r"/pay/stripe/pi_"))
    expect(page.get_by_role("heading", name="Euro Zine")).to_be_visible()
    expect(page.get_by_label("Amount to pay")).to_have_text("€12.00")


def _type_card(page: Page, number: str) -> None:
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("10115")
    page.get_by_role("button", name="Pay €12.00").click()


def test_a_fan_pays_on_the_stripe_elements_page_and_the_webhook_pays_the_order(
    page: Page, app_url: str, app_environment: dict[str, str]
) -> None:
    handle, slug = _eur_product(app_environment)
    _to_stripe_page(page, app_url, handle, slug, f"stripe-{secrets.token_hex(3)}@example.com")

    _type_card(page, "4242424242424242")

    page.wait_for_url(re.compile(r"/orders/ord_"), timeout=30_000)
    expect(page.get_by_role("heading", name="Thank you for your purchase!")).to_be_visible(timeout=30_000)


@pytest.mark.allow_console_errors(r"status of 402 \(Payment Required\)")
def test_a_declined_card_on_the_stripe_page_shows_the_decline_and_stays(
    page: Page, app_url: str, app_environment: dict[str, str]
) -> None:
    handle, slug = _eur_product(app_environment)
    _to_stripe_page(page, app_url, handle, slug, f"declined-{secrets.token_hex(3)}@example.com")

    _type_card(page, "4000000000000341")

    expect(page.get_by_role("status")).to_contain_text("declined", timeout=20_000)
    expect(page).to_have_url(re.compile(r"/pay/stripe/pi_"))
    expect(page.get_by_role("button", name="Pay €12.00")).to_be_enabled()
