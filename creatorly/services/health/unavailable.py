"""Which dependency an exception says is down: "database", "storage" or "redis" (None for anything else).

The web routes answer these with a 503 naming the part (creatorly/api/unavailable.py), the Reflex event handlers
with a toast (creatorly/ui/errors.py)."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError

from creatorly.providers.storage.base import StorageUnavailable

# SQLSTATE: class 08 (connection exception); 57P01-57P03 (admin/crash shutdown, cannot connect now);
# 53300 (too many connections).
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def _sqlstate(error: BaseException) -> str:
    original = getattr(error, "orig", None)
    return str(getattr(original, "sqlstate", None) or getattr(original, "pgcode", None) or "")


def _raised_inside(error: BaseException, package: str) -> bool:
    traceback = error.__traceback__
    while traceback is not None:
        if f"/{package}/" in traceback.tb_frame.f_code.co_filename:
            return True
        traceback = traceback.tb_next
    return False


def unavailable_part(error: BaseException) -> str | None:
    """ "database", "storage" or "redis" when `error` means that dependency is down; None otherwise."""
    if isinstance(error, StorageUnavailable):
        return "storage"
    if isinstance(error, RedisConnectionError | RedisTimeoutError):
        return "redis"
    if isinstance(error, DBAPIError):
        state = _sqlstate(error)
        if error.connection_invalidated or state.startswith("08") or state in _UNAVAILABLE_SQLSTATES:
            return "database"
        original = getattr(error, "orig", None)
        if isinstance(original, OSError) or "connection" in type(original).__name__.lower():
            return "database"
        return None
    if isinstance(error, OSError):  # asyncpg's connect raises plain OSError (refused, timed out, unreachable)
        if _raised_inside(error, "asyncpg") or _raised_inside(error, "sqlalchemy"):
            return "database"
        if _raised_inside(error, "redis"):
            return "redis"
    return None
