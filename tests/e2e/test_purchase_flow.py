"""A fan buys a demo product with the sandbox card, gets the receipt and downloads exactly the file;
a declined card is followed by another on the same page, which pays."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

from creatorly.services.demo.service import demo_file_text
from tests.e2e.helpers import open_mail_link, open_page

PRODUCT_TITLE = "Golden Hour Lightroom Presets"


def _checkout(page: Page, app_url: str, email: str) -> None:
    open_page(page, f"{app_url}/mira/golden-hour-lightroom-presets")
    page.get_by_role("button", name="Buy now").click()
    page.get_by_label("Email for your receipt and downloads").fill(email)
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached")


def _pay(page: Page, card: str) -> None:
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Ada Fan")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def test_a_fan_buys_gets_the_receipt_and_downloads_the_exact_file(page: Page, app_url: str) -> None:
    email = f"buyer-{secrets.token_hex(3)}@example.com"
    _checkout(page, app_url, email)
    expect(page.get_by_text("$15.00").first).to_be_visible()
    _pay(page, "4242 4242 4242 4242")

    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.get_by_role("heading", name="Thank you for your purchase!")).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download README.txt").click()
    assert download.value.suggested_filename == "README.txt"
    assert Path(download.value.path()).read_bytes() == demo_file_text(PRODUCT_TITLE)
    expect(page.get_by_role("heading", name="Thank you for your purchase!")).to_be_visible()

    open_page(page, f"{app_url}/dev/mailbox")
    receipt = page.get_by_role("article").filter(has_text=email).filter(has_text=PRODUCT_TITLE)
    expect(receipt.first).to_be_visible()

    # Later, from the library (a guest asks for the emailed link), the same file downloads again.
    open_page(page, f"{app_url}/library")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status").filter(has_text="we've emailed it a link")).to_be_visible()
    open_mail_link(page, app_url, to_address=email, subject="Your purchases")
    expect(page.get_by_text(PRODUCT_TITLE)).to_be_visible()
    with page.expect_download() as again:
        page.get_by_role("link", name="Download README.txt").click()
    assert Path(again.value.path()).read_bytes() == demo_file_text(PRODUCT_TITLE)


def test_a_declined_card_can_be_followed_by_another_card_on_the_same_page(page: Page, app_url: str) -> None:
    _checkout(page, app_url, f"declined-{secrets.token_hex(3)}@example.com")
    payment_url = page.url
    _pay(page, "4000 0000 0000 0002")
    expect(page.get_by_role("alert").filter(has_text="Your card was declined.")).to_be_visible()
    expect(page).to_have_url(payment_url)

    _pay(page, "4242 4242 4242 4242")

    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.get_by_role("heading", name="Thank you for your purchase!")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="Download README.txt")).to_be_visible()
