"""The Redis connection used for health checks (Reflex and the job queue open their own)."""

from __future__ import annotations

from redis.asyncio import Redis


async def ping(url: str, *, timeout_seconds: float = 2.0) -> None:
    """Raise if Redis at `url` does not answer PING in time."""
    client = Redis.from_url(url, socket_connect_timeout=timeout_seconds, socket_timeout=timeout_seconds)
    try:
        await client.ping()  # type: ignore[misc]  # redis-py types ping() for both clients
    finally:
        await client.aclose()
