"""The PDF stamp: a footer on every page, the rest untouched; encrypted, unreadable and huge files unchanged."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from creatorly.kit import pdf_stamp
from creatorly.kit.pdf_stamp import stamp_pdf

TEXT = "Licensed to fan+(test)\\@example.com · Order ord_0123abcd"


def _pdf(*sizes: tuple[float, float], rotate_last: bool = False) -> bytes:
    writer = PdfWriter()
    for width, height in sizes:
        writer.add_blank_page(width=width, height=height)
    if rotate_last:
        writer.pages[-1].rotate(90)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_every_page_of_a_multi_page_pdf_carries_the_footer() -> None:
    original = _pdf((612, 792), (300, 400), (842, 595), rotate_last=True)

    stamped = stamp_pdf(original, text=TEXT)

    reader = PdfReader(io.BytesIO(stamped))
    assert len(reader.pages) == 3
    assert [page.extract_text() for page in reader.pages] == [TEXT, TEXT, TEXT]
    assert [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages[:2]] == [
        (612, 792),
        (300, 400),
    ]


def test_existing_text_is_kept_alongside_the_footer() -> None:
    first = stamp_pdf(_pdf((612, 792)), text="Chapter one")

    twice = stamp_pdf(first, text=TEXT)

    # Both lines sit at the same spot, so the extractor runs them together.
    assert PdfReader(io.BytesIO(twice)).pages[0].extract_text() == "Chapter one" + TEXT


def test_characters_outside_the_font_become_question_marks() -> None:
    stamped = stamp_pdf(_pdf((612, 792)), text="Licensed to 李@example.com")

    assert PdfReader(io.BytesIO(stamped)).pages[0].extract_text() == "Licensed to ?@example.com"


def test_an_encrypted_pdf_is_returned_unchanged() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf((612, 792), (612, 792)))))
    writer.encrypt(user_password="", owner_password="owner")
    output = io.BytesIO()
    writer.write(output)
    encrypted = output.getvalue()

    assert stamp_pdf(encrypted, text=TEXT) is encrypted


def test_an_unreadable_file_is_returned_unchanged() -> None:
    broken = b"%PDF-1.7\nnot really a pdf"

    assert stamp_pdf(broken, text=TEXT) is broken


def test_a_file_over_the_limit_is_returned_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    original = _pdf((612, 792))
    assert pdf_stamp.MAX_STAMPED_BYTES == 50 * 1024 * 1024

    monkeypatch.setattr(pdf_stamp, "MAX_STAMPED_BYTES", len(original) - 1)

    assert stamp_pdf(original, text=TEXT) is original
