"""A new user opens a storefront, adds a product with a cover and a 50 MB file, publishes it, and a
visitor finds it on the storefront, on /discover and by search; the product page HTML names it."""

from __future__ import annotations

import io
import os
import re
import secrets
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_page, sign_up_and_confirm

PASSWORD = "correct horse battery staple"


def _cover(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 40, 90)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _pdf(path: Path, megabytes: int) -> Path:
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        for _ in range(megabytes):
            handle.write(os.urandom(1024 * 1024))
    return path


def test_creator_publishes_and_a_visitor_finds_the_product(page: Page, app_url: str, tmp_path: Path) -> None:
    handle = f"nova{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Nova Sky")

    # Onboard: the dashboard sends a fan to open a storefront first.
    open_page(page, f"{app_url}/dashboard/products")
    expect(page.get_by_role("heading", name="Open your storefront")).to_be_visible()
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Storefront name").fill("Nova Sky Studio")
    page.get_by_role("button", name="Open my storefront").click()
    expect(page.get_by_role("heading", name="Products")).to_be_visible()
    expect(page.get_by_role("heading", name="Add your first product")).to_be_visible()

    # Create and describe a product.
    page.get_by_role("button", name="Create a product").click()
    expect(page.get_by_role("heading", name="Edit product")).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Night Sky Presets")
    page.get_by_label("Summary", exact=True).fill("Twelve presets for stars and city lights.")
    page.get_by_label("Price (USD)", exact=True).fill("12")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    # Upload a cover and a 50 MB file, watching the progress bar.
    page.locator("#product-cover input[type=file]").set_input_files(str(_cover(tmp_path / "cover.jpg")))
    page.get_by_role("button", name="Upload cover").click()
    expect(page.get_by_role("img", name="Current cover image")).to_be_visible()
    page.locator("#product-files input[type=file]").set_input_files(str(_pdf(tmp_path / "night-sky.pdf", 50)))
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_selector('[aria-label="Upload progress"]', state="attached", timeout=30_000)
    expect(page.get_by_role("row", name=re.compile("night-sky.pdf"))).to_contain_text("50.0 MB", timeout=120_000)

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published! It's live on your storefront.")).to_be_visible()

    # An anonymous visitor finds it.
    visitor = page.context.browser.new_page()  # type: ignore[union-attr]
    open_page(visitor, f"{app_url}/{handle}")
    expect(visitor.get_by_role("heading", name="Nova Sky Studio", exact=True)).to_be_visible()
    expect(visitor.get_by_role("article", name="Night Sky Presets")).to_be_visible()
    open_page(visitor, f"{app_url}/discover")
    visitor.get_by_label("Search products").fill("night sky")
    visitor.get_by_label("Search products").press("Enter")
    expect(visitor.get_by_role("article", name="Night Sky Presets")).to_be_visible()
    visitor.get_by_role("article", name="Night Sky Presets").click()
    expect(visitor.get_by_role("heading", level=1, name="Night Sky Presets")).to_be_visible()
    expect(visitor.get_by_text("$12.00").first).to_be_visible()
    visitor.close()

    html = httpx.get(f"{app_url}/{handle}/night-sky-presets", timeout=10).text
    assert "<title>Night Sky Presets by Nova Sky Studio · Creatorly</title>" in html
    assert 'property="og:title"' in html
