"""Browser-test helpers: wait for the live app, read the Dev mailbox, compute TOTP codes."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from playwright.sync_api import Page, expect


def open_page(page: Page, url: str) -> None:
    """Go to a page and wait until Reflex has hydrated it (handlers are live)."""
    page.goto(url)
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached", timeout=30_000)


def open_mail_link(page: Page, app_url: str, *, to_address: str, subject: str) -> str:
    """Find the newest mail to `to_address` with `subject` in the Dev mailbox and follow its link."""
    open_page(page, f"{app_url}/dev/mailbox")
    mail = page.get_by_role("article", name=subject).filter(has_text=to_address).first
    expect(mail).to_be_visible()
    link = mail.get_by_role("link", name=re.compile("^Open link")).first
    href = link.get_attribute("href")
    assert href is not None
    open_page(page, href)
    return href


def sign_up_and_confirm(page: Page, app_url: str, *, email: str, password: str, name: str = "Ada Fan") -> None:
    """Create an account through the UI and confirm it from the Dev mailbox (ends signed in)."""
    open_page(page, f"{app_url}/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We sent a confirmation link to")).to_be_visible()
    open_mail_link(page, app_url, to_address=email, subject="Confirm your email for Creatorly")
    expect(page.get_by_text("Your email is confirmed and you're signed in.")).to_be_visible()


def open_storefront_with_product(page: Page, app_url: str, *, handle: str, title: str, price: str) -> str:
    """A signed-in user opens a storefront and publishes one fixed-price product; its URL path."""
    open_page(page, f"{app_url}/dashboard/products")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Storefront name").fill(f"{handle.title()} Studio")
    page.get_by_role("button", name="Open my storefront").click()
    expect(page.get_by_role("heading", name="Add your first product")).to_be_visible()
    page.get_by_role("button", name="Create a product").click()
    expect(page.get_by_role("heading", name="Edit product")).to_be_visible()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Summary", exact=True).fill(f"{title}, made with care.")
    page.get_by_label("Price (USD)", exact=True).fill(price)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published! It's live on your storefront.")).to_be_visible()
    return f"/{handle}/{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}"


def buy_with_sandbox_card(
    page: Page, product_url: str, *, email: str, card: str = "4242 4242 4242 4242", wait_for_receipt: bool = True
) -> None:
    """Check out a product as a fan and pay on the sandbox payment page; ends on the paid order's page (or, with
    `wait_for_receipt=False`, right after pressing Pay)."""
    open_page(page, product_url)
    page.get_by_role("button", name="Buy now").click()
    page.get_by_label("Email for your receipt and downloads").fill(email)
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached")
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Ada Fan")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    if wait_for_receipt:
        see_receipt(page)


def see_receipt(page: Page) -> None:
    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.get_by_role("heading", name="Thank you for your purchase!")).to_be_visible(timeout=30_000)


def sale_applied_at(log_path: Path) -> datetime:
    """When the app whose log this is applied the newest sandbox payment webhook (the log line's UTC time)."""
    lines = [line for line in log_path.read_text().splitlines() if "webhook_attempt" in line]
    applied = [line for line in lines if "event_type=payment.succeeded" in line and "outcome=handled" in line]
    assert applied, f"no applied payment webhook in {log_path}: {lines[-5:]}"
    return datetime.fromisoformat(applied[-1].split(" ", 1)[0].replace("Z", "+00:00"))


def e2e_app_environment() -> dict[str, str]:
    """The settings the browser tests' app runs with (its own data folder and SQLite database), for commands."""
    from tests.conftest import TEST_DATA_DIR
    from tests.processes import process_environment

    data_dir = TEST_DATA_DIR / "e2e"
    return process_environment(data_dir=str(data_dir), database_url=f"sqlite:///{data_dir / 'creatorly.db'}")


def run_in_e2e_app(*arguments: str) -> str:
    """Run a `python -m …` command against the browser tests' app database; its standard output."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, *arguments], env=e2e_app_environment(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout
