"""Browser tests: build and start the real app once per session, then drive system Chromium with Playwright."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from tests.conftest import TEST_DATA_DIR
from tests.e2e.console import console_errors_fail_the_test as console_errors_fail_the_test
from tests.localstripe import running_localstripe, send_webhooks_to
from tests.processes import free_port, process_environment, running, wait_until

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
APP_START_TIMEOUT_SECONDS = 600  # a first production build on a fresh machine installs the npm packages


def _chromium_path() -> str | None:
    """System Chromium when present (Debian's package); None lets Playwright use its own browser build."""
    configured = os.environ.get("CREATORLY_TEST_CHROMIUM", "")
    for candidate in (
        configured,
        "/usr/bin/chromium",
        shutil.which("chromium") or "",
        shutil.which("chromium-browser") or "",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = _chromium_path()
    if executable is None and not _playwright_has_its_own_chromium():
        pytest.fail("No Chromium for the browser tests: run `make test` (it installs Debian's chromium as root).")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


def _playwright_has_its_own_chromium() -> bool:
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH", Path.home() / ".cache" / "ms-playwright"))
    return any(cache.glob("chromium*/chrome-linux*/chrome"))


def _cli(*arguments: str, environment: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "creatorly.cli", *arguments], check=True, env=environment, timeout=600)


STRIPE_WEBHOOK_SECRET = "whsec_e2e"


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """localstripe with its fake Stripe.js: the e2e app sends EUR sales to it (USD ones to the sandbox)."""
    TEST_DATA_DIR.mkdir(parents=True, exist_ok=True)
    with running_localstripe(TEST_DATA_DIR / "e2e-localstripe.log") as url:
        yield url


@pytest.fixture(scope="session")
def app_environment(app_url: str) -> dict[str, str]:
    """The environment the e2e app runs with, for commands that must work on its database."""
    return _APP_ENVIRONMENT


_APP_ENVIRONMENT: dict[str, str] = {}


@pytest.fixture(scope="session")
def app_url(localstripe_url: str) -> Iterator[str]:
    """The production build of Creatorly on a free port, with its own SQLite database and demo data."""
    port = free_port()
    data_dir = TEST_DATA_DIR / "e2e"
    settings = {
        "stripe_secret_key": "sk_test_e2e",
        "stripe_publishable_key": "pk_test_e2e",
        "stripe_webhook_secret": STRIPE_WEBHOOK_SECRET,
        "stripe_api_base": localstripe_url,
        "payment_routing": "EUR:stripe,*:sandbox",
        "port": str(port),
        "public_url": f"http://localhost:{port}",
        "data_dir": str(data_dir),
        "database_url": f"sqlite:///{data_dir / 'creatorly.db'}",
        "redis_url": "",
        "log_level": "INFO",
        "rate_limit_sign_up": "100/hour",  # every browser test signs up from 127.0.0.1
        "rate_limit_sign_in": "50/5 minutes",
        "rate_limit_account_email": "50/hour",
        "sandbox_payout_settle_seconds": "1",  # payouts go pending → paid within the browser test
    }
    environment = process_environment(**settings)
    _APP_ENVIRONMENT.update(environment)
    send_webhooks_to(localstripe_url, f"http://localhost:{port}/api/webhooks/stripe", secret=STRIPE_WEBHOOK_SECRET)
    _cli("migrate", environment=environment)
    _cli("seed-demo", environment=environment)
    url = f"http://localhost:{port}"
    log_path = TEST_DATA_DIR / "e2e-app.log"
    with running([sys.executable, "-m", "creatorly.cli", "serve"], log_path=log_path, **settings) as process:
        wait_until(
            lambda: process.poll() is not None or _is_healthy(url),
            timeout_seconds=APP_START_TIMEOUT_SECONDS,
            what=f"the app at {url} (log: {log_path})",
            interval=1.0,
        )
        if process.poll() is not None:
            raise AssertionError(f"the app exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        yield url
        _stop_as_ctrl_c_does(process)


STOP_LIMIT_SECONDS = 10.0


def _stop_as_ctrl_c_does(process: subprocess.Popen[bytes]) -> None:
    """`make run` must stop within 10 s of Ctrl+C (SIGINT to `creatorly serve`), leaving no process behind."""
    family = psutil.Process(process.pid).children(recursive=True)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"creatorly serve was still running {STOP_LIMIT_SECONDS:.0f} s after Ctrl+C") from None
    _, alive = psutil.wait_procs(family, timeout=max(0.0, STOP_LIMIT_SECONDS - (time.monotonic() - started)))
    assert not alive, f"still running after Ctrl+C: {[child.cmdline() for child in alive]}"


def _is_healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200 and httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
