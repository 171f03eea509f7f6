"""Small helpers for async byte streams."""

from __future__ import annotations

from collections.abc import AsyncIterator


async def single_chunk(data: bytes) -> AsyncIterator[bytes]:
    """A stream of exactly one chunk, for storage calls that take a stream."""
    yield data
