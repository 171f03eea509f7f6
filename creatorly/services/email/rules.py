"""Pure rules for email: when to try again, and which attachments may be sent."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from creatorly.providers.email.base import Attachment
from creatorly.services.email.errors import AttachmentRejected

MAX_BACKOFF_SECONDS = 3600.0
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 1024 * 1024
MAX_FILENAME_LENGTH = 200
MAX_CONTENT_TYPE_LENGTH = 100
FALLBACK_FILENAME = "attachment"

# A bare RFC 6838 media type: mail parameters (method=, charset=) are the transport's business.
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")


def backoff_seconds(attempt: int, *, base_seconds: float) -> float:
    """Exponential backoff after the given failed attempt (1-based), capped at an hour."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    return min(base_seconds * float(2 ** (attempt - 1)), MAX_BACKOFF_SECONDS)


def checked_attachments(attachments: Sequence[Attachment]) -> tuple[Attachment, ...]:
    """The attachments as they will be stored, or AttachmentRejected before anything is written."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise AttachmentRejected(f"An email can carry at most {MAX_ATTACHMENTS} attachments.")
    return tuple(_checked(attachment) for attachment in attachments)


def _checked(attachment: Attachment) -> Attachment:
    if len(attachment.content) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRejected(f"{attachment.filename!r} is larger than 1 MB.")
    content_type = attachment.content_type.strip().lower()
    if len(content_type) > MAX_CONTENT_TYPE_LENGTH or not _MEDIA_TYPE.match(content_type):
        raise AttachmentRejected(f"{attachment.content_type!r} is not a media type.")
    return Attachment(
        filename=sanitized_filename(attachment.filename), content_type=content_type, content=attachment.content
    )


def sanitized_filename(filename: str) -> str:
    """A name a mail client can save safely: the last path part, no control characters, at most 200 chars.

    Receiving clients join the name onto a download folder, so separators and `..` must never survive.
    """
    last_part = re.split(r"[/\\]", filename)[-1]
    visible = "".join(character for character in last_part if unicodedata.category(character)[0] != "C")
    cleaned = visible.strip().strip(".").strip()
    if not cleaned:
        return FALLBACK_FILENAME
    if len(cleaned) <= MAX_FILENAME_LENGTH:
        return cleaned
    stem, dot, extension = cleaned.rpartition(".")
    if dot and 0 < len(extension) <= 10:
        return f"{stem[: MAX_FILENAME_LENGTH - len(extension) - 1]}.{extension}"
    return cleaned[:MAX_FILENAME_LENGTH]
