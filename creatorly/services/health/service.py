"""Check the database, storage and (when configured) Redis, concurrently and with a time limit, and read the
worker's heartbeat.

The web process can serve without a worker (jobs wait in the queue), so a stale heartbeat makes the report
"degraded", not unavailable: a load balancer keeps the web process, the operator's check names the worker."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from creatorly import db, queue
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.providers import redis as redis_provider
from creatorly.providers.registry import get_scanner, get_storage

CHECK_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class ComponentHealth:
    is_healthy: bool
    detail: str


# Components the web process can't serve without; the rest (the worker) only degrade the report.
SERVING_COMPONENTS = frozenset({"web", "database", "storage", "redis"})
WORKER_STALE_BEATS = 3  # the worker is down when its newest heartbeat is this many intervals old


@dataclass(frozen=True, slots=True)
class HealthReport:
    components: dict[str, ComponentHealth] = field(default_factory=dict)

    @property
    def is_healthy(self) -> bool:
        return all(component.is_healthy for component in self.components.values())

    @property
    def can_serve(self) -> bool:
        return all(c.is_healthy for name, c in self.components.items() if name in SERVING_COMPONENTS)


async def _check(probe: Callable[[], Awaitable[None]]) -> ComponentHealth:
    try:
        await asyncio.wait_for(probe(), timeout=CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return ComponentHealth(False, f"no answer within {CHECK_TIMEOUT_SECONDS:g}s")
    except Exception as error:  # a health check reports every failure instead of raising
        return ComponentHealth(False, type(error).__name__)
    return ComponentHealth(True, "ok")


def _worker() -> ComponentHealth:
    try:
        beat = queue.read_heartbeat()
    except Exception as error:  # the queue's storage is down (the Redis check says so too)
        return ComponentHealth(False, f"heartbeat unreadable: {type(error).__name__}")
    if beat is None:
        return ComponentHealth(False, "no heartbeat yet: is `creatorly worker` running?")
    age = max(0.0, (utc_now() - beat.at).total_seconds())
    where = f"{beat.host} pid {beat.pid}"
    if beat.is_stopped:
        return ComponentHealth(False, f"stopped {age:.0f}s ago ({where})")
    if age > WORKER_STALE_BEATS * settings.worker_heartbeat_seconds:
        return ComponentHealth(False, f"last heartbeat {age:.0f}s ago ({where})")
    return ComponentHealth(True, f"heartbeat {age:.0f}s ago ({where})")


# Set by `creatorly start` for its server: the file exists while it drains before stopping (on SIGTERM).
DRAIN_MARKER_VARIABLE = "CREATORLY_DRAIN_MARKER"


def _web() -> ComponentHealth:
    """Down while this host drains before a shutdown, so a load balancer sends its traffic elsewhere."""
    marker = os.environ.get(DRAIN_MARKER_VARIABLE)
    if marker and Path(marker).exists():
        return ComponentHealth(False, "stopping: finishing the requests in flight")
    return ComponentHealth(True, "ok")


async def check_health() -> HealthReport:
    """The report of checks started now, or of the checks already running when this was asked (health requests that
    arrive together share one round of checks: one database ping, one storage probe, one heartbeat read)."""
    loop = asyncio.get_running_loop()
    running = _running_checks.get(loop)
    if running is None or running.done():
        running = _running_checks[loop] = loop.create_task(_dependency_checks())
    dependencies = await asyncio.shield(running)  # a caller that goes away leaves the round to the others
    return HealthReport(components={"web": _web(), **dependencies})


_running_checks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[dict[str, ComponentHealth]]] = (
    weakref.WeakKeyDictionary()
)


async def _dependency_checks() -> dict[str, ComponentHealth]:
    probes: dict[str, Callable[[], Awaitable[None]]] = {
        "database": db.ping,
        "storage": get_storage().check,
    }
    if settings.redis_url:
        probes["redis"] = lambda: redis_provider.ping(settings.redis_url)
    if (scanner := get_scanner()) is not None:
        probes["scanner"] = scanner.ping  # down: new files wait as "scanning"; everything else still serves
    results = await asyncio.gather(*(_check(probe) for probe in probes.values()))
    components = dict(zip(probes, results, strict=True))
    components["worker"] = await asyncio.to_thread(_worker)
    return components
