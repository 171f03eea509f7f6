"""After two sandbox sales (one held, one released at once) a creator sees pending and available money with
release dates, adds a bank account, withdraws, and watches the payout go pending → paid; the ledger balances."""

from __future__ import annotations

import json
import os
import re
import secrets
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from creatorly.kit.money import format_money
from creatorly.services.accounts.sessions import SESSION_COOKIE_NAME
from tests.e2e.helpers import (
    buy_with_sandbox_card,
    open_page,
    open_storefront_with_product,
    run_in_e2e_app,
    sign_up_and_confirm,
)

PASSWORD = "correct horse battery staple"
SETTLE_TIMEOUT_MS = 120_000  # the page follows an open payout for two minutes

# Run inside the e2e app's environment: its own service reads its own SQLite database (no mocks).
PROBE = """
import asyncio, json, sys
from creatorly import db
from creatorly.services.ledger import service as ledger
from creatorly.services.payouts import service as payouts

async def probe(token):
    balances = await payouts.balances_of(session_token=token)
    async with db.transaction() as session:
        trial = await ledger.trial_balance(session)
    await db.dispose_engine()
    return {
        "trial_balance": trial,
        "balances": [
            {
                "currency": b.currency, "pending": b.pending, "available": b.available, "in_payout": b.in_payout,
                "paid_out": b.paid_out, "lifetime": b.lifetime_earnings,
                "releases": [[r.release_on.date().isoformat(), r.amount] for r in b.releases],
            }
            for b in balances
        ],
    }

print(json.dumps(asyncio.run(probe(sys.argv[1]))))
"""


def _probe(page: Page) -> dict[str, Any]:
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == SESSION_COOKIE_NAME)
    return json.loads(run_in_e2e_app("-c", PROBE, token))


def _usd(report: dict[str, Any]) -> dict[str, Any]:
    (balance,) = [item for item in report["balances"] if item["currency"] == "USD"]
    return balance


def _figure(page: Page, label: str) -> Any:
    return page.get_by_role("region", name="USD balance").get_by_role("group", name=label, exact=True)


def _buy_as_a_fan(browser: Browser, product_url: str, *, email: str) -> None:
    """Each fan in a browser of their own, so no checkout of an earlier fan is still open."""
    context = browser.new_context()
    try:
        buy_with_sandbox_card(context.new_page(), product_url, email=email)
    finally:
        context.close()


def _screenshots(page: Page, name: str) -> None:
    """With CREATORLY_E2E_SCREENSHOTS=<folder>, keep full-page shots at desktop and phone width for review."""
    folder = os.environ.get("CREATORLY_E2E_SCREENSHOTS", "")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width, height, label in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)
        page.screenshot(path=str(Path(folder) / f"payouts-{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})


def test_creator_sees_held_and_available_money_withdraws_and_is_paid(
    page: Page, app_url: str, browser: Browser
) -> None:
    handle = f"pay{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Pia Payne")
    product_path = open_storefront_with_product(page, app_url, handle=handle, title="Sunset Brush Pack", price="20")

    # Given one sale inside the default 7-day hold and, after an admin sets the hold to 0 days, one more sale.
    _buy_as_a_fan(browser, f"{app_url}{product_path}", email=f"fan1-{handle}@example.com")
    run_in_e2e_app("-m", "creatorly.cli", "admin", "set-terms", handle, "--hold-days", "0")
    _buy_as_a_fan(browser, f"{app_url}{product_path}", email=f"fan2-{handle}@example.com")
    before = _usd(_probe(page))
    assert before["pending"] > 0 and before["available"] >= 1000 and before["in_payout"] == before["paid_out"] == 0
    ((release_day, release_amount),) = before["releases"]

    # The payouts page shows both amounts, the release date, and why nothing can be withdrawn yet.
    open_page(page, f"{app_url}/dashboard/payouts")
    expect(page.get_by_role("heading", name="Payouts", level=1)).to_be_visible()
    expect(_figure(page, "Available")).to_contain_text(format_money(before["available"], "USD"))
    expect(_figure(page, "Pending (held)")).to_contain_text(format_money(before["pending"], "USD"))
    expect(_figure(page, "Lifetime earnings")).to_contain_text(format_money(before["lifetime"], "USD"))
    day = date.fromisoformat(release_day)
    expect(page.get_by_text(f"{format_money(release_amount, 'USD')} releases on {day.day} {day:%b}")).to_be_visible()
    releases = page.get_by_role("list", name="Upcoming releases in USD")
    expect(releases).to_contain_text(f"{day.day} {day:%b %Y}")
    expect(page.get_by_text("Why can't I withdraw?")).to_be_visible()
    expect(page.get_by_text("You have no payout account for USD.")).to_be_visible()
    expect(page.get_by_text("No payouts yet")).to_be_visible()
    _screenshots(page, "before")

    # A wrong routing number is refused next to its field; a right one adds the account as the default.
    page.get_by_label("Account type").select_option("bank")
    page.get_by_label("Account holder name").fill("Pia Payne")
    page.get_by_label("Country").fill("US")
    page.get_by_label("Routing number or IFSC").fill("123456789")
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_role("button", name="Add payout account").click()
    expect(page.locator("#field-routing_code-error")).to_have_text("Enter the bank's 9-digit ABA routing number.")
    page.get_by_label("Routing number or IFSC").fill("110000000")
    page.get_by_role("button", name="Add payout account").click()
    accounts = page.get_by_role("list", name="Your payout accounts")
    expect(accounts).to_contain_text("Bank ···· 6789")
    expect(accounts).to_contain_text("Default")
    expect(accounts).not_to_contain_text("000123456789")
    _screenshots(page, "ready")

    # Withdraw everything available, confirming first.
    amount = format_money(before["available"], "USD")
    page.get_by_role("button", name=f"Withdraw {amount}").click()
    page.get_by_role("button", name="Yes, withdraw").click()
    expect(page.get_by_text(f"Payout of {amount} started")).to_be_visible()
    history = page.get_by_role("table", name="Payout history")
    row = history.get_by_role("row").filter(has_text=amount)
    expect(row).to_contain_text(re.compile("Pending|In transit"))

    # Without a reload the page follows the payout until the sandbox pays it.
    expect(row).to_contain_text("Paid", timeout=SETTLE_TIMEOUT_MS)
    expect(row).to_contain_text("Bank ···· 6789")
    expect(_figure(page, "Paid out")).to_contain_text(amount)
    expect(_figure(page, "Available")).to_contain_text("$0.00")
    expect(_figure(page, "Pending (held)")).to_contain_text(format_money(before["pending"], "USD"))
    _screenshots(page, "paid")

    # Its detail tells the story step by step.
    row.get_by_role("link").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name=f"Payout of {amount}")).to_be_visible()
    timeline = dialog.get_by_role("listitem")
    expect(timeline.first).to_contain_text("Pending")
    expect(timeline.last).to_contain_text("Paid")
    _screenshots(page, "detail")

    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Updating live")).to_have_count(0)  # the live refresh has stopped

    # A second account can become the default, the first removed after a confirmation; the schedule is saved.
    second = {
        "Account holder name": "Pia Payne",
        "Country": "US",
        "Routing number or IFSC": "021000021",
        "Account number": "987654321",
    }
    for label, value in second.items():
        page.get_by_label(label).fill(value)
    for label, value in second.items():
        expect(page.get_by_label(label)).to_have_value(value)
    page.get_by_role("button", name="Add payout account").click()
    expect(accounts.get_by_role("listitem")).to_have_count(2)
    page.get_by_role("button", name="Make Bank ···· 4321 the default").click()
    expect(page.get_by_text("Bank ···· 4321 is now your default for USD.")).to_be_visible()
    page.get_by_role("button", name="Remove Bank ···· 6789").click()
    page.get_by_role("button", name="Yes, remove").click()
    expect(accounts.get_by_role("listitem")).to_have_count(1)
    expect(accounts).to_contain_text("Bank ···· 4321")
    expect(accounts).to_contain_text("Default")
    page.get_by_role("radio", name="Monthly").click()
    expect(page.get_by_text("We'll send your available balance every month.")).to_be_visible()
    open_page(page, f"{app_url}/dashboard/payouts")
    expect(page.get_by_role("radio", name="Monthly")).to_be_checked()

    # The ledger still balances, and the money is all accounted for.
    after = _probe(page)
    assert all(total == 0 for total in after["trial_balance"].values()), after["trial_balance"]
    usd = _usd(after)
    assert usd["paid_out"] == before["available"] and usd["available"] == 0 and usd["in_payout"] == 0
    assert usd["pending"] == before["pending"] and usd["lifetime"] == before["lifetime"]
    assert usd["available"] + usd["pending"] + usd["in_payout"] + usd["paid_out"] == usd["lifetime"]

    # The month's statement shows the same money, and downloads as a PDF.
    open_page(page, f"{app_url}/dashboard/statements")
    expect(page.get_by_role("heading", name="Statements")).to_be_visible()
    expect(page.get_by_role("heading", name="USD")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Sale")).to_have_count(2)
    expect(page.get_by_role("rowheader", name="Payout requested")).to_have_count(1)
    expect(page.get_by_text(format_money(usd["pending"], "USD")).first).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("creatorly-statement-")
    with open(download.path(), "rb") as document:
        assert document.read(4) == b"%PDF"
