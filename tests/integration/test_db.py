"""The unit of work: commit on success, roll back on error, after-commit callbacks only after a commit."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from creatorly import db
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
