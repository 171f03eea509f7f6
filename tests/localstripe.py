"""A localstripe server (a stateful Stripe API stand-in with a fake Stripe.js) for integration and browser tests."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.processes import free_port, running, wait_until


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.HTTPError:
        return False
    return True


@contextmanager
def running_localstripe(log_path: Path) -> Iterator[str]:
    """Start localstripe on a free port; yield its base URL (its Stripe.js is at {url}/js.stripe.com/v3/)."""
    port = free_port()
    command = shutil.which("localstripe", path=str(Path(sys.executable).parent)) or "localstripe"
    with running([command, "--port", str(port)], log_path=log_path):
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(f"{url}/v1/balance"), timeout_seconds=20, what="localstripe to start")
        yield url


def send_webhooks_to(localstripe_url: str, target_url: str, *, secret: str) -> None:
    """Have localstripe deliver its Stripe-signed events to `target_url`."""
    response = httpx.post(f"{localstripe_url}/_config/webhooks/creatorly", data={"url": target_url, "secret": secret})
    response.raise_for_status()
