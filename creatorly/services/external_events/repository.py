"""Every query on stored inbound events (external_events)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import ExternalEvent
from creatorly.services.external_events.schemas import ClaimedEvent


async def insert_if_new(
    session: AsyncSession,
    *,
    provider: str,
    event_id: str,
    event_type: str,
    payload: str,
    received_at: datetime,
    attempts: int = 0,
    last_error: str | None = None,
) -> bool:
    """Insert the event unless (provider, event_id) is already stored; True when this call inserted it. A first
    attempt that failed (and rolled back) is kept this way with `attempts=1` and its `last_error`, unhandled.

    ON CONFLICT DO NOTHING waits for a concurrent inserter instead of failing, so no check-then-insert race.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ExternalEvent)
        .values(
            provider=provider,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            received_at=received_at,
            attempts=attempts,
            last_error=last_error,
        )
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def insert_new_as_handled(
    connection: AsyncConnection,
    *,
    provider: str,
    event_id: str,
    event_type: str,
    payload: str,
    now: datetime,
) -> int | None:
    """Insert the event already stamped handled: its first attempt, applied in the same transaction (on the
    session's connection), or needing nothing (on an autocommit connection). Its id, or None when (provider,
    event_id) is already stored. A concurrent delivery of the same event waits on this row until the transaction
    ends, then finds it (handled, or gone if this one rolled back).

    The statement is built once per dialect with bound parameters (a Core insert: the hot path of every webhook)."""
    dialect = connection.dialect.name
    statement = _INSERT_HANDLED.get(dialect)
    if statement is None:
        statement = _INSERT_HANDLED[dialect] = _insert_handled_statement(dialect)
    parameters = {
        "provider": provider,
        "event_id": event_id,
        "event_type": event_type,
        "payload": payload,
        "received_at": now,
        "handled_at": now,
        "attempts": 1,
    }
    result = await connection.execute(statement, parameters)
    stored_id: int | None = result.scalar_one_or_none()
    return stored_id


_INSERT_HANDLED: dict[str, Any] = {}


def _insert_handled_statement(dialect: str) -> Any:
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = ExternalEvent.__table__  # type: ignore[attr-defined]
    columns = ("provider", "event_id", "event_type", "payload", "received_at", "handled_at", "attempts")
    return (
        insert(table)
        .values({name: bindparam(name) for name in columns})
        .on_conflict_do_nothing(index_elements=["provider", "event_id"])
        .returning(table.c.id)
    )


async def find_id(session: AsyncSession, *, provider: str, event_id: str) -> int | None:
    statement = select(ExternalEvent.id).where(
        col(ExternalEvent.provider) == provider, col(ExternalEvent.event_id) == event_id
    )
    return (await session.exec(statement)).first()


async def get(session: AsyncSession, external_event_id: int) -> ExternalEvent | None:
    return await session.get(ExternalEvent, external_event_id)


async def claim(
    session: AsyncSession, external_event_id: int, *, now: datetime, lease_until: datetime, steal: bool = False
) -> ClaimedEvent | None:
    """Atomically take an unhandled event and count the attempt; None if it is handled (or, unless `steal`,
    while another attempt's lease runs).

    A provider's delivery steals: the lease only keeps the sweeper away, since the row lock the handling
    transaction holds (taken by `mark_handled`) is what keeps an event from being applied twice, and that
    lock dies with its holder, even a killed one.
    """
    conditions = [col(ExternalEvent.id) == external_event_id, col(ExternalEvent.handled_at).is_(None)]
    if not steal:
        conditions.append(or_(col(ExternalEvent.claimed_until).is_(None), col(ExternalEvent.claimed_until) < now))
    statement = (
        update(ExternalEvent)
        .where(*conditions)
        .values(claimed_until=lease_until, attempts=col(ExternalEvent.attempts) + 1)
        .returning(
            col(ExternalEvent.provider),
            col(ExternalEvent.event_id),
            col(ExternalEvent.event_type),
            col(ExternalEvent.attempts),
        )
    )
    row = (await session.exec(statement)).mappings().first()
    if row is None:
        return None
    return ClaimedEvent(
        id=external_event_id,
        provider=row["provider"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        attempt=row["attempts"],
    )


async def is_handled(session: AsyncSession, external_event_id: int) -> bool:
    statement = select(ExternalEvent.handled_at).where(col(ExternalEvent.id) == external_event_id)
    return (await session.exec(statement)).first() is not None


async def limit_lock_waits(session: AsyncSession, *, seconds: int) -> None:
    """On PostgreSQL, give up (SQLSTATE 55P03) rather than wait longer than this for a row lock in this
    transaction; SQLite's own busy timeout bounds its waits."""
    if session.get_bind().dialect.name == "postgresql":
        connection = await session.connection()
        await connection.execute(text(f"SET LOCAL lock_timeout = '{int(seconds)}s'"))


async def mark_handled(session: AsyncSession, external_event_id: int, *, handled_at: datetime) -> bool:
    """Stamp `handled_at` unless another worker already did; the row stays locked until the transaction ends."""
    statement = (
        update(ExternalEvent)
        .where(col(ExternalEvent.id) == external_event_id, col(ExternalEvent.handled_at).is_(None))
        .values(handled_at=handled_at, claimed_until=None, last_error=None)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def record_failure(session: AsyncSession, external_event_id: int, *, error: str) -> None:
    """Keep the error and release the claim, so the provider's retry or the sweeper can try again."""
    statement = (
        update(ExternalEvent)
        .where(col(ExternalEvent.id) == external_event_id, col(ExternalEvent.handled_at).is_(None))
        .values(last_error=error, claimed_until=None)
    )
    await session.exec(statement)


async def stale_unhandled_ids(
    session: AsyncSession, *, received_before: datetime, now: datetime, limit: int, max_attempts: int
) -> Sequence[int]:
    """Unhandled events received before the cut-off that nobody holds and that have attempts left, least-tried
    first."""
    statement = (
        select(ExternalEvent.id)
        .where(
            col(ExternalEvent.handled_at).is_(None),
            col(ExternalEvent.received_at) <= received_before,
            col(ExternalEvent.attempts) < max_attempts,
            or_(col(ExternalEvent.claimed_until).is_(None), col(ExternalEvent.claimed_until) < now),
        )
        .order_by(col(ExternalEvent.attempts), col(ExternalEvent.received_at))
        .limit(limit)
    )
    return [event_id for event_id in (await session.exec(statement)).all() if event_id is not None]


async def exhausted(session: AsyncSession, *, max_attempts: int, limit: int) -> Sequence[ExternalEvent]:
    """Unhandled events whose handler failed `max_attempts` times: the sweeper leaves them to an operator."""
    statement = (
        select(ExternalEvent)
        .where(col(ExternalEvent.handled_at).is_(None), col(ExternalEvent.attempts) >= max_attempts)
        .order_by(col(ExternalEvent.received_at))
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def reset_attempts(session: AsyncSession, external_event_id: int) -> bool:
    """Give an unhandled event a fresh set of sweeper attempts; False when it is unknown or already handled."""
    statement = (
        update(ExternalEvent)
        .where(col(ExternalEvent.id) == external_event_id, col(ExternalEvent.handled_at).is_(None))
        .values(attempts=0, claimed_until=None)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)
