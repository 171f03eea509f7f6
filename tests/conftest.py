"""Test settings come first: a private data folder and the database and Redis chosen for this run.

Integration tests use SQLite by default, PostgreSQL when CREATORLY_TEST_DATABASE_URL is set, and Redis
when CREATORLY_TEST_REDIS_URL is set. On PostgreSQL each run gets its own throw-away database on that
server, so parallel runs never see each other's tables. The environment is set here, before creatorly
is imported.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

TEST_DATA_DIR = Path(tempfile.mkdtemp(prefix="creatorly-test-"))
_SERVER_URL = os.environ.get("CREATORLY_TEST_DATABASE_URL", "")
_RUN_DATABASE = f"creatorly_run_{secrets.token_hex(4)}"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _admin(statement: str) -> None:
    plain = _with_database(_SERVER_URL, "postgres").replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(plain)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _run_admin(statement: str) -> None:
    """In its own thread: Playwright keeps an event loop running on the main thread during browser tests."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _admin(statement)).result()


if _SERVER_URL.startswith("postgres"):
    _run_admin(f'CREATE DATABASE "{_RUN_DATABASE}"')
    os.environ["CREATORLY_DATABASE_URL"] = _with_database(_SERVER_URL, _RUN_DATABASE)
else:
    os.environ["CREATORLY_DATABASE_URL"] = _SERVER_URL or f"sqlite:///{TEST_DATA_DIR / 'creatorly.db'}"
os.environ["CREATORLY_ENV"] = "test"
os.environ["CREATORLY_DATA_DIR"] = str(TEST_DATA_DIR)
os.environ["CREATORLY_REDIS_URL"] = os.environ.get("CREATORLY_TEST_REDIS_URL", "")
# Empty values (not absent ones) so a developer's .env file cannot switch these on under the tests.
for name in (
    "CREATORLY_SMTP_URL",
    "CREATORLY_PUBLIC_URL",
    "CREATORLY_SECRET_KEY",
    "CREATORLY_GOOGLE_CLIENT_ID",
    "CREATORLY_CLAMAV_URL",
):
    os.environ[name] = ""
os.environ["CREATORLY_STORAGE"] = "local"
os.environ["CREATORLY_LOG_LEVEL"] = "WARNING"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _SERVER_URL.startswith("postgres"):
        _run_admin(f'DROP DATABASE IF EXISTS "{_RUN_DATABASE}" WITH (FORCE)')
