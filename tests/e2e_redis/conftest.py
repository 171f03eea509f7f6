"""Browser tests across hosts behind one Redis: host A serves the pages (several Reflex workers, state in
Redis), host B is a backend-only host (`creatorly start --backend-only`) that receives the payment webhooks,
both on one database. Skipped when Redis is not answering.

A separate pytest run from tests/e2e (see the Makefile): host A's production build bakes its own URL into
the frontend bundle, which must not replace the bundle the other browser tests' app is serving.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import TEST_DATA_DIR
from tests.e2e.conftest import APP_START_TIMEOUT_SECONDS, _is_healthy
from tests.e2e.conftest import browser_type_launch_args as browser_type_launch_args
from tests.e2e.console import console_errors_fail_the_test as console_errors_fail_the_test
from tests.processes import free_port, process_environment, running, wait_until

REDIS_URL = os.environ.get("CREATORLY_TEST_E2E_REDIS_URL", "redis://127.0.0.1:6379/13")


@dataclass(frozen=True, slots=True)
class TwoHosts:
    pages_url: str  # host A: pages, API and websockets
    backend_url: str  # host B: API, webhooks and websockets only
    pages_log: Path
    backend_log: Path


def _redis_answers() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _flush_redis() -> None:
    """This run's own Redis database starts empty (no tab state or queued jobs from an earlier run)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def _cli(*arguments: str, environment: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "creatorly.cli", *arguments], check=True, env=environment, timeout=600)


@pytest.fixture(scope="session")
def two_hosts() -> Iterator[TwoHosts]:
    if not _redis_answers():
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    _flush_redis()
    data_dir = TEST_DATA_DIR / "e2e-redis"
    pages_port, backend_port = free_port(), free_port()
    pages_url, backend_url = f"http://localhost:{pages_port}", f"http://localhost:{backend_port}"
    shared = {
        "data_dir": str(data_dir),
        "database_url": f"sqlite:///{data_dir / 'creatorly.db'}",
        "redis_url": REDIS_URL,
        "log_level": "INFO",
        "rate_limit_sign_up": "100/hour",
        "rate_limit_sign_in": "50/5 minutes",
        "rate_limit_account_email": "50/hour",
    }
    # One public URL, as behind a load balancer; only the job worker is told to post webhooks to host B.
    pages = {**shared, "port": str(pages_port), "public_url": pages_url}
    backend = {**shared, "port": str(backend_port), "public_url": pages_url}
    to_backend = {**shared, "public_url": backend_url}
    environment = process_environment(**pages)
    _cli("migrate", environment=environment)
    _cli("seed-demo", environment=environment)
    start = [sys.executable, "-m", "creatorly.cli", "start"]
    # The job worker delivers the sandbox gateway's webhooks to its public URL: host B.
    worker = [sys.executable, "-m", "creatorly.cli", "worker", "--workers", "2"]
    with (
        running(start, log_path=TEST_DATA_DIR / "e2e-redis-pages.log", **pages) as pages_process,
        running(worker, log_path=TEST_DATA_DIR / "e2e-redis-worker.log", **to_backend),
    ):
        _wait_healthy(pages_process, pages_url, "e2e-redis-pages.log", pages=True)
        with running(
            [*start, "--backend-only"], log_path=TEST_DATA_DIR / "e2e-redis-backend.log", **backend
        ) as backend_process:
            _wait_healthy(backend_process, backend_url, "e2e-redis-backend.log", pages=False)
            yield TwoHosts(
                pages_url=pages_url,
                backend_url=backend_url,
                pages_log=TEST_DATA_DIR / "e2e-redis-pages.log",
                backend_log=TEST_DATA_DIR / "e2e-redis-backend.log",
            )


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log_name: str, *, pages: bool) -> None:
    import httpx

    def is_up() -> bool:
        if pages:
            return _is_healthy(url)
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    log_path = TEST_DATA_DIR / log_name
    wait_until(
        lambda: process.poll() is not None or is_up(),
        timeout_seconds=APP_START_TIMEOUT_SECONDS,
        what=f"{url} (log: {log_path})",
        interval=1.0,
    )
    if process.poll() is not None:
        raise AssertionError(f"{url} exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In one run with tests/e2e (a bare `pytest`), these wait for their own run (`make e2e` does both)."""
    if not any("tests/e2e/" in item.nodeid for item in items):
        return
    wait = pytest.mark.skip(reason="tests/e2e_redis builds its own app: run it apart, e.g. `pytest tests/e2e_redis`")
    for item in items:
        if "tests/e2e_redis/" in item.nodeid:
            item.add_marker(wait)
