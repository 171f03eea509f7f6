"""Integration tests run against a migrated, emptied database and dispose connections after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis import Redis

import creatorly.jobs  # noqa: F401  (job names registered, as in the app and the worker)
from creatorly import db
from creatorly.config import settings
from tests.database import empty_tables, migrate_fresh
from tests.integration.s3 import moto_endpoint, s3_storage  # noqa: F401  (fixtures)
from tests.smtp import smtp_server  # noqa: F401  (fixture)


@pytest.fixture(scope="session", autouse=True)
def _migrated_database() -> None:
    migrate_fresh()


@pytest.fixture(scope="session", autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters in Redis outlive a run: start each run from zero."""
    if settings.redis_url:
        client = Redis.from_url(settings.redis_url)
        for key in client.scan_iter("creatorly-limits*"):
            client.delete(key)
        client.close()


@pytest.fixture(autouse=True)
async def _clean_database() -> AsyncIterator[None]:
    await empty_tables()
    yield
    await db.dispose_engine()
