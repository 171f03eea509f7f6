"""Rate limiting with the `limits` library: Redis storage when configured, process memory otherwise."""

from __future__ import annotations

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


class RateLimiter:
    """`hit` counts one attempt and answers whether it is still within the limit."""

    def __init__(self, redis_url: str = "") -> None:
        storage: Storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="creatorly-limits")
            if redis_url
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, rate: str, *identifiers: str) -> bool:
        return await self._limiter.hit(parse(rate), *identifiers)

    async def test(self, rate: str, *identifiers: str) -> bool:
        """Whether one more attempt would be allowed, without counting it."""
        return await self._limiter.test(parse(rate), *identifiers)

    async def clear(self, rate: str, *identifiers: str) -> None:
        await self._limiter.clear(parse(rate), *identifiers)
