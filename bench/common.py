"""What the benchmarks share: free ports, starting a server process until it answers, a light HTTP/1.1 load
generator on raw asyncio streams (so the client costs less CPU than the servers it measures), percentiles and
the machine's load."""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

START_SECONDS = 120
# The PostgreSQL server the benchmarks make their throw-away databases on (through its maintenance database).
BENCH_POSTGRES_URL = os.environ.get("CREATORLY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_url(database: str) -> str:
    """The URL of `database` on the benchmarks' PostgreSQL server."""
    parts = urlsplit(BENCH_POSTGRES_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def _on_server(*statements: str) -> None:
    admin = await asyncpg.connect(BENCH_POSTGRES_URL)
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()


async def fresh_database(database: str) -> None:
    """Drop `database` (closing its connections) and make it again, empty."""
    await _on_server(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')


async def drop_database(database: str) -> None:
    await _on_server(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    arguments: list[str], *, port: int, log_path: Path, environment: dict[str, str], health_path: str = "/health"
) -> subprocess.Popen[bytes]:
    """Start a server in its own session and wait until `health_path` answers (any status below 600)."""
    full_environment = dict(os.environ)
    full_environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full_environment.get('PATH', '')}"
    full_environment.update(environment)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            arguments, env=full_environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{arguments[:3]} exited with {process.returncode}; see {log_path}")
        try:
            httpx.get(f"http://127.0.0.1:{port}{health_path}", timeout=2)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{arguments[:3]} did not start; see {log_path}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def http_request(method: str, path: str, *, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    """One HTTP/1.1 request, keep-alive, as bytes ready to write."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    seconds: float
    body_bytes: int


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        await reader.readexactly(length)
        return status, length
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        await reader.readexactly(size + 2)
        total += size
        if size == 0:
            return status, total


async def hammer(port: int, requests: Sequence[bytes], *, connections: int, rate: float | None = None) -> list[Answer]:
    """Send every request over `connections` keep-alive connections, as fast as they answer (closed loop) or, with
    `rate`, started on a schedule of that many per second (open loop, latency measured from the scheduled
    start). A connection the server closes is opened again."""
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for number, request in enumerate(requests):
        queue.put_nowait((number, request))
    answers: list[Answer | None] = [None] * len(requests)
    started = time.perf_counter()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while not queue.empty():
                number, request = queue.get_nowait()
                due = started + number / rate if rate else time.perf_counter()
                if rate and (wait := due - time.perf_counter()) > 0:
                    await asyncio.sleep(wait)
                for _attempt in range(2):
                    try:
                        writer.write(request)
                        status, size = await _read_answer(reader)
                        break
                    except (asyncio.IncompleteReadError, ConnectionError):
                        writer.close()
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                else:
                    status, size = 0, 0
                answers[number] = Answer(status, time.perf_counter() - due, size)
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return [answer for answer in answers if answer is not None]


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(answers: Sequence[Answer], seconds: float) -> dict[str, float]:
    times = [answer.seconds for answer in answers]
    return {
        "per_second": len(answers) / seconds if seconds else 0.0,
        "p50_ms": percentile(times, 0.50) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "p99_ms": percentile(times, 0.99) * 1000,
        "median_ms": statistics.median(times) * 1000 if times else 0.0,
        "errors": sum(1 for answer in answers if not 200 <= answer.status < 300),
    }


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
