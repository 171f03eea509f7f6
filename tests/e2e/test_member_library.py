"""A fan manages a membership from the library: sees it active with its next charge, cancels and resumes,
pauses and unpauses, upgrades to the creator's other tier, and finds the receipts in its history."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.helpers import open_page, sign_up_and_confirm
from tests.e2e.test_membership_flow import (
    PASSWORD,
    SCREENSHOTS,
    _create_tier,
    _join_with_sandbox_card,
    _open_storefront,
    _screenshots,
)
from tests.e2e.test_tips_flow import _pay_with_sandbox_card


def _create_second_tier(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/dashboard/tiers")
    page.get_by_role("button", name="New tier").click()
    expect(page.get_by_role("heading", name="Edit tier")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Backstage")
    page.get_by_label("Monthly", exact=True).fill("12")
    page.get_by_role("button", name="Save tier").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published on your storefront.")).to_be_visible()


def _membership_card(page: Page, app_url: str, name: str) -> Locator:
    """The library's card called `name`, once the payment's webhook has made the membership live."""
    card = page.get_by_role("article", name=name)
    for _ in range(30):
        open_page(page, f"{app_url}/library")
        expect(page.get_by_role("heading", name="Memberships", exact=True)).to_be_visible()
        if card.count() > 0 and card.get_by_test_id("membership-status").inner_text() == "Active":
            break
        page.wait_for_timeout(1000)
    expect(card).to_be_visible()
    return card


def _confirm(page: Page, card: Locator, button: str, confirm: str) -> None:
    card.get_by_role("button", name=button, exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name=confirm).click()


def _cancel_and_resume(page: Page, card: Locator) -> None:
    _confirm(page, card, "Cancel", "Cancel membership")
    expect(page.get_by_text(re.compile(r"^Your membership cancels on "))).to_be_visible()
    expect(card.get_by_test_id("membership-status")).to_have_text("Canceling")
    expect(card.get_by_text(re.compile(r"^Cancels on \d\d \w{3} \d{4}"))).to_be_visible()
    expect(card.get_by_text(re.compile(r"^Ends on "))).to_be_visible()
    card.get_by_role("button", name="Resume").click()
    expect(page.get_by_text("Your membership will keep renewing.")).to_be_visible()
    expect(card.get_by_test_id("membership-status")).to_have_text("Active")
    expect(card.get_by_text(re.compile(r"^Next charge \$5\.00 on "))).to_be_visible()


def _pause_and_unpause(page: Page, card: Locator) -> None:
    _confirm(page, card, "Pause", "Pause membership")
    expect(page.get_by_text("Your membership is paused: no charges until you unpause.")).to_be_visible()
    expect(card.get_by_test_id("membership-status")).to_have_text("Paused")
    expect(card.get_by_role("button", name="Cancel", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Pause", exact=True)).to_have_count(0)
    card.get_by_role("button", name="Unpause").click()
    expect(page.get_by_text("Your membership is active again.")).to_be_visible()
    expect(card.get_by_test_id("membership-status")).to_have_text("Active")


def _upgrade(page: Page, card: Locator) -> None:
    card.get_by_role("button", name="Change tier").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("New tier").select_option(label="Backstage · $12.00 / month")
    expect(
        dialog.get_by_text(re.compile(r"Upgrade: starts now; \$\d+\.\d\d \(the prorated difference\)"))
    ).to_be_visible()
    dialog.get_by_role("button", name="Confirm tier change").click()
    expect(
        page.get_by_text(re.compile(r"^Upgraded\. We charged \$\d+\.\d\d for the rest of this period\."))
    ).to_be_visible()
    expect(dialog).to_have_count(0)


def _send_a_tip(page: Page, app_url: str, email: str) -> None:
    open_page(page, f"{app_url}/mira")
    tip = page.locator("#tip")
    tip.get_by_label("Or your own amount").fill("3")
    tip.get_by_label("Message (optional)").fill("Keep making these!")
    tip.get_by_label("Email for your receipt").fill(email)
    tip.get_by_role("button", name="Send tip").click()
    _pay_with_sandbox_card(page)
    expect(page.get_by_role("heading", name="Thank you for your tip!")).to_be_visible(timeout=30_000)


def _library_lists_the_tip(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/library")
    tip = page.get_by_role("article", name="Open tip to Mira Costa of $3.00")
    expect(tip).to_contain_text("$3.00 to Mira Costa")
    expect(tip).to_contain_text("Keep making these!")
    expect(tip.get_by_text(re.compile(r"^\d\d \w{3} \d{4} · Public$"))).to_be_visible()


def _history_lists_the_receipts(page: Page, card: Locator) -> None:
    card.get_by_text("History", exact=True).click()
    expect(card.get_by_text("Payment: first period")).to_be_visible()
    expect(card.get_by_text("Payment: upgrade")).to_be_visible()
    expect(card.get_by_text("Cancellation scheduled for the end of the period")).to_be_visible()
    receipts = card.get_by_role("link", name=re.compile(r"^Receipt "))
    expect(receipts).to_have_count(2)
    for label, width in (("desktop", 1280), ("phone", 390)):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"library-history-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    receipts.first.click()  # newest first: the upgrade
    expect(page.get_by_role("heading", name="Membership receipt")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Membership: upgrade to Backstage"))).to_be_visible()


def test_a_member_manages_the_membership_from_the_library(page: Page, browser: Browser, app_url: str) -> None:
    handle = f"club{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Club Owner")
    _open_storefront(page, app_url, handle)
    _create_tier(page, app_url)
    _create_second_tier(page, app_url)

    fan_context = browser.new_context(viewport={"width": 1280, "height": 900})
    fan = fan_context.new_page()
    sign_up_and_confirm(fan, app_url, email=f"fan-{handle}@example.com", password=PASSWORD, name="Ada Fan")
    open_page(fan, f"{app_url}/library")
    expect(fan.get_by_role("heading", name="No memberships yet")).to_be_visible()
    expect(fan.get_by_role("link", name="Discover creators")).to_be_visible()

    _join_with_sandbox_card(fan, app_url, handle)
    creator = f"{handle.title()} Studio"
    card = _membership_card(fan, app_url, f"Inner circle membership with {creator}")
    expect(card.get_by_role("link", name=creator)).to_be_visible()
    expect(card.get_by_text("$5.00 / month")).to_be_visible()
    expect(card.get_by_text(re.compile(r"^Next charge \$5\.00 on \d\d \w{3} \d{4}$"))).to_be_visible()

    _cancel_and_resume(fan, card)
    _pause_and_unpause(fan, card)
    _upgrade(fan, card)
    upgraded = _membership_card(fan, app_url, f"Backstage membership with {creator}")
    expect(upgraded.get_by_text(re.compile(r"^Next charge \$12\.00 on "))).to_be_visible()
    _send_a_tip(fan, app_url, f"fan-{handle}@example.com")
    _library_lists_the_tip(fan, app_url)
    _screenshots(fan, f"{app_url}/library", "library")
    _history_lists_the_receipts(fan, _membership_card(fan, app_url, f"Backstage membership with {creator}"))
    fan_context.close()
