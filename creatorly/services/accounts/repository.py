"""Every query on users, sessions, one-time tokens, backup codes and linked identities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import AccountToken, BackupCode, ExternalIdentity, User, UserSession


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.exec(select(User).where(User.email == email))).first()


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def add(session: AsyncSession, row: User | UserSession | AccountToken | BackupCode | ExternalIdentity) -> None:
    session.add(row)
    await session.flush()


async def get_session_by_hash(session: AsyncSession, token_hash: str) -> UserSession | None:
    return (await session.exec(select(UserSession).where(UserSession.token_hash == token_hash))).first()


async def list_live_sessions(session: AsyncSession, user_id: int, *, now: datetime) -> Sequence[UserSession]:
    statement = (
        select(UserSession)
        .where(UserSession.user_id == user_id, col(UserSession.revoked_at).is_(None), UserSession.expires_at > now)
        .order_by(col(UserSession.last_seen_at).desc())
    )
    return (await session.exec(statement)).all()


async def revoke_sessions(
    session: AsyncSession, user_id: int, *, now: datetime, only_id: int | None = None, except_id: int | None = None
) -> int:
    statement = update(UserSession).where(col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None))
    if only_id is not None:
        statement = statement.where(col(UserSession.id) == only_id)
    if except_id is not None:
        statement = statement.where(col(UserSession.id) != except_id)
    result = await session.exec(statement.values(revoked_at=now))
    return int(result.rowcount)


async def get_token_by_hash(session: AsyncSession, token_hash: str) -> AccountToken | None:
    return (await session.exec(select(AccountToken).where(AccountToken.token_hash == token_hash))).first()


async def use_token(session: AsyncSession, token_id: int, *, now: datetime) -> bool:
    """Mark a token used if it still is unused; False when another request used it first."""
    statement = (
        update(AccountToken)
        .where(col(AccountToken.id) == token_id, col(AccountToken.used_at).is_(None))
        .values(used_at=now)
    )
    return bool((await session.exec(statement)).rowcount)


async def expire_unused_tokens(session: AsyncSession, user_id: int, purpose: str, *, now: datetime) -> None:
    statement = (
        update(AccountToken)
        .where(
            col(AccountToken.user_id) == user_id,
            col(AccountToken.purpose) == purpose,
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    await session.exec(statement)


async def unused_backup_codes(session: AsyncSession, user_id: int) -> Sequence[BackupCode]:
    statement = select(BackupCode).where(BackupCode.user_id == user_id, col(BackupCode.used_at).is_(None))
    return (await session.exec(statement)).all()


async def use_backup_code(session: AsyncSession, code_id: int, *, now: datetime) -> bool:
    statement = (
        update(BackupCode).where(col(BackupCode.id) == code_id, col(BackupCode.used_at).is_(None)).values(used_at=now)
    )
    return bool((await session.exec(statement)).rowcount)


async def delete_backup_codes(session: AsyncSession, user_id: int) -> None:
    await session.exec(delete(BackupCode).where(col(BackupCode.user_id) == user_id))


async def get_identity(session: AsyncSession, provider: str, subject: str) -> ExternalIdentity | None:
    statement = select(ExternalIdentity).where(
        ExternalIdentity.provider == provider, ExternalIdentity.subject == subject
    )
    return (await session.exec(statement)).first()


async def list_identities(session: AsyncSession, user_id: int) -> Sequence[ExternalIdentity]:
    return (await session.exec(select(ExternalIdentity).where(ExternalIdentity.user_id == user_id))).all()


async def list_sessions(session: AsyncSession, user_id: int) -> Sequence[UserSession]:
    statement = select(UserSession).where(UserSession.user_id == user_id).order_by(col(UserSession.id))
    return (await session.exec(statement)).all()


async def erase_personal_rows(session: AsyncSession, user_id: int) -> None:
    """Remove rows that only exist for the person: sessions, tokens, backup codes, linked identities."""
    for model in (UserSession, AccountToken, BackupCode, ExternalIdentity):
        await session.exec(delete(model).where(col(model.user_id) == user_id))
