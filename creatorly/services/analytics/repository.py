"""Every query on analytics tables: raw events, incremental daily rollups, visitor marks and salts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models.analytics import AnalyticsDaily, AnalyticsDailyVisitor, AnalyticsEvent, AnalyticsSalt


@dataclass(frozen=True, slots=True)
class RollupIncrement:
    kind: str
    dimension: str
    visitors: int
    amount: int
    net_amount: int
    events: int = 1


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)


async def add_event(session: AsyncSession, event: AnalyticsEvent) -> None:
    session.add(event)  # written with the transaction's next flush (several events go in one batch)


_MARK_INSERTS: dict[str, Any] = {}


def _mark_insert(session: AsyncSession) -> Any:
    """The visitor-mark insert of this dialect, built once (calls bind only their rows)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement = _MARK_INSERTS.get(dialect)
    if statement is None:
        marks = AnalyticsDailyVisitor.__table__  # type: ignore[attr-defined]
        statement = (
            _insert(session, marks)
            .on_conflict_do_nothing(index_elements=["creator_id", "day", "kind", "dimension", "visitor_id"])
            .returning(marks.c.kind, marks.c.dimension)
        )
        _MARK_INSERTS[dialect] = statement
    return statement


async def new_visitor_marks(
    session: AsyncSession, *, creator_id: int, day: date, visitor_id: str, keys: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Mark the visitor as counted in each (kind, dimension) row of the day; the keys that were new."""
    parameters = [
        {"creator_id": creator_id, "day": day, "kind": kind, "dimension": dimension, "visitor_id": visitor_id}
        for kind, dimension in keys
    ]
    result = await session.exec(_mark_insert(session), params=parameters)
    return {(kind, dimension) for kind, dimension in result.all()}


async def add_events(session: AsyncSession, events: Sequence[AnalyticsEvent]) -> None:
    """Many raw events in one batched insert."""
    session.add_all(events)
    await session.flush()


# (day, kind, dimension, visitor id)
VisitorMark = tuple[date, str, str, str]
_MARKS_PER_STATEMENT = 1000


async def new_visitor_marks_many(
    session: AsyncSession, *, creator_id: int, marks: Sequence[VisitorMark]
) -> set[VisitorMark]:
    """Mark many visitors as counted in their day's rows at once; the marks that were new."""
    table = AnalyticsDailyVisitor.__table__  # type: ignore[attr-defined]
    new: set[VisitorMark] = set()
    for start in range(0, len(marks), _MARKS_PER_STATEMENT):
        statement = (
            _insert(session, table)
            .values(
                [
                    {"creator_id": creator_id, "day": day, "kind": kind, "dimension": dimension, "visitor_id": visitor}
                    for day, kind, dimension, visitor in marks[start : start + _MARKS_PER_STATEMENT]
                ]
            )
            .on_conflict_do_nothing(index_elements=["creator_id", "day", "kind", "dimension", "visitor_id"])
            .returning(table.c.day, table.c.kind, table.c.dimension, table.c.visitor_id)
        )
        new.update(
            (day, kind, dimension, visitor) for day, kind, dimension, visitor in (await session.exec(statement)).all()
        )
    return new


_ROLLUP_UPSERTS: dict[str, Any] = {}


def _rollup_upsert(session: AsyncSession) -> Any:
    """The rollup upsert of this dialect, built once: each call only binds its rows (SQLAlchemy then reuses the
    compiled statement instead of building `excluded` and the SET clause again)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement = _ROLLUP_UPSERTS.get(dialect)
    if statement is None:
        table = AnalyticsDaily.__table__  # type: ignore[attr-defined]
        insert_statement = _insert(session, table)
        excluded = insert_statement.excluded
        statement = insert_statement.on_conflict_do_update(
            index_elements=["creator_id", "day", "kind", "dimension", "currency"],
            set_={
                "events": table.c.events + excluded.events,
                "visitors": table.c.visitors + excluded.visitors,
                "amount": table.c.amount + excluded.amount,
                "net_amount": table.c.net_amount + excluded.net_amount,
            },
        )
        _ROLLUP_UPSERTS[dialect] = statement
    return statement


async def add_to_rollups(
    session: AsyncSession, *, creator_id: int, day: date, currency: str, rows: Sequence[RollupIncrement]
) -> None:
    """Add one event to each of its day's rollup rows (rows are created on first use, atomically under
    concurrency); the rows go as one batch of parameters to the statement built once."""
    parameters = [
        {
            "creator_id": creator_id,
            "day": day,
            "kind": row.kind,
            "dimension": row.dimension,
            "dimension_type": row.dimension.partition(":")[0],
            "currency": currency,
            "events": row.events,
            "visitors": row.visitors,
            "amount": row.amount,
            "net_amount": row.net_amount,
        }
        for row in rows
    ]
    await session.exec(_rollup_upsert(session), params=parameters)


async def salt_of(session: AsyncSession, day: date) -> str | None:
    row = await session.get(AnalyticsSalt, day)
    return row.salt if row is not None else None


async def add_salt(session: AsyncSession, day: date, salt: str) -> None:
    """Insert the day's salt unless another worker already did (then theirs is kept)."""
    table = AnalyticsSalt.__table__  # type: ignore[attr-defined]
    await session.exec(
        _insert(session, table).values(day=day, salt=salt).on_conflict_do_nothing(index_elements=["day"])
    )


async def delete_salts_before(session: AsyncSession, day: date) -> int:
    result = await session.exec(delete(AnalyticsSalt).where(col(AnalyticsSalt.day) < day))
    return int(result.rowcount or 0)


async def delete_visitor_marks_before(session: AsyncSession, day: date) -> int:
    statement = delete(AnalyticsDailyVisitor).where(col(AnalyticsDailyVisitor.day) < day)
    result = await session.exec(statement)
    return int(result.rowcount or 0)


async def delete_events_before(session: AsyncSession, moment: datetime, *, limit: int) -> int:
    """Delete up to `limit` raw events older than `moment` (in batches, so a big backlog never holds long locks)."""
    ids = select(AnalyticsEvent.id).where(col(AnalyticsEvent.occurred_at) < moment).limit(limit)
    result = await session.exec(delete(AnalyticsEvent).where(col(AnalyticsEvent.id).in_(ids)))
    return int(result.rowcount or 0)
