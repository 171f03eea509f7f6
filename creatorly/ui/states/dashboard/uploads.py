"""Turn Reflex's streamed upload chunks into what services take: a byte stream, or bytes with a cap."""

from __future__ import annotations

from collections.abc import AsyncIterator

import reflex as rx

from creatorly.errors import InvalidInput


async def first_name_and_stream(chunks: rx.UploadChunkIterator) -> tuple[str, AsyncIterator[bytes]]:
    """The uploaded file's name and its bytes as a stream (one file per upload)."""
    iterator = chunks.__aiter__()
    try:
        first = await iterator.__anext__()
    except StopAsyncIteration:
        raise InvalidInput("Choose a file first.", field="file") from None

    async def stream() -> AsyncIterator[bytes]:
        yield first.data
        async for chunk in iterator:
            if chunk.filename != first.filename:
                raise InvalidInput("Upload one file at a time.", field="file")
            yield chunk.data

    return first.filename, stream()


async def read_capped(chunks: rx.UploadChunkIterator, *, max_bytes: int, label: str) -> bytes:
    """All bytes of a small upload (images), refusing as soon as it passes `max_bytes`."""
    data = bytearray()
    async for chunk in chunks:
        data.extend(chunk.data)
        if len(data) > max_bytes:
            raise InvalidInput(f"{label} can be at most {max_bytes // (1024 * 1024)} MB.", field="file")
    if not data:
        raise InvalidInput("Choose a file first.", field="file")
    return bytes(data)
