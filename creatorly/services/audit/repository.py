"""Every query of the audit log. Only inserts and reads: there is no update or delete here, by design."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import AuditEntry
from creatorly.services.audit.schemas import AuditFilter


def add(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)


async def newest_first(
    session: AsyncSession, wanted: AuditFilter, *, before_id: int | None, limit: int
) -> Sequence[AuditEntry]:
    statement = select(AuditEntry)
    if wanted.creator_id is not None:
        statement = statement.where(col(AuditEntry.creator_id) == wanted.creator_id)
    if wanted.action:
        statement = statement.where(col(AuditEntry.action).startswith(wanted.action, autoescape=True))
    if wanted.actor_email:
        statement = statement.where(func.lower(col(AuditEntry.actor_email)) == wanted.actor_email.lower())
    if wanted.target_type:
        statement = statement.where(col(AuditEntry.target_type) == wanted.target_type)
    if wanted.target_id:
        statement = statement.where(col(AuditEntry.target_id) == wanted.target_id)
    if before_id is not None:
        statement = statement.where(col(AuditEntry.id) < before_id)
    statement = statement.order_by(col(AuditEntry.id).desc()).limit(limit)
    return (await session.exec(statement)).all()


async def of_account(
    session: AsyncSession, *, creator_id: int | None, user_id: int, before_id: int | None, limit: int
) -> Sequence[AuditEntry]:
    """Entries about one person's account: those of their storefront, those about them, those they made."""
    about_them = and_(col(AuditEntry.target_type) == "user", col(AuditEntry.target_id) == str(user_id))
    concerning = or_(col(AuditEntry.actor_user_id) == user_id, about_them)
    if creator_id is not None:
        concerning = or_(concerning, col(AuditEntry.creator_id) == creator_id)
    statement = select(AuditEntry).where(concerning)
    if before_id is not None:
        statement = statement.where(col(AuditEntry.id) < before_id)
    return (await session.exec(statement.order_by(col(AuditEntry.id).desc()).limit(limit))).all()
