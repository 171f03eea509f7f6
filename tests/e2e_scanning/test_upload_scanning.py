"""A creator uploads the EICAR test file in the product editor and sees it found infected and removed; a clean file
next to it turns "Clean"; publishing is refused while the infected file is attached."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.clamd import EICAR, REPORTED_SIGNATURE
from tests.conftest import TEST_DATA_DIR
from tests.e2e.helpers import open_storefront_with_product, sign_up_and_confirm
from tests.e2e_scanning.conftest import ScanningApp

PASSWORD = "correct horse battery staple"
SCREENSHOTS = TEST_DATA_DIR / "screenshots"


def _choose(page: Page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Drop a file here, or click to choose").click()
    chooser.value.set_files(str(path))


def _upload(page: Page, path: Path) -> None:
    _choose(page, path)
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_text(f"{path.name} uploaded.").first).to_be_visible()


def test_an_infected_upload_is_shown_removed_and_a_clean_one_clean(
    page: Page, scanning_app: ScanningApp, tmp_path: Path
) -> None:
    handle = f"vera{secrets.token_hex(3)}"
    sign_up_and_confirm(page, scanning_app.url, email=f"{handle}@example.com", password=PASSWORD, name="Vera Lind")
    open_storefront_with_product(page, scanning_app.url, handle=handle, title="Safe Pack", price="6")
    page.get_by_role("button", name="Unpublish").click()
    expect(page.get_by_text("Moved back to drafts.")).to_be_visible()

    infected = tmp_path / "eicar.txt"
    infected.write_bytes(EICAR)
    _upload(page, infected)
    infected_row = page.get_by_role("row", name=re.compile("eicar.txt"))
    expect(infected_row).to_contain_text(f"Infected: {REPORTED_SIGNATURE} — removed", timeout=30_000)
    expect(page.get_by_text(f"eicar.txt was removed: the virus check found {REPORTED_SIGNATURE}.")).to_be_visible()

    clean = tmp_path / "guide.pdf"
    clean.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + secrets.token_bytes(20_000))
    _upload(page, clean)
    expect(page.get_by_role("row", name=re.compile("guide.pdf"))).to_contain_text("Clean", timeout=30_000)

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"eicar.txt was found infected ({REPORTED_SIGNATURE}) and removed.")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "product-files-scanning.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(infected_row).to_contain_text("removed")
    page.screenshot(path=str(SCREENSHOTS / "product-files-scanning-phone.png"), full_page=True)
