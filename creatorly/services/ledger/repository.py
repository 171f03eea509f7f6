"""Every query on the ledger: it inserts and reads, and never changes or deletes a posted row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, case, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from creatorly.models import LedgerEntry, LedgerTransaction


def _by_kind_and_reference(kind: str, reference: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return col(LedgerTransaction.kind) == kind, col(LedgerTransaction.reference) == reference


async def find_transaction(session: AsyncSession, kind: str, reference: str) -> LedgerTransaction | None:
    statement = select(LedgerTransaction).where(*_by_kind_and_reference(kind, reference))
    return (await session.exec(statement)).first()


async def lock_transaction(session: AsyncSession, kind: str, reference: str) -> LedgerTransaction | None:
    """The transaction for (kind, reference), locked until commit so writers that depend on it queue up.

    PostgreSQL locks the row. SQLite has no row locks and reads outside a write transaction, so a
    no-op update of the row takes its database-wide write lock before anything is read; the row's
    values never change.
    """
    statement = select(LedgerTransaction).where(*_by_kind_and_reference(kind, reference))
    if session.get_bind().dialect.name == "sqlite":
        touch = (
            update(LedgerTransaction)
            .where(*_by_kind_and_reference(kind, reference))
            .values(reference=col(LedgerTransaction.reference))
        )
        await session.exec(touch)
    else:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def transaction_id_of(session: AsyncSession, kind: str, reference: str) -> int | None:
    statement = select(LedgerTransaction.id).where(*_by_kind_and_reference(kind, reference))
    return (await session.exec(statement)).first()


async def add_transaction(session: AsyncSession, transaction: LedgerTransaction, entries: list[LedgerEntry]) -> int:
    """Insert a transaction and its entries; the unique (kind, reference) refuses a second one."""
    session.add(transaction)
    await session.flush()
    assert transaction.id is not None
    for entry in entries:
        entry.transaction_id = transaction.id
    session.add_all(entries)
    await session.flush()
    return transaction.id


async def insert_transaction_if_new(session: AsyncSession, transaction: LedgerTransaction) -> int | None:
    """One `INSERT … ON CONFLICT (kind, reference) DO NOTHING`: the new transaction's id, or None when that
    (kind, reference) is posted already (a concurrent writer's insert is waited for, then found). No savepoint."""
    table: Any = LedgerTransaction.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    statement = (
        insert.values(**transaction.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(index_elements=["kind", "reference"])
        .returning(table.c.id)
    )
    inserted: int | None = (await session.exec(statement)).scalar_one_or_none()
    return inserted


async def add_entries(session: AsyncSession, entries: list[LedgerEntry]) -> None:
    session.add_all(entries)
    await session.flush()


async def entries_of_transaction(session: AsyncSession, transaction_id: int) -> Sequence[LedgerEntry]:
    statement = select(LedgerEntry).where(LedgerEntry.transaction_id == transaction_id).order_by(col(LedgerEntry.id))
    return (await session.exec(statement)).all()


async def entries_of_kind_with_prefix(session: AsyncSession, kind: str, prefix: str) -> Sequence[LedgerEntry]:
    """Entries of every transaction of `kind` whose reference starts with `prefix` (taken literally)."""
    statement = (
        select(LedgerEntry)
        .join(LedgerTransaction, col(LedgerTransaction.id) == col(LedgerEntry.transaction_id))
        .where(LedgerTransaction.kind == kind, col(LedgerTransaction.reference).startswith(prefix, autoescape=True))
        .order_by(col(LedgerEntry.id))
    )
    return (await session.exec(statement)).all()


async def entries_with_references(
    session: AsyncSession, reference: str, prefix: str
) -> Sequence[tuple[LedgerTransaction, LedgerEntry]]:
    """Entries of the transaction with `reference` and of those whose reference starts with `prefix`."""
    reference_column = col(LedgerTransaction.reference)
    statement = (
        select(LedgerTransaction, LedgerEntry)
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == col(LedgerTransaction.id))
        .where((reference_column == reference) | reference_column.startswith(prefix, autoescape=True))
        .order_by(col(LedgerTransaction.id), col(LedgerEntry.id))
    )
    return (await session.exec(statement)).all()


async def sum_of_account(session: AsyncSession, account: str, currency: str) -> int:
    statement = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.account == account, LedgerEntry.currency == currency
    )
    # PostgreSQL sums BIGINT into NUMERIC: bring it back to an exact int.
    return int((await session.exec(statement)).one())


async def sums_per_currency(session: AsyncSession) -> dict[str, int]:
    statement = (
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount))
        .group_by(col(LedgerEntry.currency))
        .order_by(col(LedgerEntry.currency))
    )
    return {currency: int(total) for currency, total in (await session.exec(statement)).all()}


async def creator_balance_rows(
    session: AsyncSession, accounts: list[str], *, now: datetime
) -> Sequence[tuple[str, str, str, datetime | None, int]]:
    """One query: sums per account, currency, memo and hold end (only ends after `now`; earlier ones are None).

    The hold end is computed in a subquery so the outer GROUP BY names a column, not a repeated expression
    with its own bound parameter (which PostgreSQL would not recognize as the same).
    """
    release_at = case((col(LedgerEntry.available_at) > now, col(LedgerEntry.available_at)), else_=None)
    legs = (
        select(
            col(LedgerEntry.account).label("account"),
            col(LedgerEntry.currency).label("currency"),
            col(LedgerEntry.memo).label("memo"),
            release_at.label("release_at"),
        )
        .add_columns(col(LedgerEntry.amount).label("amount"))
        .where(col(LedgerEntry.account).in_(accounts))
        .subquery()
    )
    # sqlmodel types select() up to four columns; add_columns keeps its Select class, so the cast is exact.
    statement = cast(
        "Select[str, str, str, datetime | None, int]",
        select(legs.c.account, legs.c.currency, legs.c.memo, legs.c.release_at)
        .add_columns(func.sum(legs.c.amount))
        .group_by(legs.c.account, legs.c.currency, legs.c.memo, legs.c.release_at),
    )
    rows = (await session.exec(statement)).all()
    return [(account, currency, memo, release, int(total)) for account, currency, memo, release, total in rows]
