"""Stamp a one-line licence footer on every page of a PDF (social DRM), with pypdf alone.

Limits, by design:
- Encrypted PDFs are returned unchanged: we cannot re-save them without the owner password, and
  decrypting them would strip the creator's own protection.
- PDFs bigger than MAX_STAMPED_BYTES are returned unchanged (the whole file is held in memory).
- A file pypdf cannot read is returned unchanged; a buyer still gets what the creator uploaded.
The footer uses Helvetica (a standard font every reader has) in WinAnsi encoding; characters
outside it are drawn as "?".
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ContentStream, DictionaryObject, NameObject

MAX_STAMPED_BYTES = 50 * 1024 * 1024
FONT_SIZE = 7
_MARGIN = 14
_FONT_NAME = "/CreatorlyStampFont"
_READ_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError)


def stamp_pdf(data: bytes, *, text: str) -> bytes:
    """The PDF with `text` drawn small and grey at the bottom of every page, or `data` itself when refused."""
    if len(data) > MAX_STAMPED_BYTES:
        return data
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return data
        writer = PdfWriter(clone_from=reader)
        for page in writer.pages:
            _stamp_page(page, text)
        output = io.BytesIO()
        writer.write(output)
    except _READ_ERRORS:
        return data
    return output.getvalue()


def _stamp_page(page: PageObject, text: str) -> None:
    if page.rotation:
        page.transfer_rotation_to_content()  # so the footer lands at the bottom as the reader sees it
    box = page.cropbox
    overlay = PageObject.create_blank_page(width=float(box.right), height=float(box.top))
    overlay[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject(_FONT_NAME): _helvetica()})}
    )
    content = ContentStream(None, None)
    content.set_data(_footer_operators(text, left=float(box.left), bottom=float(box.bottom)))
    overlay.replace_contents(content)
    page.merge_page(overlay, over=True)


def _helvetica() -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _footer_operators(text: str, *, left: float, bottom: float) -> bytes:
    # A hex string needs no escaping of parentheses or backslashes in the buyer's email.
    encoded = text.encode("cp1252", errors="replace").hex().upper()
    x, y = left + _MARGIN, bottom + _MARGIN / 2
    return f"q 0.45 g BT {_FONT_NAME} {FONT_SIZE} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm <{encoded}> Tj ET Q\n".encode("ascii")
