"""Alembic environment: SQLModel metadata, the URL from settings, batch mode for SQLite."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import creatorly.models  # noqa: F401  (registers every table on SQLModel.metadata)
from alembic import context
from creatorly import db

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _configure(connection: Connection | None = None) -> None:
    context.configure(
        connection=connection,
        url=None if connection is not None else db.get_settings_url(),
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        literal_binds=connection is None,
    )


def run_migrations_offline() -> None:
    _configure()
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        # Batch migrations rebuild tables (copy, drop, rename). With foreign keys on, dropping a parent
        # table deletes its children through ON DELETE CASCADE. SQLite ignores this pragma inside a
        # transaction, so it is set before the migration transaction begins.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
    if is_sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows that break foreign keys: {broken[:5]}")
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


async def _run_async() -> None:
    engine = db.get_engine()
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await db.dispose_engine()


def run_migrations_online() -> None:
    asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
