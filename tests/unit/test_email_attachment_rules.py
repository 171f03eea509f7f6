"""Attachment rules: at most 5, each at most 1 MB, a bare media type, and a filename that is safe to save."""

from __future__ import annotations

import pytest

from creatorly.providers.email.base import Attachment
from creatorly.services.email.errors import AttachmentRejected
from creatorly.services.email.rules import MAX_ATTACHMENT_BYTES, checked_attachments, sanitized_filename


def _file(filename: str = "invite.ics", content_type: str = "text/calendar", size: int = 10) -> Attachment:
    return Attachment(filename=filename, content_type=content_type, content=b"x" * size)


def test_five_attachments_of_one_megabyte_each_are_taken_as_they_are() -> None:
    attachments = [_file(f"part-{number}.bin", "application/octet-stream", MAX_ATTACHMENT_BYTES) for number in range(5)]
    assert checked_attachments(attachments) == tuple(attachments)


def test_no_attachments_is_fine() -> None:
    assert checked_attachments(()) == ()


def test_a_sixth_attachment_is_refused() -> None:
    with pytest.raises(AttachmentRejected, match="at most 5 attachments"):
        checked_attachments([_file() for _ in range(6)])


def test_an_attachment_over_one_megabyte_is_refused() -> None:
    with pytest.raises(AttachmentRejected, match="larger than 1 MB"):
        checked_attachments([_file(size=MAX_ATTACHMENT_BYTES + 1)])


@pytest.mark.parametrize(
    "content_type", ["", "text", "text/calendar; method=REQUEST", "text/cal endar", "a/b\r\nBcc: x@example.com"]
)
def test_anything_but_a_bare_media_type_is_refused(content_type: str) -> None:
    with pytest.raises(AttachmentRejected):
        checked_attachments([_file(content_type=content_type)])


def test_the_media_type_is_lowercased() -> None:
    assert checked_attachments([_file(content_type=" Text/Calendar ")])[0].content_type == "text/calendar"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("invite.ics", "invite.ics"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\fan\\invite.ics", "invite.ics"),
        ("a/b\\c.txt", "c.txt"),
        ("in\r\nvite\x00.ics", "invite.ics"),
        ("tab\there.ics", "tabhere.ics"),
        ("Zoë Ørsted – 1:1.ics", "Zoë Ørsted – 1:1.ics"),
        ("..", "attachment"),
        ("dir/", "attachment"),
        ("   ", "attachment"),
        ("", "attachment"),
        (".hidden", "hidden"),
    ],
)
def test_filenames_lose_their_path_and_control_characters(raw: str, expected: str) -> None:
    assert sanitized_filename(raw) == expected


def test_a_long_filename_is_cut_to_200_characters_keeping_its_extension() -> None:
    cleaned = sanitized_filename("a" * 300 + ".ics")
    assert (len(cleaned), cleaned[-4:]) == (200, ".ics")


def test_the_stored_attachment_carries_the_sanitised_name() -> None:
    assert checked_attachments([_file("../invite\n.ics")])[0].filename == "invite.ics"
