"""The job queue (Huey): SQLite storage by default, Redis when configured.

Services enqueue by job name with `enqueue_after_commit`; `creatorly.jobs` registers the functions.
Keeping the names here lets services schedule work without importing the job layer above them.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper
from sqlalchemy.ext.asyncio import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.observability import get_logger

logger = get_logger(__name__)

QUEUE_NAME = "creatorly"


def _make_huey() -> Huey:
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, utc=True)
    settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=str(settings.resolved_data_dir / "jobs.db"), utc=True)


huey: Huey = _make_huey()

_jobs: dict[str, TaskWrapper] = {}


def register(name: str, task: TaskWrapper) -> None:
    _jobs[name] = task


# Jobs taken by `intercepting` instead of the queue: (names taken, where they are collected).
_intercepted: ContextVar[tuple[frozenset[str], list[tuple[str, tuple[Any, ...]]]] | None] = ContextVar(
    "creatorly_intercepted_jobs", default=None
)


@contextmanager
def intercepting(*names: str) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Within the block, jobs of these names are collected (in order) rather than queued: a caller that runs them
    itself, in this process and at once (the demo loader replaying a year), takes them from the list."""
    collected: list[tuple[str, tuple[Any, ...]]] = []
    token = _intercepted.set((frozenset(names), collected))
    try:
        yield collected
    finally:
        _intercepted.reset(token)


def enqueue(name: str, *arguments: Any) -> None:
    """Put a job on the queue now. Prefer `enqueue_after_commit` inside a transaction."""
    intercepted = _intercepted.get()
    if intercepted is not None and name in intercepted[0]:
        intercepted[1].append((name, arguments))
        return
    try:
        task = _jobs[name]
    except KeyError:
        raise LookupError(f"no job named {name!r} is registered (import creatorly.jobs)") from None
    task(*arguments)


def enqueue_after_commit(session: AsyncSession, name: str, *arguments: Any) -> None:
    """Enqueue once the surrounding transaction commits; a rollback enqueues nothing."""
    if name not in _jobs:
        raise LookupError(f"no job named {name!r} is registered (import creatorly.jobs)")

    def enqueue_committed() -> None:
        try:
            enqueue(name, *arguments)
        except Exception:
            # The rows are committed; the periodic sweeper finds the due work and enqueues it again.
            logger.exception("enqueue_failed_left_for_sweeper", job=name)

    db.after_commit(session, enqueue_committed)


# --- Worker heartbeat -----------------------------------------------------------------------------------------
# Kept in the queue's own storage (the jobs database or Redis), which every web process already reaches: the
# newest beat of any worker, and whether that worker has since stopped.

_HEARTBEAT_KEY = "creatorly:worker-heartbeat"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    at: datetime
    host: str
    pid: int
    is_stopped: bool = False


def write_heartbeat(*, is_stopped: bool = False) -> None:
    beat = Heartbeat(at=utc_now(), host=socket.gethostname(), pid=os.getpid(), is_stopped=is_stopped)
    huey.put(_HEARTBEAT_KEY, json.dumps({**asdict(beat), "at": beat.at.isoformat()}))


def read_heartbeat() -> Heartbeat | None:
    stored = huey.get(_HEARTBEAT_KEY, peek=True)
    if not stored:
        return None
    fields = json.loads(stored)
    return Heartbeat(
        at=datetime.fromisoformat(fields["at"]),
        host=str(fields["host"]),
        pid=int(fields["pid"]),
        is_stopped=bool(fields["is_stopped"]),
    )


def clear_heartbeat() -> None:
    """Forget the last beat (a fresh install, or a test that starts without a worker)."""
    huey.get(_HEARTBEAT_KEY, peek=False)
