"""Start our own processes (worker, app) for tests, with this run's settings, and stop them cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from creatorly import db
from creatorly.cli import PROJECT_ROOT

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, timeout_seconds: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout_seconds}s waiting for {what}")


def process_environment(**overrides: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    environment.update({f"CREATORLY_{name.upper()}": value for name, value in overrides.items()})
    return environment


@contextmanager
def running(arguments: list[str], *, log_path: Path, **settings: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run a command in its own process group with the test settings; SIGTERM (then kill) at the end."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            arguments,
            cwd=PROJECT_ROOT,
            env=process_environment(**settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def worker_command() -> list[str]:
    return [sys.executable, "-m", "creatorly.cli", "worker", "--workers", "2"]


def in_fresh_thread(function: Callable[..., T], *arguments: object) -> T:
    """Run blocking code that starts its own event loop (asyncio.run, Alembic) outside any running loop.

    Playwright's sync API keeps a loop running on the main thread for the whole session.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *arguments).result()


def run_async(coroutine: Coroutine[object, object, T]) -> T:
    """asyncio.run in a fresh thread, closing that loop's database connections afterwards."""

    async def run_and_dispose() -> T:
        try:
            return await coroutine
        finally:
            await db.dispose_engine()

    return in_fresh_thread(asyncio.run, run_and_dispose())


@contextmanager
def serving(app: Any, *, lifespan: str = "off") -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free local port in a background thread; yield its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan))
    thread = threading.Thread(target=server.run, name=f"test-server-{port}", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout_seconds=10, what=f"the test server on port {port} to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
