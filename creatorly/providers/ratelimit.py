"""Rate limiting with the `limits` library: Redis storage when configured, process memory otherwise.

When Redis is down, limits are counted in this process's memory (a warning is logged) instead of failing the
request; Redis is tried again after `REDIS_RETRY_SECONDS`, so the shared limits come back by themselves."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.exceptions import RedisError

log = structlog.get_logger(__name__)
T = TypeVar("T")
REDIS_RETRY_SECONDS = 5.0


class RateLimiter:
    """`hit` counts one attempt and answers whether it is still within the limit."""

    def __init__(self, redis_url: str = "") -> None:
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis = (
            MovingWindowRateLimiter(
                RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="creatorly-limits")
            )
            if redis_url
            else None
        )
        self._redis_down_until = 0.0

    @property
    def is_using_memory(self) -> bool:
        return self._redis is None or time.monotonic() < self._redis_down_until

    async def _run(self, action: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        if self._redis is not None and not self.is_using_memory:
            try:
                result = await action(self._redis)
            except (RedisError, StorageError, OSError) as error:
                log.warning("rate_limit_redis_unavailable", error=type(error).__name__, fallback="memory")
                self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            else:
                if self._redis_down_until:
                    log.info("rate_limit_redis_recovered")
                    self._redis_down_until = 0.0
                return result
        return await action(self._memory)

    async def hit(self, rate: str, *identifiers: str) -> bool:
        item: RateLimitItem = parse(rate)
        return await self._run(lambda limiter: limiter.hit(item, *identifiers))

    async def test(self, rate: str, *identifiers: str) -> bool:
        """Whether one more attempt would be allowed, without counting it."""
        item: RateLimitItem = parse(rate)
        return await self._run(lambda limiter: limiter.test(item, *identifiers))

    async def clear(self, rate: str, *identifiers: str) -> None:
        item: RateLimitItem = parse(rate)
        await self._run(lambda limiter: limiter.clear(item, *identifiers))
