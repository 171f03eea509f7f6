"""Queue emails in the sender's transaction; deliver them later, once, with retries and backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import ProviderError
from creatorly.kit.clock import utc_now
from creatorly.models import OutboxAttachment, OutboxEmail
from creatorly.models.enums import EmailStatus
from creatorly.observability import get_logger
from creatorly.providers.email.base import Attachment, OutgoingEmail
from creatorly.providers.registry import get_mailer
from creatorly.services.email import repository
from creatorly.services.email.errors import AttachmentNotFound
from creatorly.services.email.rules import backoff_seconds, checked_attachments
from creatorly.services.email.schemas import DeliveryOutcome, DeliveryResult, OutboxAttachmentInfo, OutboxMessage

DELIVER_JOB = "email.deliver"
CLAIM_LEASE = timedelta(minutes=2)
SWEEP_GRACE = timedelta(minutes=1)

logger = get_logger(__name__)


async def queue_email(
    session: AsyncSession,
    *,
    to_address: str,
    subject: str,
    text_body: str,
    html_body: str = "",
    attachments: Sequence[Attachment] = (),
) -> int:
    """Write a message (and its attachments) to the outbox in the caller's transaction; enqueue after commit.

    Attachments are checked before anything is written, so a refused one leaves no half-queued message.
    """
    checked = checked_attachments(attachments)
    email = await repository.add(
        session,
        OutboxEmail(to_address=to_address, subject=subject, text_body=text_body, html_body=html_body),
    )
    assert email.id is not None
    await repository.add_attachments(
        session,
        [
            OutboxAttachment(
                email_id=email.id,
                filename=attachment.filename,
                content_type=attachment.content_type,
                content=attachment.content,
            )
            for attachment in checked
        ],
    )
    queue.enqueue_after_commit(session, DELIVER_JOB, email.id)
    return email.id


async def deliver_email(*, email_id: int) -> DeliveryOutcome:
    """Send one outbox message if it is still pending; record the result, never sending it twice."""
    now = utc_now()
    async with db.transaction() as session:
        if not await repository.claim(session, email_id, now=now, lease_until=now + CLAIM_LEASE):
            return DeliveryOutcome(DeliveryResult.SKIPPED)
        email = await repository.get(session, email_id)
        assert email is not None
        outgoing = OutgoingEmail(
            sender=settings.email_from,
            to_address=email.to_address,
            subject=email.subject,
            text_body=email.text_body,
            html_body=email.html_body,
            message_id=f"<outbox-{email_id}@creatorly>",
            attachments=await _attachments_of(session, email_id),
        )
        attempt = email.attempts
    try:
        await asyncio.to_thread(get_mailer().send, outgoing)
    except ProviderError as error:
        return await _record_failure(email_id, attempt=attempt, error=error)
    async with db.transaction() as session:
        email = await repository.get(session, email_id)
        assert email is not None
        email.status, email.sent_at, email.claimed_until, email.last_error = EmailStatus.SENT, utc_now(), None, None
    logger.info("email_sent", email_id=email_id, attempt=attempt)
    return DeliveryOutcome(DeliveryResult.SENT)


async def _attachments_of(session: AsyncSession, email_id: int) -> tuple[Attachment, ...]:
    return tuple(
        Attachment(filename=row.filename, content_type=row.content_type, content=row.content)
        for row in await repository.attachments_of(session, [email_id])
    )


async def _record_failure(email_id: int, *, attempt: int, error: ProviderError) -> DeliveryOutcome:
    is_final = not error.is_retryable or attempt >= settings.email_max_attempts
    delay = 0.0 if is_final else backoff_seconds(attempt, base_seconds=settings.email_retry_base_seconds)
    async with db.transaction() as session:
        email = await repository.get(session, email_id)
        assert email is not None
        email.last_error, email.claimed_until = error.message, None
        if is_final:
            email.status = EmailStatus.FAILED
        else:
            email.next_attempt_at = utc_now() + timedelta(seconds=delay)
    logger.warning("email_failed", email_id=email_id, attempt=attempt, is_final=is_final, error=error.message)
    if is_final:
        return DeliveryOutcome(DeliveryResult.FAILED)
    return DeliveryOutcome(DeliveryResult.RETRY_LATER, retry_in_seconds=delay)


async def find_lost_email_ids(*, limit: int = 500) -> list[int]:
    """Pending messages whose time came a while ago and that nobody holds: their job was lost."""
    now = utc_now()
    async with db.transaction() as session:
        return list(await repository.due_ids(session, due_before=now - SWEEP_GRACE, now=now, limit=limit))


async def list_outbox(*, limit: int = 100) -> list[OutboxMessage]:
    """The newest outbox messages with their attachments' names, for the Dev mailbox."""
    async with db.transaction() as session:
        emails = await repository.latest(session, limit=limit)
        attachments = await _attachment_infos(session, [email.id for email in emails if email.id is not None])
        return [
            OutboxMessage(
                id=email.id or 0,
                to_address=email.to_address,
                subject=email.subject,
                text_body=email.text_body,
                html_body=email.html_body,
                status=email.status,
                attempts=email.attempts,
                created_at=email.created_at,
                sent_at=email.sent_at,
                last_error=email.last_error,
                attachments=attachments.get(email.id or 0, ()),
            )
            for email in emails
        ]


async def _attachment_infos(session: AsyncSession, email_ids: list[int]) -> dict[int, tuple[OutboxAttachmentInfo, ...]]:
    infos: dict[int, list[OutboxAttachmentInfo]] = {}
    for email_id, attachment_id, filename, content_type, size in await repository.attachment_names_of(
        session, email_ids
    ):
        infos.setdefault(email_id, []).append(OutboxAttachmentInfo(attachment_id, filename, content_type, size))
    return {email_id: tuple(items) for email_id, items in infos.items()}


async def get_outbox_attachment(*, email_id: int, attachment_id: int) -> Attachment:
    """One attachment's bytes, for the Dev mailbox's download (callers keep the mailbox's own guard)."""
    async with db.transaction() as session:
        row = await repository.get_attachment(session, email_id=email_id, attachment_id=attachment_id)
        if row is None:
            raise AttachmentNotFound()
        return Attachment(filename=row.filename, content_type=row.content_type, content=row.content)


async def export_for_address(session: AsyncSession, address: str) -> list[dict[str, object]]:
    """Emails we sent (or will send) to this address, for the person's data export (attachments by name)."""
    emails = await repository.list_for_address(session, address)
    attachments = await _attachment_infos(session, [email.id for email in emails if email.id is not None])
    return [
        {
            "subject": email.subject,
            "status": email.status,
            "created_at": email.created_at.isoformat(),
            "attachments": [info.filename for info in attachments.get(email.id or 0, ())],
        }
        for email in emails
    ]


async def erase_address(session: AsyncSession, address: str) -> None:
    """Forget every email to this address and its attachments (account deletion)."""
    await repository.delete_for_address(session, address)
