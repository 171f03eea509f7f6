"""Bring the test database to the newest schema once, and empty it between tests."""

from __future__ import annotations

from alembic.config import Config
from sqlalchemy import text
from sqlmodel import SQLModel

import creatorly.models  # noqa: F401  (every table on the metadata)
from alembic import command
from creatorly import db
from creatorly.cli import PROJECT_ROOT
from tests.processes import in_fresh_thread, run_async


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["skip_logging"] = True
    return config


async def _drop_everything() -> None:
    async with db.get_engine().begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        else:
            await connection.run_sync(SQLModel.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await db.dispose_engine()


def migrate_fresh() -> None:
    """Start from an empty database and apply every migration, as a deployment would."""
    run_async(_drop_everything())
    in_fresh_thread(command.upgrade, alembic_config(), "head")


async def empty_tables() -> None:
    names = [table.name for table in reversed(SQLModel.metadata.sorted_tables)]
    async with db.get_engine().begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            # The audit log refuses DELETE by trigger (PostgreSQL's TRUNCATE passes): lift it, empty, put it back.
            triggers = await connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
            )
            kept = list(triggers)
            for name, _sql in kept:
                await connection.execute(text(f"DROP TRIGGER {name}"))
            for name in names:
                await connection.execute(text(f"DELETE FROM {name}"))
            for _name, sql in kept:
                await connection.execute(text(sql))
