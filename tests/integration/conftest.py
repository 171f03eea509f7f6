"""Integration tests run against a migrated, emptied database and dispose connections after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

import creatorly.jobs  # noqa: F401  (job names registered, as in the app and the worker)
from creatorly import db
from tests.database import empty_tables, migrate_fresh


@pytest.fixture(scope="session", autouse=True)
def _migrated_database() -> None:
    migrate_fresh()


@pytest.fixture(autouse=True)
async def _clean_database() -> AsyncIterator[None]:
    await empty_tables()
    yield
    await db.dispose_engine()
