"""The interface every email transport implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message; `content_type` is the bare media type (`text/calendar`), no parameters."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    sender: str
    to_address: str
    subject: str
    text_body: str
    html_body: str = ""
    message_id: str = ""
    attachments: tuple[Attachment, ...] = ()


class Mailer(Protocol):
    name: str

    def send(self, email: OutgoingEmail) -> None:
        """Deliver one message or raise ProviderError(is_retryable=...)."""
        ...
