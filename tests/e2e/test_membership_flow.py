"""A creator makes a tier with a monthly price and a members-only post; a visitor sees its teaser behind a lock;
a fan joins with the sandbox card, reads the whole post, comments on it and tips with a public message that shows
on the supporter wall; the creator then sees the member and the MRR in the members dashboard, and the tip."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import open_page, sign_up_and_confirm
from tests.e2e.test_tips_flow import _pay_with_sandbox_card as pay_with_sandbox_card

PASSWORD = "correct horse battery staple"
SECRET_LINE = "The secret recipe is patience and good light."
SCREENSHOTS = Path(os.environ.get("CREATORLY_SCREENSHOTS", "/tmp/creatorly-membership-shots"))


def _open_storefront(page: Page, app_url: str, handle: str) -> None:
    open_page(page, f"{app_url}/dashboard/products")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Storefront name").fill(f"{handle.title()} Studio")
    page.get_by_role("button", name="Open my storefront").click()
    expect(page.get_by_role("heading", name="Add your first product")).to_be_visible()


def _create_tier(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/dashboard/tiers")
    page.get_by_role("button", name="Create a tier").click()
    expect(page.get_by_role("heading", name="Edit tier")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Inner circle")
    page.get_by_label("Monthly", exact=True).fill("5")
    page.get_by_label("Benefits", exact=True).fill("Members-only posts\nMonthly studio notes")
    page.get_by_role("button", name="Save tier").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published on your storefront.")).to_be_visible()
    open_page(page, f"{app_url}/dashboard/tiers")
    row = page.get_by_role("row").filter(has_text="Inner circle")
    expect(row).to_contain_text("$5.00 / month")
    expect(row).to_contain_text("published")


def _create_members_post(page: Page, app_url: str) -> None:
    open_page(page, f"{app_url}/dashboard/posts")
    page.get_by_role("button", name="Write a post").click()
    expect(page.get_by_role("heading", name="Edit post")).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Studio notes")
    page.get_by_label("Address", exact=True).fill("studio-notes")
    page.get_by_label("Teaser", exact=True).fill("A peek behind the scenes.")
    page.get_by_label("Body", exact=True).fill(f"**{SECRET_LINE}**")
    page.get_by_role("radio", name="All members").click()
    page.get_by_label("State", exact=True).select_option("published")
    page.get_by_role("button", name="Save post").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    open_page(page, f"{app_url}/dashboard/posts")
    row = page.get_by_role("row").filter(has_text="Studio notes")
    expect(row).to_contain_text("published")
    expect(row).to_contain_text("All members")


def _screenshots(page: Page, url: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page.set_viewport_size(size)
        open_page(page, url)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _visitor_sees_the_lock(page: Page, app_url: str, handle: str) -> None:
    open_page(page, f"{app_url}/{handle}")
    expect(page.get_by_role("heading", name="Memberships")).to_be_visible()
    tier = page.get_by_role("article", name="Inner circle")
    expect(tier).to_contain_text("$5.00 / month")
    expect(tier).to_contain_text("Monthly studio notes")
    post = page.get_by_role("article", name="Studio notes")
    expect(post).to_contain_text("A peek behind the scenes.")
    expect(post.get_by_role("link", name="Join to read")).to_be_visible()
    _screenshots(page, f"{app_url}/{handle}", "storefront-visitor")

    open_page(page, f"{app_url}/{handle}/posts/studio-notes")
    expect(page.get_by_role("heading", name="Studio notes")).to_be_visible()
    expect(page.get_by_text("A peek behind the scenes.")).to_be_visible()
    expect(page.get_by_role("link", name="Join to read")).to_be_visible()
    expect(page.get_by_text(SECRET_LINE)).to_have_count(0)
    _screenshots(page, f"{app_url}/{handle}/posts/studio-notes", "post-locked")


def _join_with_sandbox_card(page: Page, app_url: str, handle: str) -> None:
    open_page(page, f"{app_url}/{handle}")
    page.get_by_role("button", name="Join Inner circle").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("radio", name="$5.00 / month")).to_be_checked()
    dialog.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(re.compile(r"/sandbox/pay/"))
    page.wait_for_selector('#app-ready[data-ready="true"]', state="attached")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Ada Fan")
    page.get_by_role("button", name=re.compile(r"^(Pay|Save|Start|Subscribe)")).click()
    page.wait_for_url(lambda url: "/sandbox/pay/" not in url, timeout=30_000)


def _member_reads_and_comments(page: Page, app_url: str, handle: str) -> None:
    post_url = f"{app_url}/{handle}/posts/studio-notes"
    for _ in range(30):  # the subscription turns live when the payment's webhook has been handled
        open_page(page, post_url)
        if page.get_by_text(SECRET_LINE).count() > 0:
            break
        page.wait_for_timeout(1000)
    expect(page.get_by_text(SECRET_LINE)).to_be_visible()
    page.get_by_label("Add a comment").fill("Thank you! <b>so good</b>")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Thank you! so good")).to_be_visible()
    _screenshots(page, post_url, "post-member")


def _member_tips_with_a_public_message(page: Page, app_url: str, handle: str, *, email: str, message: str) -> None:
    open_page(page, f"{app_url}/{handle}")
    tip = page.locator("#tip")
    tip.get_by_label("Or your own amount").fill("3")
    tip.get_by_label("Message (optional)").fill(message)
    tip.get_by_label("Your name (shown with your tip)").fill("Ada Fan")
    tip.get_by_label("Email for your receipt").fill(email)
    tip.get_by_role("button", name="Send tip").click()
    pay_with_sandbox_card(page)
    page.wait_for_url(re.compile(r"/orders/"))
    expect(page.get_by_role("heading", name="Thank you for your tip!")).to_be_visible(timeout=30_000)
    open_page(page, f"{app_url}/{handle}")
    wall = page.get_by_test_id("supporter-wall")
    expect(wall.get_by_text(message)).to_be_visible(timeout=15_000)
    expect(wall.locator("li").filter(has_text=message).get_by_text("Ada Fan")).to_be_visible()


def _creator_sees_the_member_the_mrr_and_the_tip(page: Page, app_url: str, *, fan_email: str, message: str) -> None:
    open_page(page, f"{app_url}/dashboard/members")
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    expect(page.get_by_role("group", name="MRR")).to_contain_text("$5.00")
    expect(page.get_by_role("group", name="Active members")).to_contain_text("1")
    member = page.get_by_role("region", name="Members list").get_by_role("row").filter(has_text=fan_email)
    expect(member).to_contain_text("Inner circle")
    expect(member.get_by_text("Active", exact=True)).to_be_visible()
    expect(member).to_contain_text("$5.00 / month")
    expect(member.get_by_role("cell").last).to_have_text("$5.00")  # lifetime value: the first charge
    by_tier = (
        page.get_by_role("region", name="Members and MRR by tier").get_by_role("row").filter(has_text="Inner circle")
    )
    expect(by_tier.get_by_role("cell")).to_have_text(["1", "$5.00"])
    page.get_by_label("Status", exact=True).select_option("trialing")
    expect(page.get_by_text("No members match")).to_be_visible()
    page.get_by_label("Status", exact=True).select_option("active")
    expect(member).to_be_visible()
    _screenshots(page, f"{app_url}/dashboard/members", "dashboard-members")

    open_page(page, f"{app_url}/dashboard/tips")
    tip = page.get_by_role("row").filter(has_text=message)
    expect(tip).to_be_visible()
    expect(tip.get_by_text("$3.00")).to_be_visible()
    expect(tip.get_by_text("Public", exact=True)).to_be_visible()


def _creator_blocks_the_commenter(page: Page, app_url: str, handle: str) -> None:
    open_page(page, f"{app_url}/{handle}/posts/studio-notes")
    comment = page.get_by_role("listitem").filter(has_text="Thank you! so good")
    comment.get_by_role("button", name="Block commenter").click()
    expect(page.get_by_text("Blocked: they can't comment on your posts any more.")).to_be_visible()
    expect(comment.get_by_text("blocked", exact=True)).to_be_visible()
    expect(comment.get_by_text("hidden", exact=True)).to_be_visible()


def test_a_fan_joins_a_tier_and_the_members_post_unlocks(page: Page, browser: Browser, app_url: str) -> None:
    handle = f"studio{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Studio Owner")
    _open_storefront(page, app_url, handle)
    _create_tier(page, app_url)
    _create_members_post(page, app_url)
    open_page(page, f"{app_url}/dashboard/members")
    expect(page.get_by_role("heading", name="No members yet")).to_be_visible()
    expect(page.get_by_role("link", name="Go to tiers")).to_have_attribute("href", "/dashboard/tiers")
    _screenshots(page, f"{app_url}/dashboard/members", "dashboard-members-empty")

    visitor = browser.new_context(viewport={"width": 1280, "height": 900})
    _visitor_sees_the_lock(visitor.new_page(), app_url, handle)
    visitor.close()

    fan_context = browser.new_context(viewport={"width": 1280, "height": 900})
    fan = fan_context.new_page()
    sign_up_and_confirm(fan, app_url, email=f"fan-{handle}@example.com", password=PASSWORD, name="Ada Fan")
    _join_with_sandbox_card(fan, app_url, handle)
    _member_reads_and_comments(fan, app_url, handle)
    message = f"Thanks for the studio notes {secrets.token_hex(3)}"
    _member_tips_with_a_public_message(fan, app_url, handle, email=f"fan-{handle}@example.com", message=message)

    _creator_blocks_the_commenter(page, app_url, handle)
    open_page(fan, f"{app_url}/{handle}/posts/studio-notes")
    expect(fan.get_by_text(SECRET_LINE)).to_be_visible()
    expect(fan.get_by_text("Thank you! so good")).to_have_count(0)
    expect(fan.get_by_text("You can't comment on this creator's posts.")).to_be_visible()
    fan_context.close()

    _screenshots(page, f"{app_url}/dashboard/tiers", "dashboard-tiers")
    _screenshots(page, f"{app_url}/dashboard/posts", "dashboard-posts")
    open_page(page, f"{app_url}/dashboard/tiers")
    members_cell = page.get_by_role("row").filter(has_text="Inner circle").get_by_role("cell").nth(3)
    expect(members_cell).to_have_text("1")
    _creator_sees_the_member_the_mrr_and_the_tip(page, app_url, fan_email=f"fan-{handle}@example.com", message=message)
