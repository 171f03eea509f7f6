"""A buyer who paid through the sandbox checkout rates the product 4 with text; the product page shows the average,
the count and the review (and its JSON-LD the AggregateRating); a signed-in non-buyer gets no form but can mark the
review helpful; the creator replies once from the dashboard and the reply shows under the review."""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import buy_with_sandbox_card, open_page, open_storefront_with_product, sign_up_and_confirm
from tests.e2e.test_membership_flow import _create_tier as create_tier
from tests.e2e.test_membership_flow import _join_with_sandbox_card as join_with_sandbox_card

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(os.environ.get("CREATORLY_SCREENSHOTS", "/tmp/creatorly-review-shots"))
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
REVIEW_TEXT = "Clear, useful and <script>alert(1)</script>worth it."
SHOWN_TEXT = "Clear, useful and worth it."


def _screenshots(page: Page, url: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        open_page(page, url)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _product_json_ld(product_url: str) -> dict[str, Any]:
    blocks = _JSON_LD.findall(httpx.get(product_url, timeout=30).text)
    assert len(blocks) == 1
    data: dict[str, Any] = json.loads(blocks[0])
    return data


def _buyer_rates_four(page: Page, product_url: str) -> None:
    open_page(page, product_url)
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.get_by_text("No reviews yet")).to_be_visible()
    form = page.get_by_role("form", name="Rate this")
    form.get_by_label("4 stars").check()
    form.get_by_label("Your review (optional)").fill(REVIEW_TEXT)
    form.get_by_role("button", name="Post review").click()
    expect(page.get_by_text("Thanks for your review!")).to_be_visible()
    expect(reviews.get_by_text("Rated 4.0 out of 5 from 1 review")).to_be_visible()
    review = reviews.get_by_role("article", name="Review by Ada Fan")
    expect(review.get_by_text(SHOWN_TEXT)).to_be_visible()
    expect(review.get_by_text("4 out of 5 stars")).to_be_attached()
    expect(review.get_by_role("button", name="Helpful (0)")).to_be_disabled()  # one's own review
    expect(review.get_by_role("link", name="Report")).to_have_attribute(
        "href", re.compile(r"^/report\?target=review&id=\d+$")
    )
    # The form now edits the review: it opens with the stored rating.
    expect(page.get_by_role("heading", name="Edit your review")).to_be_visible()
    expect(form.get_by_label("4 stars")).to_be_checked()


def _non_buyer_has_no_form_and_marks_it_helpful(page: Page, app_url: str, product_url: str, handle: str) -> None:
    sign_up_and_confirm(page, app_url, email=f"browser-{handle}@example.com", password=PASSWORD, name="Bo Browser")
    open_page(page, product_url)
    reviews = page.get_by_role("region", name="Reviews")
    expect(reviews.get_by_text("Rated 4.0 out of 5 from 1 review")).to_be_visible()
    expect(page.get_by_role("form", name="Rate this")).to_have_count(0)
    expect(page.get_by_role("button", name="Post review")).to_have_count(0)
    review = reviews.get_by_role("article", name="Review by Ada Fan")
    review.get_by_role("button", name="Helpful (0)").click()
    expect(review.get_by_role("button", name="Helpful (1)")).to_be_disabled()


def _creator_replies_once(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/dashboard")
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("heading", name="Reviews", level=1)).to_be_visible()
    expect(page.get_by_text(SHOWN_TEXT)).to_be_visible()
    page.get_by_label("Your reply").fill("Thank you, Ada!")
    page.get_by_role("button", name="Post reply to Ada Fan").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    expect(page.get_by_text("Thank you, Ada!")).to_be_visible()
    expect(page.get_by_label("Your reply")).to_have_count(0)  # once
    _screenshots(page, f"{app_url}/dashboard/reviews", "dashboard-reviews")


def test_a_buyer_rates_a_product_and_everyone_sees_it(page: Page, browser: Browser, app_url: str) -> None:
    handle = f"rated{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Rae Maker")
    product_path = open_storefront_with_product(page, app_url, handle=handle, title="Field Guide", price="9")
    product_url = f"{app_url}{product_path}"
    assert "aggregateRating" not in _product_json_ld(product_url)

    buyer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    buyer = buyer_context.new_page()
    buyer_email = f"buyer-{handle}@example.com"
    sign_up_and_confirm(buyer, app_url, email=buyer_email, password=PASSWORD, name="Ada Fan")
    buy_with_sandbox_card(buyer, product_url, email=buyer_email)
    _buyer_rates_four(buyer, product_url)

    assert _product_json_ld(product_url)["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "4.0",
        "reviewCount": 1,
        "bestRating": 5,
        "worstRating": 1,
    }

    other_context = browser.new_context(viewport={"width": 1280, "height": 900})
    _non_buyer_has_no_form_and_marks_it_helpful(other_context.new_page(), app_url, product_url, handle)
    other_context.close()

    _creator_replies_once(page, app_url)
    open_page(buyer, product_url)
    review = buyer.get_by_role("region", name="Reviews").get_by_role("article", name="Review by Ada Fan")
    expect(review.get_by_text("Reply from the creator")).to_be_visible()
    expect(review.get_by_text("Thank you, Ada!")).to_be_visible()
    expect(review.get_by_role("button", name="Helpful (1)")).to_be_visible()
    _screenshots(buyer, product_url, "product-reviews")
    buyer_context.close()


def test_an_active_member_rates_their_tier_on_the_storefront(page: Page, browser: Browser, app_url: str) -> None:
    handle = f"tiered{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Tia Maker")
    open_storefront_with_product(page, app_url, handle=handle, title="Sketchbook", price="4")
    create_tier(page, app_url)

    fan_context = browser.new_context(viewport={"width": 1280, "height": 900})
    fan = fan_context.new_page()
    sign_up_and_confirm(fan, app_url, email=f"member-{handle}@example.com", password=PASSWORD, name="Mo Member")
    join_with_sandbox_card(fan, app_url, handle)
    rate = fan.get_by_role("button", name="Rate or read reviews of Inner circle")
    for _ in range(30):  # the membership turns live when the payment's webhook has been handled
        open_page(fan, f"{app_url}/{handle}")
        if rate.count() > 0:
            break
        fan.wait_for_timeout(1000)
    section = fan.get_by_role("region", name="Member reviews")
    expect(section.get_by_text("No reviews yet")).to_be_visible()
    rate.click()
    form = fan.get_by_role("form", name="Rate this")
    form.get_by_label("5 stars").check()
    form.get_by_label("Your review (optional)").fill("Monthly notes are the best part.")
    form.get_by_role("button", name="Post review").click()
    expect(fan.get_by_text("Thanks for your review!")).to_be_visible()
    expect(section.get_by_text("Rated 5.0 out of 5 from 1 review").first).to_be_visible()
    expect(section.get_by_role("article", name="Review by Mo Member")).to_contain_text(
        "Monthly notes are the best part."
    )
    _screenshots(fan, f"{app_url}/{handle}", "storefront-tier-reviews")
    fan_context.close()

    # A visitor reads the summary but gets no form.
    open_page(page, f"{app_url}/{handle}")
    page.get_by_role("button", name="Read reviews of Inner circle").click()
    expect(page.get_by_role("article", name="Review by Mo Member")).to_be_visible()
    expect(page.get_by_role("form", name="Rate this")).to_have_count(0)
