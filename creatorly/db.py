"""Database engines and the `transaction()` unit of work."""

from __future__ import annotations

import asyncio
import random
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelAsyncSession

from creatorly.config import settings

T = TypeVar("T")
_AFTER_COMMIT_KEY = "creatorly_after_commit"
_COMMITTING_KEY = "creatorly_committing"  # set on a session once its work is done and COMMIT is sent

# Async connections belong to the event loop that opened them (asyncpg refuses to cross loops), and
# Reflex, the worker and pytest each run their own loops: keep one engine per running loop (and URL).
_engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, AsyncEngine]] = weakref.WeakKeyDictionary()


# While a bulk load runs (`bulk_loading`), commits are not waited onto the disk one by one.
_is_bulk_loading = False

CONNECT_TIMEOUT_SECONDS = 5


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    if _is_bulk_loading:
        cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _configure_postgresql(dbapi_connection: Any, _record: Any) -> None:
    if _is_bulk_loading:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET synchronous_commit = off")
        cursor.close()


@asynccontextmanager
async def bulk_loading() -> AsyncIterator[None]:
    """Within the block, this loop's connections commit without waiting for the disk (thousands of small
    transactions, as the demo's year of history, load in seconds); a crash can lose them, never corrupt anything.
    Connections opened before and after use the normal, durable commits."""
    global _is_bulk_loading
    await dispose_engine()
    _is_bulk_loading = True
    try:
        yield
    finally:
        await dispose_engine()
        _is_bulk_loading = False


def _new_async_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, pool_size=5, max_overflow=10)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    # A connection idle for a while is pinged before use and replaced if a PostgreSQL restart closed it (one in
    # steady use is not: a failure on it invalidates the whole pool at once); the connect timeout makes a
    # database that is down or unreachable fail within seconds (a 503 naming the database), not hang the request.
    engine = create_async_engine(
        url,
        # A fixed number kept open and no overflow: connections opened and closed again under load (overflow beyond
        # the pool size) cost a PostgreSQL backend each. 20 for a single process; fewer each when Reflex runs
        # several on the host (with Redis), so that together they stay under PostgreSQL's max_connections.
        pool_size=settings.database_pool_size_per_process,
        max_overflow=0,
        pool_recycle=1800,
        pool_timeout=10,
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
    )
    event.listen(engine.sync_engine, "connect", _configure_postgresql)
    event.listen(engine.sync_engine, "checkin", _note_checkin)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


# A pooled connection unused for longer than this is pinged at checkout; a busy one (used within the last
# second) is not, which saves a round trip per transaction under load.
PING_AFTER_IDLE_SECONDS = 1.0
_CHECKED_IN_AT = "creatorly_checked_in_at"


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info[_CHECKED_IN_AT] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get(_CHECKED_IN_AT)
    if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS:
        return  # new (just connected) or in steady use
    try:
        dbapi_connection.ping()
    except Exception as error:  # the pool discards it and checks out (or opens) another
        raise DisconnectionError(f"pooled connection is gone: {type(error).__name__}") from error


def get_engine() -> AsyncEngine:
    """The async engine of the running event loop, made on first use."""
    url = settings.resolved_database_url
    engines = _engines.setdefault(asyncio.get_running_loop(), {})
    engine = engines.get(url)
    if engine is None:
        engine = engines[url] = _new_async_engine(url)
    return engine


async def dispose_engine() -> None:
    """Close the running loop's pooled connections (shutdown and tests)."""
    for engine in _engines.pop(asyncio.get_running_loop(), {}).values():
        await engine.dispose()


def _session_factory() -> async_sessionmaker[SQLModelAsyncSession]:
    return async_sessionmaker(get_engine(), class_=SQLModelAsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction() -> AsyncIterator[SQLModelAsyncSession]:
    """One unit of work: commit when the block ends, roll back on any exception.

    Callbacks registered with `after_commit` run only once the commit has succeeded, so jobs are
    never enqueued for rows that were rolled back.
    """
    async with _session_factory()() as session:
        try:
            yield session
            session.info[_COMMITTING_KEY] = True
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        callbacks: list[Callable[[], None]] = session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        callback()


@asynccontextmanager
async def single_statements() -> AsyncIterator[AsyncConnection]:
    """A pooled connection in autocommit mode, for one statement that is a whole unit of work on its own (each
    statement commits as it runs: no BEGIN and COMMIT round trips, no ORM session)."""
    async with get_engine().connect() as connection:
        yield await connection.execution_options(isolation_level="AUTOCOMMIT")


@asynccontextmanager
async def reads() -> AsyncIterator[SQLModelAsyncSession]:
    """A session for reads only, on an autocommit connection: each SELECT stands alone (no BEGIN, no COMMIT
    round trips). Nothing written through it is kept; use `transaction()` for anything that must agree."""
    async with (
        single_statements() as connection,
        SQLModelAsyncSession(bind=connection, expire_on_commit=False) as session,
    ):
        yield session


_KEPT_ROWS_KEY = "creatorly_kept_rows"


def keep_loaded(session: AsyncSession, row: object) -> None:
    """Keep `row` in the session's identity map until the session ends: the map holds rows only weakly, so a row
    read once and dropped is read again by the next `session.get` of it in the same transaction (a round trip)."""
    session.info.setdefault(_KEPT_ROWS_KEY, []).append(row)


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run `callback` after the surrounding `transaction()` commits (never if it rolls back)."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


async def ping() -> None:
    """Raise if the database does not answer a trivial query."""
    from sqlalchemy import text

    async with get_engine().connect() as connection:
        await connection.execute(text("SELECT 1"))


def get_settings_url() -> str:
    return settings.resolved_database_url


# PostgreSQL's SQLSTATEs for "this transaction lost a race; run it again": serialization failure, deadlock.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
RETRY_ATTEMPTS = 3


def is_retryable(error: BaseException) -> bool:
    """A deadlock or serialization failure: nothing was committed, and the same work can simply run again."""
    original = getattr(error, "orig", None)
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    return sqlstate in RETRYABLE_SQLSTATES


async def in_transaction_retrying(work: Callable[[SQLModelAsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction, again (a bounded number of times, after a short pause) when the database
    picked it as a deadlock or serialization victim or the connection was found dead before COMMIT; any other
    error, or the last failure, is raised."""
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        session: SQLModelAsyncSession | None = None
        try:
            async with transaction() as session:
                return await work(session)
        except DBAPIError as error:
            # A connection found dead before COMMIT (one the database dropped while it sat in the pool, just
            # before the pool could notice) lost nothing: SQLAlchemy has invalidated the pool's older connections,
            # so the next attempt runs on a fresh one. A connection lost during COMMIT may have committed: raised.
            lost_before_commit = error.connection_invalidated and not (session and session.info.get(_COMMITTING_KEY))
            if attempt == RETRY_ATTEMPTS or not (is_retryable(error) or lost_before_commit):
                raise
            await asyncio.sleep(0.05 * attempt * (1 + random.random()))  # noqa: S311 (jitter, not a secret)
    raise AssertionError("unreachable")
