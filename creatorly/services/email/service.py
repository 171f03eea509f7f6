"""Queue emails in the sender's transaction; deliver them later, once, with retries and backoff."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import ProviderError
from creatorly.kit.clock import utc_now
from creatorly.models import OutboxEmail
from creatorly.models.enums import EmailStatus
from creatorly.observability import get_logger
from creatorly.providers.email.base import OutgoingEmail
from creatorly.providers.registry import get_mailer
from creatorly.services.email import repository
from creatorly.services.email.rules import backoff_seconds
from creatorly.services.email.schemas import DeliveryOutcome, DeliveryResult, OutboxMessage

DELIVER_JOB = "email.deliver"
CLAIM_LEASE = timedelta(minutes=2)
SWEEP_GRACE = timedelta(minutes=1)

logger = get_logger(__name__)


async def queue_email(
    session: AsyncSession, *, to_address: str, subject: str, text_body: str, html_body: str = ""
) -> int:
    """Write a message to the outbox in the caller's transaction; delivery is enqueued after commit."""
    email = await repository.add(
        session,
        OutboxEmail(to_address=to_address, subject=subject, text_body=text_body, html_body=html_body),
    )
    assert email.id is not None
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
    async with db.transaction() as session:
        emails = await repository.latest(session, limit=limit)
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
            )
            for email in emails
        ]


async def export_for_address(session: AsyncSession, address: str) -> list[dict[str, str]]:
    """Emails we sent (or will send) to this address, for the person's data export."""
    return [
        {"subject": email.subject, "status": email.status, "created_at": email.created_at.isoformat()}
        for email in await repository.list_for_address(session, address)
    ]


async def erase_address(session: AsyncSession, address: str) -> None:
    """Forget every email to this address (account deletion)."""
    await repository.delete_for_address(session, address)
