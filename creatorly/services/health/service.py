"""Check the database, storage and (when configured) Redis, concurrently and with a time limit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from creatorly import db
from creatorly.config import settings
from creatorly.providers import redis as redis_provider
from creatorly.providers.registry import get_storage

CHECK_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class ComponentHealth:
    is_healthy: bool
    detail: str


@dataclass(frozen=True, slots=True)
class HealthReport:
    components: dict[str, ComponentHealth] = field(default_factory=dict)

    @property
    def is_healthy(self) -> bool:
        return all(component.is_healthy for component in self.components.values())


async def _check(probe: Callable[[], Awaitable[None]]) -> ComponentHealth:
    try:
        await asyncio.wait_for(probe(), timeout=CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return ComponentHealth(False, f"no answer within {CHECK_TIMEOUT_SECONDS:g}s")
    except Exception as error:  # a health check reports every failure instead of raising
        return ComponentHealth(False, type(error).__name__)
    return ComponentHealth(True, "ok")


async def check_health() -> HealthReport:
    probes: dict[str, Callable[[], Awaitable[None]]] = {
        "database": db.ping,
        "storage": get_storage().check,
    }
    if settings.redis_url:
        probes["redis"] = lambda: redis_provider.ping(settings.redis_url)
    results = await asyncio.gather(*(_check(probe) for probe in probes.values()))
    return HealthReport(components=dict(zip(probes, results, strict=True)))
