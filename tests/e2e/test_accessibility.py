"""axe-core on the pages of issue 15 — landing, storefront, product, checkout, order, dashboard and library — and
/discover: no serious or critical violations."""

from __future__ import annotations

import re
import secrets

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from creatorly.services.demo.service import DEMO_EMAIL, DEMO_PASSWORD
from tests.e2e.helpers import open_page, see_receipt, sign_up_and_confirm

SERIOUS = {"serious", "critical"}
PASSWORD = "correct horse battery staple"


def _serious_violations(page: Page) -> list[str]:
    expect(page.locator("#app-ready")).to_have_attribute("data-ready", "true")
    expect(page.locator('[aria-busy="true"], .rt-Skeleton')).to_have_count(0, timeout=15_000)  # loaded, not a skeleton
    # A dialog fading in is half transparent: measure colours once every animation has finished
    page.wait_for_function("() => document.getAnimations().every(animation => animation.playState !== 'running')")
    results = Axe().run(page)
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation.get("impact") in SERIOUS
    ]


def _assert_none(found: dict[str, list[str]]) -> None:
    failures = {where: violations for where, violations in found.items() if violations}
    assert not failures, "\n".join(f"{where}: {violations}" for where, violations in failures.items())


def test_landing_storefront_product_and_discover_have_no_serious_axe_violations(page: Page, app_url: str) -> None:
    page.goto(app_url)
    assert _serious_violations(page) == []

    page.get_by_role("link", name="See a demo storefront").click()
    expect(page.get_by_role("heading", name="Mira Costa", exact=True)).to_be_visible()
    assert _serious_violations(page) == []

    page.get_by_role("article", name="Golden Hour Lightroom Presets").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Golden Hour Lightroom Presets")).to_be_visible()
    assert _serious_violations(page) == []

    page.goto(f"{app_url}/discover")
    assert _serious_violations(page) == []


def _pay_on_the_sandbox_page(page: Page, found: dict[str, list[str]], what: str) -> None:
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    expect(page.get_by_label("Card number")).to_be_visible()
    found[f"the sandbox payment page for {what}"] = _serious_violations(page)
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Ada Fan")
    page.get_by_role("button", name=re.compile(r"^(Pay|Save|Start|Subscribe)")).click()


def test_checkout_order_and_library_have_no_serious_axe_violations(page: Page, app_url: str) -> None:
    email = f"axe-fan-{secrets.token_hex(3)}@example.com"
    sign_up_and_confirm(page, app_url, email=email, password=PASSWORD)
    found: dict[str, list[str]] = {}

    # The checkout dialog, opened as a buyer opens it.
    open_page(page, f"{app_url}/mira/golden-hour-lightroom-presets")
    page.get_by_role("button", name="Buy now").click()
    checkout = page.get_by_role("dialog", name="Checkout")
    expect(checkout.get_by_label("Email for your receipt and downloads")).to_be_visible()
    found["the checkout dialog"] = _serious_violations(page)
    checkout.get_by_label("Email for your receipt and downloads").fill(email)
    checkout.get_by_role("button", name="Continue to payment").click()
    _pay_on_the_sandbox_page(page, found, "a product")

    # The paid order's page.
    see_receipt(page)
    expect(page.get_by_role("link", name="Download README.txt")).to_be_visible()
    found["the order page"] = _serious_violations(page)

    # The membership join dialog, then the library with the purchase and the membership.
    open_page(page, f"{app_url}/mira")
    page.get_by_role("button", name="Join Darkroom Club").click()
    join = page.get_by_role("dialog")
    expect(join.get_by_role("button", name="Continue to payment")).to_be_visible()
    found["the membership join dialog"] = _serious_violations(page)
    join.get_by_role("button", name="Continue to payment").click()
    _pay_on_the_sandbox_page(page, found, "a membership")
    page.wait_for_url(lambda url: "/sandbox/pay/" not in url, timeout=30_000)

    membership = page.get_by_role("article", name="Darkroom Club membership with Mira Costa")
    for _ in range(30):  # the membership turns live when the payment's webhook has been handled
        open_page(page, f"{app_url}/library")
        expect(page.get_by_role("heading", name="Memberships", exact=True)).to_be_visible()
        if membership.count() > 0:
            break
        page.wait_for_timeout(1000)
    expect(membership).to_be_visible()
    expect(page.get_by_text("Golden Hour Lightroom Presets").first).to_be_visible()
    found["the library"] = _serious_violations(page)

    membership.get_by_role("button", name="Change tier").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    found["the library's change-tier dialog"] = _serious_violations(page)
    _assert_none(found)


DASHBOARD_PAGES = {
    "/dashboard": "Dashboard",
    "/dashboard/orders": "Orders",
    "/dashboard/products": "Products",
    "/dashboard/audience": "Audience",
    "/dashboard/members": "Members",
    "/dashboard/tiers": "Membership tiers",
    "/dashboard/posts": "Posts",
    "/dashboard/tips": "Tips",
    "/dashboard/discounts": "Discounts",
    "/dashboard/payouts": "Payouts",
    "/dashboard/statements": "Statements",
    "/dashboard/storefront": "Storefront",
}


def test_the_creator_dashboard_has_no_serious_axe_violations(page: Page, app_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    open_page(page, f"{app_url}/signin?next=/dashboard")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("group", name="Revenue", exact=True)).to_be_visible(timeout=15_000)
    # The overview's wide tables scroll sideways in a region that keyboard users can focus (then the browser
    # scrolls it with the arrow keys).
    referrers = page.get_by_role("region", name="Top referrers")
    expect(referrers).to_have_attribute("tabindex", "0")
    referrers.focus()
    expect(referrers).to_be_focused()

    found: dict[str, list[str]] = {}
    for path, heading in DASHBOARD_PAGES.items():
        open_page(page, f"{app_url}{path}")
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        found[path] = _serious_violations(page)

    # One order's page, one product's editor and one post's editor, reached by clicking as the creator does.
    open_page(page, f"{app_url}/dashboard/orders")
    page.get_by_role("table").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/dashboard/orders/."))
    page.wait_for_load_state("networkidle")
    found["/dashboard/orders/<ref>"] = _serious_violations(page)
    open_page(page, f"{app_url}/dashboard/products")
    page.get_by_role("link", name="Golden Hour Lightroom Presets", exact=True).click()
    expect(page.get_by_role("heading", name="Edit product")).to_be_visible()
    found["/dashboard/products/<id>"] = _serious_violations(page)
    open_page(page, f"{app_url}/dashboard/posts")
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Edit post")).to_be_visible()
    found["/dashboard/posts/<id>"] = _serious_violations(page)
    _assert_none(found)
