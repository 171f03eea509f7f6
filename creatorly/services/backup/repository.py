"""Every query of backup and restore: the schema revision, and whether any table holds a row."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

ALEMBIC_TABLE = "alembic_version"


def _table_names(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


async def table_names(session: AsyncSession) -> list[str]:
    connection = await session.connection()
    return await connection.run_sync(_table_names)


async def alembic_revision(session: AsyncSession) -> str | None:
    """The migration the database is at; None for a database that was never migrated."""
    if ALEMBIC_TABLE not in await table_names(session):
        return None
    return (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar_one_or_none()


async def tables_with_rows(session: AsyncSession) -> list[str]:
    """The tables (besides Alembic's own) that hold at least one row."""
    found = []
    for name in await table_names(session):
        if name == ALEMBIC_TABLE:
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        if (await session.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1"))).first() is not None:  # noqa: S608
            found.append(name)
    return found
