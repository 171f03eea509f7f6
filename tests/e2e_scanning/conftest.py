"""Browser tests of upload scanning: the app (with its worker) runs against a private clamd.

A separate pytest run from tests/e2e (like tests/e2e_redis): this app's production build, with its own settings,
must not replace the bundle the other browser tests' app is serving. Skipped when clamd is not installed.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.clamd import Clamd, clamd_binary
from tests.conftest import TEST_DATA_DIR
from tests.e2e.conftest import APP_START_TIMEOUT_SECONDS, _is_healthy
from tests.e2e.conftest import browser_type_launch_args as browser_type_launch_args
from tests.e2e.console import console_errors_fail_the_test as console_errors_fail_the_test
from tests.processes import free_port, process_environment, running, wait_until


@dataclass(frozen=True, slots=True)
class ScanningApp:
    url: str
    clamd: Clamd


@pytest.fixture(scope="session")
def scanning_app() -> Iterator[ScanningApp]:
    if clamd_binary() is None:
        pytest.skip("SKIPPED LOUDLY: no clamd binary (`make test` installs Debian's clamav-daemon)")
    data_dir = TEST_DATA_DIR / "e2e-scanning"
    data_dir.mkdir(parents=True, exist_ok=True)
    daemon = Clamd(data_dir / "clamd")
    daemon.start()
    port = free_port()
    url = f"http://localhost:{port}"
    settings = {
        "port": str(port),
        "public_url": url,
        "data_dir": str(data_dir),
        "database_url": f"sqlite:///{data_dir / 'creatorly.db'}",
        "redis_url": "",
        "clamav_url": daemon.url,
        "log_level": "INFO",
        "rate_limit_sign_up": "100/hour",
        "rate_limit_sign_in": "50/5 minutes",
        "rate_limit_account_email": "50/hour",
    }
    subprocess.run(
        [sys.executable, "-m", "creatorly.cli", "migrate"], check=True, env=process_environment(**settings), timeout=600
    )
    log_path = TEST_DATA_DIR / "e2e-scanning-app.log"
    try:
        with running([sys.executable, "-m", "creatorly.cli", "serve"], log_path=log_path, **settings) as process:
            wait_until(
                lambda: process.poll() is not None or _is_healthy(url),
                timeout_seconds=APP_START_TIMEOUT_SECONDS,
                what=f"the app at {url} (log: {log_path})",
                interval=1.0,
            )
            if process.poll() is not None:
                raise AssertionError(f"the app exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
            yield ScanningApp(url=url, clamd=daemon)
    finally:
        daemon.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In one run with tests/e2e (a bare `pytest`), these wait for their own run."""
    if not any("tests/e2e/" in item.nodeid for item in items):
        return
    wait = pytest.mark.skip(reason="tests/e2e_scanning builds its own app: run it apart, `pytest tests/e2e_scanning`")
    for item in items:
        if "tests/e2e_scanning/" in item.nodeid:
            item.add_marker(wait)
