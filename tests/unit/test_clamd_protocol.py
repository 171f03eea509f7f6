"""The clamd provider speaks clamd's protocol: zINSTREAM framing, verdicts, PING, limits and an absent daemon."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator, Iterable

import pytest

from creatorly.providers.scanning.base import ScanFailed, ScannerUnavailable, ScanVerdict
from creatorly.providers.scanning.clamd import CHUNK_BYTES, ClamdScanner, parse_clamd_url, parse_verdict
from tests.clamd import EICAR, REPORTED_SIGNATURE, Clamd
from tests.clamd import clamd as clamd  # a fixture
from tests.clamd import small_stream_clamd as small_stream_clamd  # a fixture
from tests.processes import free_port


async def _stream(parts: Iterable[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _scanner(url: str, *, timeout_seconds: float = 5) -> ClamdScanner:
    return ClamdScanner(url, timeout_seconds=timeout_seconds, verdict_timeout_seconds=timeout_seconds)


async def test_a_harmless_stream_is_clean(clamd: Clamd) -> None:
    verdict = await _scanner(clamd.url).scan(_stream([b"Chapter one\n", b"It was a quiet morning.\n"]))
    assert verdict == ScanVerdict(is_infected=False, signature="")


async def test_an_empty_stream_is_clean(clamd: Clamd) -> None:
    assert await _scanner(clamd.url).scan(_stream([])) == ScanVerdict(is_infected=False)


async def test_the_eicar_file_is_found_with_its_signature(clamd: Clamd) -> None:
    verdict = await _scanner(clamd.url).scan(_stream([EICAR]))
    assert verdict == ScanVerdict(is_infected=True, signature=REPORTED_SIGNATURE)


async def test_eicar_split_into_one_byte_chunks_is_still_found(clamd: Clamd) -> None:
    verdict = await _scanner(clamd.url).scan(_stream([bytes([byte]) for byte in EICAR]))
    assert verdict == ScanVerdict(is_infected=True, signature=REPORTED_SIGNATURE)


async def test_eicar_after_several_megabytes_in_oversized_chunks_is_found(clamd: Clamd) -> None:
    # Chunks larger than the provider's piece size are cut into pieces; the signature spans a piece boundary.
    prefix = b"a" * (3 * CHUNK_BYTES - 20)
    verdict = await _scanner(clamd.url).scan(_stream([prefix + EICAR + b"\n" * 10]))
    assert verdict == ScanVerdict(is_infected=True, signature=REPORTED_SIGNATURE)


async def test_ping_is_answered(clamd: Clamd) -> None:
    await _scanner(clamd.url).ping()
    assert clamd.started_in_seconds < 5  # a one-signature database loads in well under a second


async def test_a_stream_past_stream_max_length_is_a_failed_scan_not_a_clean_file(small_stream_clamd: Clamd) -> None:
    with pytest.raises(ScanFailed) as raised:
        await _scanner(small_stream_clamd.url).scan(_stream([b"x" * CHUNK_BYTES] * 3))
    assert "size limit exceeded" in raised.value.message
    assert raised.value.is_retryable is False


async def test_no_daemon_listening_is_retryable() -> None:
    scanner = _scanner(f"tcp://127.0.0.1:{free_port()}")
    with pytest.raises(ScannerUnavailable) as raised:
        await scanner.scan(_stream([b"hello"]))
    assert raised.value.is_retryable is True
    with pytest.raises(ScannerUnavailable):
        await scanner.ping()


async def test_a_daemon_that_stops_answering_times_out_as_unavailable() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)  # takes everything, answers nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(ScannerUnavailable):
            await _scanner(f"tcp://127.0.0.1:{port}", timeout_seconds=0.3).scan(_stream([b"hello"]))
    finally:
        server.close()


async def test_the_stream_is_framed_as_big_endian_lengths_ending_with_zero() -> None:
    received = bytearray()

    async def recorder(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.readexactly(len(b"zINSTREAM\0") + 4 + 3 + 4 + 2 + 4))
        writer.write(b"stream: OK\0")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(recorder, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        verdict = await _scanner(f"tcp://127.0.0.1:{port}").scan(_stream([b"abc", b"", b"de"]))
    finally:
        server.close()
    assert verdict == ScanVerdict(is_infected=False)
    expected = b"zINSTREAM\0" + struct.pack(">I", 3) + b"abc" + struct.pack(">I", 2) + b"de" + struct.pack(">I", 0)
    assert bytes(received) == expected


def test_replies_are_read_strictly() -> None:
    assert parse_verdict("stream: OK") == ScanVerdict(is_infected=False)
    assert parse_verdict("stream: Win.Test.EICAR_HDB-1 FOUND\0") == ScanVerdict(True, "Win.Test.EICAR_HDB-1")
    with pytest.raises(ScanFailed):
        parse_verdict("INSTREAM size limit exceeded. ERROR")
    with pytest.raises(ScanFailed):
        parse_verdict("stream: OKAY")  # anything but exactly OK is not clean
    with pytest.raises(ScanFailed):
        parse_verdict("")


def test_only_tcp_addresses_are_accepted() -> None:
    assert parse_clamd_url("tcp://127.0.0.1:3310") == ("127.0.0.1", 3310)
    assert parse_clamd_url("tcp://clamav.internal:3310/") == ("clamav.internal", 3310)
    assert parse_clamd_url("tcp://[::1]:3310") == ("::1", 3310)
    for wrong in ("unix:///run/clamav/clamd.ctl", "tcp://127.0.0.1", "http://127.0.0.1:3310", "tcp://h:0"):
        with pytest.raises(ValueError, match="tcp://"):
            parse_clamd_url(wrong)
