"""Every query on the email outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlalchemy import select as select_columns  # five columns: past sqlmodel's typed overloads
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import OutboxAttachment, OutboxEmail
from creatorly.models.enums import EmailStatus


async def add(session: AsyncSession, email: OutboxEmail) -> OutboxEmail:
    session.add(email)
    await session.flush()
    return email


async def get(session: AsyncSession, email_id: int) -> OutboxEmail | None:
    return await session.get(OutboxEmail, email_id)


async def claim(session: AsyncSession, email_id: int, *, now: datetime, lease_until: datetime) -> bool:
    """Atomically take a pending, unclaimed message and count the attempt; False if someone else has it."""
    statement = (
        update(OutboxEmail)
        .where(
            col(OutboxEmail.id) == email_id,
            col(OutboxEmail.status) == EmailStatus.PENDING,
            or_(col(OutboxEmail.claimed_until).is_(None), col(OutboxEmail.claimed_until) < now),
        )
        .values(claimed_until=lease_until, attempts=OutboxEmail.attempts + 1)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def due_ids(session: AsyncSession, *, due_before: datetime, now: datetime, limit: int) -> Sequence[int]:
    statement = (
        select(OutboxEmail.id)
        .where(
            col(OutboxEmail.status) == EmailStatus.PENDING,
            col(OutboxEmail.next_attempt_at) <= due_before,
            or_(col(OutboxEmail.claimed_until).is_(None), col(OutboxEmail.claimed_until) < now),
        )
        .order_by(col(OutboxEmail.next_attempt_at))
        .limit(limit)
    )
    return [email_id for email_id in (await session.exec(statement)).all() if email_id is not None]


async def latest(session: AsyncSession, *, limit: int) -> Sequence[OutboxEmail]:
    statement = select(OutboxEmail).order_by(col(OutboxEmail.id).desc()).limit(limit)
    return (await session.exec(statement)).all()


async def list_for_address(session: AsyncSession, address: str) -> Sequence[OutboxEmail]:
    statement = select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(col(OutboxEmail.id))
    return (await session.exec(statement)).all()


async def delete_for_address(session: AsyncSession, address: str) -> None:
    # Attachments go first and explicitly: the cascade is not guaranteed on every connection.
    emails_to_address = select(OutboxEmail.id).where(col(OutboxEmail.to_address) == address)
    await session.exec(delete(OutboxAttachment).where(col(OutboxAttachment.email_id).in_(emails_to_address)))
    await session.exec(delete(OutboxEmail).where(col(OutboxEmail.to_address) == address))


async def add_attachments(session: AsyncSession, attachments: Sequence[OutboxAttachment]) -> None:
    session.add_all(attachments)
    await session.flush()


async def attachments_of(session: AsyncSession, email_ids: Sequence[int]) -> Sequence[OutboxAttachment]:
    if not email_ids:
        return []
    statement = (
        select(OutboxAttachment)
        .where(col(OutboxAttachment.email_id).in_(email_ids))
        .order_by(col(OutboxAttachment.email_id), col(OutboxAttachment.id))
    )
    return (await session.exec(statement)).all()


async def attachment_names_of(
    session: AsyncSession, email_ids: Sequence[int]
) -> Sequence[tuple[int, int, str, str, int]]:
    """(email id, attachment id, filename, content type, size) without loading the bytes."""
    if not email_ids:
        return []
    statement: Any = (
        select_columns(
            col(OutboxAttachment.email_id),
            col(OutboxAttachment.id),
            col(OutboxAttachment.filename),
            col(OutboxAttachment.content_type),
            func.length(col(OutboxAttachment.content)),
        )
        .where(col(OutboxAttachment.email_id).in_(email_ids))
        .order_by(col(OutboxAttachment.email_id), col(OutboxAttachment.id))
    )
    return [
        (int(email_id), int(attachment_id), str(name), str(kind), int(size))
        for email_id, attachment_id, name, kind, size in (await session.exec(statement)).all()
    ]


async def get_attachment(session: AsyncSession, *, email_id: int, attachment_id: int) -> OutboxAttachment | None:
    attachment = await session.get(OutboxAttachment, attachment_id)
    return attachment if attachment is not None and attachment.email_id == email_id else None
