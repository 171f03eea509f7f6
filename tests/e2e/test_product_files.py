"""A creator uploads a file, tries to upload the very same file again and is told it is already there, then
removes it only after confirming (Cancel keeps it)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import TEST_DATA_DIR
from tests.e2e.helpers import open_storefront_with_product, sign_up_and_confirm

PASSWORD = "correct horse battery staple"
SCREENSHOTS = TEST_DATA_DIR / "screenshots"


def _pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + secrets.token_bytes(40_000))
    return path


def _choose(page: Page, path: Path) -> None:
    """Click the drop zone and pick `path` in the file dialog, as a person does (the field forgets its last file)."""
    with page.expect_file_chooser() as chooser:
        page.get_by_text("Drop a file here, or click to choose").click()
    chooser.value.set_files(str(path))


def test_a_file_is_attached_once_and_removed_only_after_confirming(page: Page, app_url: str, tmp_path: Path) -> None:
    handle = f"lumen{secrets.token_hex(3)}"
    sign_up_and_confirm(page, app_url, email=f"{handle}@example.com", password=PASSWORD, name="Lumen Ray")
    open_storefront_with_product(page, app_url, handle=handle, title="Field Guide", price="8")
    guide = _pdf(tmp_path / "field-guide.pdf")
    rows = page.get_by_role("row", name=re.compile("field-guide.pdf"))

    _choose(page, guide)
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_text("field-guide.pdf uploaded.")).to_be_visible()
    expect(rows).to_have_count(1)

    # The very same file again: refused, said so, and still one file listed.
    _choose(page, guide)
    page.get_by_role("button", name="Upload file").click()
    expect(
        page.get_by_role("alert").filter(has_text="field-guide.pdf is already attached to this product").first
    ).to_be_visible()
    expect(rows).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "product-file-already-attached.png"), full_page=True)

    # Remove asks first; Cancel keeps the file.
    page.get_by_role("button", name="Remove field-guide.pdf").click()
    dialog = page.get_by_role("alertdialog", name="Remove field-guide.pdf?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("field-guide.pdf will be deleted from this product")
    page.screenshot(path=str(SCREENSHOTS / "product-file-remove-dialog.png"))
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(rows).to_have_count(1)

    # Confirming removes it.
    page.get_by_role("button", name="Remove field-guide.pdf").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Remove file").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("File removed.")).to_be_visible()
    expect(rows).to_have_count(0)
    expect(page.get_by_text("No files yet.")).to_be_visible()
