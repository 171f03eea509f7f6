"""Run async use cases from Huey's worker threads, each thread keeping one event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on this thread's long-lived loop, so pooled connections are reused."""
    runner: asyncio.Runner | None = getattr(_local, "runner", None)
    if runner is None:
        runner = asyncio.Runner()
        _local.runner = runner
    return runner.run(coroutine)
