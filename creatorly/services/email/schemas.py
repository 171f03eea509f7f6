"""What the email use cases return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DeliveryResult(StrEnum):
    SENT = "sent"
    RETRY_LATER = "retry_later"
    FAILED = "failed"
    SKIPPED = "skipped"  # already sent, failed for good, or another worker holds it


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    result: DeliveryResult
    retry_in_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class OutboxAttachmentInfo:
    """What the Dev mailbox shows of an attachment: enough to name and fetch it, not its bytes."""

    id: int
    filename: str
    content_type: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    to_address: str
    subject: str
    text_body: str
    html_body: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    attachments: tuple[OutboxAttachmentInfo, ...] = ()
