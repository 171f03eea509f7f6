"""State of `/dev/mailbox`: the outbox, for local use on the embedded default only."""

from __future__ import annotations

import re
from dataclasses import dataclass

import reflex as rx

from creatorly.config import settings
from creatorly.errors import CreatorlyError
from creatorly.services.email import service as email_service
from creatorly.services.email.schemas import OutboxAttachmentInfo
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class MailboxAttachment:
    id: int = 0
    email_id: int = 0
    filename: str = ""
    label: str = ""  # "invite.ics · text/calendar · 2 KB"


@dataclass
class MailboxMessage:
    id: int = 0
    to_address: str = ""
    subject: str = ""
    body: str = ""
    sent: str = ""
    status: str = ""
    links: list[str] | None = None
    attachments: list[MailboxAttachment] | None = None


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
                attachments=[_attachment(message.id, info) for info in message.attachments],
            )
            for message in outbox
        ]
        self.is_loading = False

    @rx.event
    async def download_attachment(self, email_id: int, attachment_id: int) -> Events:
        # Same guard as the listing, checked again here: an event can be sent without the page.
        if not settings.is_sandbox_mode:
            yield toast.error("The Dev mailbox is not available here.")
            return
        try:
            attachment = await email_service.get_outbox_attachment(email_id=email_id, attachment_id=attachment_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(data=attachment.content, filename=attachment.filename, mime_type=attachment.content_type)


def _attachment(email_id: int, info: OutboxAttachmentInfo) -> MailboxAttachment:
    size = f"{info.size_bytes} B" if info.size_bytes < 1024 else f"{info.size_bytes // 1024} KB"
    return MailboxAttachment(
        id=info.id, email_id=email_id, filename=info.filename, label=f"{info.filename} · {info.content_type} · {size}"
    )
