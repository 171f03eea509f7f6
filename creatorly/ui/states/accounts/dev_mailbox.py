"""State of `/dev/mailbox`: the outbox, for local use on the embedded default only."""

from __future__ import annotations

import re
from dataclasses import dataclass

import reflex as rx

from creatorly.config import settings
from creatorly.services.email import service as email_service

_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class MailboxMessage:
    id: int = 0
    to_address: str = ""
    subject: str = ""
    body: str = ""
    sent: str = ""
    status: str = ""
    links: list[str] | None = None


class DevMailboxState(rx.State):
    is_available: bool = False
    is_loading: bool = True
    messages: list[MailboxMessage] = []

    @rx.event
    async def load(self) -> None:
        self.is_available = settings.is_sandbox_mode
        if not self.is_available:
            self.messages, self.is_loading = [], False
            return
        outbox = await email_service.list_outbox(limit=50)
        self.messages = [
            MailboxMessage(
                id=message.id,
                to_address=message.to_address,
                subject=message.subject,
                body=message.text_body,
                sent=message.created_at.strftime("%d %b %Y, %H:%M UTC"),
                status=message.status,
                links=_LINK.findall(message.text_body),
            )
            for message in outbox
        ]
        self.is_loading = False
