"""The unit of work: commit on success, roll back on error, after-commit callbacks only after a commit."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.models import OutboxEmail


async def _outbox_count() -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(OutboxEmail))).one()


async def test_a_failed_transaction_writes_nothing_and_runs_no_callback() -> None:
    called: list[str] = []
    with pytest.raises(RuntimeError):  # noqa: PT012 (the whole unit of work is what fails)
        async with db.transaction() as session:
            session.add(OutboxEmail(to_address="a@example.com", subject="s", text_body="t"))
            await session.flush()
            db.after_commit(session, lambda: called.append("ran"))
            raise RuntimeError("boom")
    assert await _outbox_count() == 0
    assert called == []


async def test_after_commit_callbacks_run_once_the_rows_are_committed() -> None:
    seen: list[int] = []

    async with db.transaction() as session:
        session.add(OutboxEmail(to_address="a@example.com", subject="s", text_body="t"))
        db.after_commit(session, lambda: seen.append(1))
        assert seen == []
    assert seen == [1]
    assert await _outbox_count() == 1


async def test_stored_times_come_back_aware_utc() -> None:
    async with db.transaction() as session:
        email = OutboxEmail(to_address="a@example.com", subject="s", text_body="t")
        session.add(email)
    async with db.transaction() as session:
        loaded = (await session.exec(select(OutboxEmail))).one()
    assert loaded.created_at.utcoffset() is not None
    assert loaded.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert loaded.created_at == email.created_at


async def test_a_reads_session_sees_committed_rows_each_statement_on_its_own() -> None:
    async with db.transaction() as session:
        session.add(OutboxEmail(to_address="a@example.com", subject="s", text_body="t"))

    async with db.reads() as session:
        first = (await session.exec(select(func.count()).select_from(OutboxEmail))).one()
        async with db.transaction() as other:  # committed by someone else in between
            other.add(OutboxEmail(to_address="b@example.com", subject="s", text_body="t"))
        second = (await session.exec(select(func.count()).select_from(OutboxEmail))).one()

    assert (first, second) == (1, 2)  # no snapshot held across statements: nothing to commit or roll back


_POSTGRESQL_ONLY = pytest.mark.skipif(
    not os.environ.get("CREATORLY_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="PostgreSQL only: an embedded SQLite file has no server to drop a connection",
)


async def _pooled_connection_dropped_by_the_server() -> None:
    """Use a pooled connection, then have PostgreSQL end its backend while it sits in the pool, checked in
    under a second ago (so the pool does not ping it before the next use)."""
    async with db.transaction() as session:
        backend = (await session.exec(text("SELECT pg_backend_pid()"))).scalar_one()  # type: ignore[call-overload]
    other = create_async_engine(settings.resolved_database_url, poolclass=NullPool)
    try:
        async with other.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    finally:
        await other.dispose()


@_POSTGRESQL_ONLY
async def test_work_on_a_connection_the_database_dropped_runs_again_on_a_fresh_one() -> None:
    # Given the pool's connection was dropped by the server (a PostgreSQL restart, a proxy cutting connections)
    await db.dispose_engine()
    await _pooled_connection_dropped_by_the_server()
    runs: list[int] = []

    async def work(session: AsyncSession) -> int:
        runs.append(1)
        session.add(OutboxEmail(to_address="a@example.com", subject="s", text_body="t"))
        await session.flush()
        return len(runs)

    # When retried work runs on it, then it fails on the dead connection and runs once more on a new one
    assert await db.in_transaction_retrying(work) == 2
    assert await _outbox_count() == 1


@_POSTGRESQL_ONLY
async def test_a_dropped_connection_fails_with_its_own_error_not_one_raised_while_rolling_back() -> None:
    # Given the pool's connection was dropped by the server
    await db.dispose_engine()
    await _pooled_connection_dropped_by_the_server()

    # When a plain unit of work runs on it, then the caller sees the lost connection (which /health and the
    # 503 answer recognise), not a PendingRollbackError from a listener that ran during the rollback
    with pytest.raises(DBAPIError) as raised:  # noqa: PT012 (the whole unit of work is what fails)
        async with db.transaction() as session:
            session.add(OutboxEmail(to_address="a@example.com", subject="s", text_body="t"))
            await session.flush()
    assert raised.value.connection_invalidated
    assert await _outbox_count() == 0
