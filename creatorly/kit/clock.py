"""Timezone-aware UTC time, in one place so tests and jobs agree on 'now'."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

# (the pinned moment, the monotonic reading when it was pinned): time keeps running from the pinned moment.
_pinned: ContextVar[tuple[datetime, float] | None] = ContextVar("creatorly_pinned_now", default=None)


def utc_now() -> datetime:
    pinned = _pinned.get()
    if pinned is None:
        return datetime.now(UTC)
    moment, started = pinned
    return moment + timedelta(seconds=time.monotonic() - started)


@contextmanager
def pinned_at(moment: datetime) -> Iterator[None]:
    """Within the block (and tasks started in it), `utc_now()` starts at `moment` and runs on from there.

    Used to load history (the demo's year of sales) through the real use cases instead of rewriting rows.
    """
    token = _pinned.set((as_utc(moment), time.monotonic()))
    try:
        yield
    finally:
        _pinned.reset(token)


def as_utc(moment: datetime) -> datetime:
    """Treat a naive datetime (as SQLite returns them) as UTC; convert an aware one to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
