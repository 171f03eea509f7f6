"""Every query on analytics tables: raw events, incremental daily rollups, visitor marks and salts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models.analytics import AnalyticsDaily, AnalyticsDailyVisitor, AnalyticsEvent, AnalyticsSalt


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)


async def add_event(session: AsyncSession, event: AnalyticsEvent) -> None:
    session.add(event)  # written with the transaction's next flush (several events go in one batch)


async def bump_rollup(
    session: AsyncSession,
    *,
    creator_id: int,
    day: date,
    kind: str,
    dimension: str,
    currency: str,
    amount: int,
    net_amount: int,
) -> int:
    """Add one event to a day's row (created on first use, atomically under concurrency); the row id."""
    table = AnalyticsDaily.__table__  # type: ignore[attr-defined]
    statement = (
        _insert(session, table)
        .values(
            creator_id=creator_id,
            day=day,
            kind=kind,
            dimension=dimension,
            dimension_type=dimension.partition(":")[0],
            currency=currency,
            events=1,
            visitors=0,
            amount=amount,
            net_amount=net_amount,
        )
        .on_conflict_do_update(
            index_elements=["creator_id", "day", "kind", "dimension", "currency"],
            set_={
                "events": table.c.events + 1,
                "amount": table.c.amount + amount,
                "net_amount": table.c.net_amount + net_amount,
            },
        )
        .returning(table.c.id)
    )
    return int((await session.exec(statement)).scalar_one())


async def count_visitor(session: AsyncSession, *, rollup_id: int, visitor_id: str, day: date) -> None:
    """Count a visitor once per rollup row: the mark is inserted only if new, and only then the row goes up."""
    marks = AnalyticsDailyVisitor.__table__  # type: ignore[attr-defined]
    inserted = await session.exec(
        _insert(session, marks)
        .values(rollup_id=rollup_id, visitor_id=visitor_id, day=day)
        .on_conflict_do_nothing(index_elements=["rollup_id", "visitor_id"])
    )
    if inserted.rowcount:
        rollups = AnalyticsDaily.__table__  # type: ignore[attr-defined]
        await session.exec(rollups.update().where(rollups.c.id == rollup_id).values(visitors=rollups.c.visitors + 1))


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
