"""A creator makes a product free for members of a tier; a visitor sees the badge, the price and a link to join;
a fan joins the tier with the sandbox card and gets the product free as a member, once, with its order page."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import open_page, open_storefront_with_product, sign_up_and_confirm
from tests.e2e.test_membership_flow import _create_tier as create_tier
from tests.e2e.test_membership_flow import _join_with_sandbox_card as join_with_sandbox_card

PASSWORD = "correct horse battery staple"
BADGE = "Free for members of Inner circle and above"
SCREENSHOTS = Path(os.environ.get("CREATORLY_SCREENSHOTS", "/tmp/creatorly-member-product-shots"))


def _screenshots(page: Page, url: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        open_page(page, url)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _make_it_free_for_members(page: Page, app_url: str, editor_url: str) -> None:
    open_page(page, editor_url)
    expect(page.get_by_role("heading", name="Edit product")).to_be_visible()
    choice = page.get_by_label("Free for members", exact=True)
    expect(choice.locator("option")).to_have_text(["Nobody", "Inner circle and above"])
    choice.select_option(label="Inner circle and above")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    open_page(page, editor_url)
    expect(page.get_by_label("Free for members", exact=True)).to_have_value(re.compile(r"^\d+$"))
    _screenshots(page, editor_url, "editor-members-free")


def _visitor_sees_the_price_and_the_join_link(page: Page, app_url: str, handle: str, product_url: str) -> None:
    open_page(page, product_url)
    expect(page.get_by_text(BADGE)).to_be_visible()
    expect(page.get_by_role("button", name="Buy now")).to_be_visible()
    expect(page.get_by_role("button", name="Get it free as a member")).to_have_count(0)
    join = page.get_by_role("link", name="Join Inner circle to get it free")
    expect(join).to_have_attribute("href", f"/{handle}#tiers")
    _screenshots(page, product_url, "product-visitor")


def _member_gets_it_free(page: Page, product_url: str) -> str:
    for _ in range(30):  # the membership turns live when the payment's webhook has been handled
        open_page(page, product_url)
        if page.get_by_role("button", name="Get it free as a member").count() > 0:
            break
        page.wait_for_timeout(1000)
    expect(page.get_by_text(BADGE)).to_be_visible()
    expect(page.get_by_role("button", name="Buy now")).to_have_count(0)
    expect(page.get_by_role("link", name="Join Inner circle to get it free")).to_have_count(0)
    _screenshots(page, product_url, "product-member")
    page.get_by_role("button", name="Get it free as a member").click()
    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.get_by_role("heading", name="Thank you for your purchase!")).to_be_visible(timeout=30_000)
    return page.url


def test_a_member_gets_a_product_free_and_a_visitor_is_asked_to_join(
    page: Page, browser: Browser, app_url: str
) -> None:
    handle = f"zines{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Zine Maker")
    product_path = open_storefront_with_product(page, app_url, handle=handle, title="Film Zine", price="12")
    editor_url = page.url
    create_tier(page, app_url)
    _make_it_free_for_members(page, app_url, editor_url)
    product_url = f"{app_url}{product_path}"

    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    _visitor_sees_the_price_and_the_join_link(visitor.new_page(), app_url, handle, product_url)
    visitor.close()

    fan_context = browser.new_context(viewport={"width": 1280, "height": 900})
    fan = fan_context.new_page()
    sign_up_and_confirm(fan, app_url, email=f"fan-{handle}@example.com", password=PASSWORD, name="Ada Fan")
    join_with_sandbox_card(fan, app_url, handle)
    first_order = _member_gets_it_free(fan, product_url)
    expect(fan.get_by_text("$0.00").first).to_be_visible()

    open_page(fan, product_url)
    fan.get_by_role("button", name="Get it free as a member").click()
    fan.wait_for_url(re.compile(r"/orders/"))
    assert fan.url.split("?")[0] == first_order.split("?")[0]  # the same order, not a second one
    fan_context.close()
