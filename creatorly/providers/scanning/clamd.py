"""clamd over TCP (`tcp://host:port`): zINSTREAM in length-prefixed chunks and zPING, every step under a timeout.

The file is streamed through in pieces of at most CHUNK_BYTES, never held whole. clamd refuses a stream longer
than its StreamMaxLength with "INSTREAM size limit exceeded" (and closes the connection): that is a failed scan,
never a clean file. Only a reply of exactly "stream: OK" is clean.
"""

from __future__ import annotations

import asyncio
import re
import struct
from collections.abc import AsyncIterator
from contextlib import suppress

from creatorly.providers.scanning.base import ScanFailed, ScannerUnavailable, ScanVerdict

CHUNK_BYTES = 1024 * 1024
_URL = re.compile(r"^tcp://(?P<host>\[[^\]]+\]|[^:/\[\]]+):(?P<port>\d{1,5})/?$")
_END_OF_STREAM = struct.pack(">I", 0)


def parse_clamd_url(url: str) -> tuple[str, int]:
    """(host, port) of `tcp://host:port`; ValueError for anything else."""
    match = _URL.match(url.strip())
    if match is None or not 0 < int(match.group("port")) < 65536:
        raise ValueError("a clamd address looks like tcp://127.0.0.1:3310")
    return match.group("host").strip("[]"), int(match.group("port"))


def parse_verdict(reply: str) -> ScanVerdict:
    """Read clamd's reply to one INSTREAM: `stream: OK`, `stream: <signature> FOUND` or `<problem> ERROR`."""
    text = reply.rstrip("\0").strip()
    if text == "stream: OK":
        return ScanVerdict(is_infected=False)
    if text.startswith("stream: ") and text.endswith(" FOUND"):
        signature = text.removeprefix("stream: ").removesuffix(" FOUND").strip()
        if signature:
            return ScanVerdict(is_infected=True, signature=signature)
    if text.endswith("ERROR"):
        raise ScanFailed(f"clamd could not scan the file: {text.removesuffix('ERROR').strip()}")
    raise ScanFailed(f"clamd gave an answer Creatorly does not understand: {text[:200]!r}")


def _pieces(chunk: bytes) -> list[memoryview]:
    view = memoryview(chunk)
    return [view[start : start + CHUNK_BYTES] for start in range(0, len(view), CHUNK_BYTES)]


def _forget(answer: asyncio.Future[bytes]) -> None:
    """Stop listening; an answer that failed unheard is retrieved so asyncio does not report it as lost."""
    if answer.done() and not answer.cancelled():
        answer.exception()
    answer.cancel()


class ClamdScanner:
    """A clamd daemon reached over TCP; one connection per scan (clamd's INSTREAM takes one file each)."""

    name = "clamd"

    def __init__(self, url: str, *, timeout_seconds: float, verdict_timeout_seconds: float = 300.0) -> None:
        self._host, self._port = parse_clamd_url(url)
        self._timeout = timeout_seconds
        # After the last byte clamd scans the whole file before it answers (its own MaxScanTime bounds that).
        self._verdict_timeout = max(timeout_seconds, verdict_timeout_seconds)

    async def ping(self) -> None:
        reader, writer = await self._connect()
        try:
            await self._send(writer, b"zPING\0")
            reply = await self._reply(asyncio.ensure_future(reader.readuntil(b"\0")), wait_seconds=self._timeout)
        finally:
            await self._close(writer)
        if reply != "PONG":
            raise ScannerUnavailable(f"clamd answered {reply[:100]!r} to PING")

    async def scan(self, chunks: AsyncIterator[bytes]) -> ScanVerdict:
        reader, writer = await self._connect()
        try:
            await self._send(writer, b"zINSTREAM\0")
            # Listening while sending: clamd answers early (and then drops the connection) when the stream passes
            # its StreamMaxLength, and that answer must be heard before the broken connection hides it.
            answer = asyncio.ensure_future(reader.readuntil(b"\0"))
            try:
                try:
                    await self._send_stream(writer, chunks, answer)
                except ScannerUnavailable:
                    reply = await self._reply(answer, wait_seconds=self._timeout)
                else:
                    reply = await self._reply(answer, wait_seconds=self._verdict_timeout)
            finally:
                _forget(answer)
        finally:
            await self._close(writer)
        return parse_verdict(reply)

    async def _send_stream(
        self, writer: asyncio.StreamWriter, chunks: AsyncIterator[bytes], answer: asyncio.Future[bytes]
    ) -> None:
        """Each piece as a 4-byte big-endian length and its bytes, then a zero length; stop at an early answer."""
        async for chunk in chunks:
            for piece in _pieces(chunk):
                if answer.done():
                    return
                await self._send(writer, struct.pack(">I", len(piece)), piece)
        await self._send(writer, _END_OF_STREAM)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.wait_for(asyncio.open_connection(self._host, self._port), self._timeout)
        except (OSError, TimeoutError) as error:
            raise ScannerUnavailable(f"clamd at {self._host}:{self._port} is unreachable: {error!r}") from error

    async def _send(self, writer: asyncio.StreamWriter, *parts: bytes | memoryview) -> None:
        try:
            for part in parts:
                writer.write(part)
            await asyncio.wait_for(writer.drain(), self._timeout)
        except (OSError, TimeoutError) as error:
            raise ScannerUnavailable(f"clamd stopped taking the stream: {error!r}") from error

    async def _reply(self, answer: asyncio.Future[bytes], *, wait_seconds: float) -> str:
        try:
            raw = await asyncio.wait_for(answer, wait_seconds)
        except asyncio.IncompleteReadError as error:
            raw = error.partial  # the connection closed: a reply without its terminator still says what happened
        except asyncio.LimitOverrunError as error:
            raise ScanFailed("clamd's reply was too long") from error
        except (OSError, TimeoutError) as error:
            raise ScannerUnavailable(f"clamd did not answer: {error!r}") from error
        if not raw:
            raise ScannerUnavailable("clamd closed the connection without an answer")
        return raw.rstrip(b"\0").decode("utf-8", errors="replace").strip()

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        with suppress(OSError, TimeoutError):  # the connection is gone either way
            await asyncio.wait_for(writer.wait_closed(), self._timeout)
