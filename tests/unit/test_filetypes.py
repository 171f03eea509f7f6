"""Product file types come from content alone; stored names and Content-Disposition values are safe."""

from __future__ import annotations

import io
import struct
import wave
import zipfile
from urllib.parse import unquote

import pytest
from PIL import Image

from creatorly.kit.filetypes import (
    EPUB,
    HEAD_SIZE,
    JPEG,
    M4A,
    MP3,
    MP4,
    PDF,
    PNG,
    TEXT,
    WAV,
    ZIP,
    FileKind,
    content_disposition,
    detect_file_kind,
    safe_original_name,
)

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"


def _zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, compression in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, content)
    return buffer.getvalue()


def _epub() -> bytes:
    return _zip(
        [
            ("mimetype", b"application/epub+zip", zipfile.ZIP_STORED),
            ("META-INF/container.xml", b"<container/>" * 20, zipfile.ZIP_DEFLATED),
        ]
    )


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\x00\x01" * 800)
    return buffer.getvalue()


def _image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, image_format)
    return buffer.getvalue()


def _ftyp(major_brand: bytes, *compatible_brands: bytes) -> bytes:
    body = major_brand + struct.pack(">I", 512) + b"".join(compatible_brands)
    box = struct.pack(">I", 8 + len(body)) + b"ftyp" + body
    return box + struct.pack(">I", 16) + b"free" + b"\x00" * 8 + struct.pack(">I", 8) + b"mdat"


MINIMAL_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ID3_MP3 = b"ID3\x04\x00\x00\x00\x00\x02\x01" + b"\x00" * 257 + b"\xff\xfb\x90\x64" + b"\x00" * 413
FRAME_SYNC_MP3 = b"\xff\xfb\x90\x64" + b"\x00" * 413 + b"\xff\xfb\x90\x64" + b"\x00" * 413


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (MINIMAL_PDF, PDF),
        (_zip([("readme.txt", b"hello " * 50, zipfile.ZIP_DEFLATED)]), ZIP),
        (_epub(), EPUB),
        (ID3_MP3, MP3),
        (FRAME_SYNC_MP3, MP3),
        (_wav(), WAV),
        (_ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), MP4),
        (_ftyp(b"mp42", b"mp42", b"isom"), MP4),
        (_ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), M4A),
        (_image("PNG"), PNG),
        (_image("JPEG"), JPEG),
        ("Chapter 1\n\nIt was a dark and stormy night — café ✓\n".encode(), TEXT),
    ],
)
def test_each_allowed_type_is_detected_from_realistic_bytes(content: bytes, expected: FileKind) -> None:
    assert detect_file_kind(content) == expected


def test_detected_kinds_carry_mime_type_and_extension() -> None:
    assert detect_file_kind(_epub()) == FileKind("EPUB", "application/epub+zip", "epub")
    assert detect_file_kind(_image("JPEG")) == FileKind("JPEG", "image/jpeg", "jpg")
    assert detect_file_kind(b"notes\n") == FileKind("Text", "text/plain; charset=utf-8", "txt")


def test_utf8_text_cut_in_the_middle_of_a_character_is_still_text() -> None:
    # given: a head that ends after the first byte of a three-byte character
    content = b"a" * (HEAD_SIZE - 1) + "✓ done".encode()
    head = content[:HEAD_SIZE]
    assert head[-1:] == b"\xe2"

    # when / then
    assert detect_file_kind(head) == TEXT


def test_only_the_first_head_size_bytes_are_read() -> None:
    content = b"plain words\n" * 1000 + b"\x00\x01\x02"

    assert len(content) > HEAD_SIZE
    assert detect_file_kind(content) == TEXT


def test_a_zip_whose_mimetype_entry_is_compressed_is_a_plain_zip() -> None:
    content = _zip([("mimetype", b"application/epub+zip" * 5, zipfile.ZIP_DEFLATED)])

    assert detect_file_kind(content) == ZIP


@pytest.mark.parametrize(
    ("label", "content"),
    [
        ("ELF executable (uploaded as cover.png)", ELF),
        ("Windows PE executable (uploaded as book.pdf)", PE),
        ("PE with a PDF header further in", PE + MINIMAL_PDF),
        ("Mach-O executable", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 100),
        ("shell script", b"#!/bin/sh\nrm -rf ~\n"),
        ("script behind a BOM", b"\xef\xbb\xbf#!/usr/bin/env python\nprint(1)\n"),
        ("HTML page", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("SVG image", b'  <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("XML document", b'<?xml version="1.0"?><a/>'),
        ("QuickTime MOV", _ftyp(b"qt  ", b"qt  ")),
        ("HEIC photo", _ftyp(b"heic", b"mif1", b"heic")),
        ("DOCX", _zip([("[Content_Types].xml", b"<Types/>", 8), ("word/document.xml", b"<w/>", 8)])),
        ("GIF image", _image("GIF")),
        ("Latin-1 text", "café au lait".encode("latin-1")),
        ("UTF-16 text", "hello".encode("utf-16")),
        ("text with a NUL byte", b"hello\x00world"),
        ("mostly control characters", b"\x1b[31m" * 10 + b"\x07\x08" * 20),
        ("ID3 without a valid version", b"ID3 is a tag format\x00\x00"),
        ("empty file", b""),
    ],
)
def test_everything_else_is_refused(label: str, content: bytes) -> None:
    # detect_file_kind never sees the uploader's filename, so a renamed file cannot change the verdict
    assert detect_file_kind(content) is None, label


def test_text_that_merely_mentions_a_shebang_later_is_text() -> None:
    assert detect_file_kind(b"# Setup\n\nStart scripts with #!/bin/sh\n") == TEXT


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\evil\\x.exe", "x.exe"),
        ("\x00name.pdf", "name.pdf"),
        ("folder/sub/My Book (v2).epub", "My Book (v2).epub"),
        ("line\nbreak\t.txt", "linebreak.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        (".htaccess", "htaccess"),
        ("...hidden.zip", "hidden.zip"),
        ("..", "file"),
        ("../", "file"),
        ("", "file"),
        ("  ", "file"),
        ("nai\u0308ve.pdf", "naïve.pdf"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
        ("b" * 300, "b" * 150),
    ],
)
def test_safe_original_name(given: str, expected: str) -> None:
    assert safe_original_name(given) == expected


def test_safe_original_name_keeps_within_150_characters() -> None:
    assert len(safe_original_name("x" * 1000 + ".epub")) == 150


def test_content_disposition_has_an_ascii_fallback_and_a_utf8_name() -> None:
    # given
    name = 'naïve résumé "final".pdf'

    # when
    value = content_disposition(name)

    # then
    assert value == (
        "attachment; filename=\"naive resume 'final'.pdf\"; "
        "filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9%20%22final%22.pdf"
    )
    assert unquote(value.split("UTF-8''", 1)[1]) == name


def test_content_disposition_inline_and_path_stripped() -> None:
    assert content_disposition("..\\secret\\notes.txt", inline=True) == (
        "inline; filename=\"notes.txt\"; filename*=UTF-8''notes.txt"
    )


def test_content_disposition_replaces_percent_and_names_without_ascii_letters() -> None:
    assert content_disposition("100% 日本.pdf") == (
        "attachment; filename=\"100_ Ri Ben.pdf\"; filename*=UTF-8''100%25%20%E6%97%A5%E6%9C%AC.pdf"
    )
    assert content_disposition("📘.pdf") == "attachment; filename=\"file.pdf\"; filename*=UTF-8''%F0%9F%93%98.pdf"


def test_content_disposition_replaces_quotes_and_encodes_semicolons() -> None:
    assert content_disposition('a"b;c.txt') == ("attachment; filename=\"a'b;c.txt\"; filename*=UTF-8''a%22b%3Bc.txt")
