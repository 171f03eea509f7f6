"""A localstripe server (a stateful Stripe API stand-in with a fake Stripe.js) for integration and browser tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.processes import free_port, running, wait_until

# localstripe lacks two subscription parameters Creatorly sends, so it runs with them added, as Stripe documents
# them: `pause_collection` ({behavior: void} to pause, '' to resume) and `proration_behavior: none` (no
# "unused time" credit on a price change). Every update then sends `customer.subscription.updated`, as Stripe does.
_LOCALSTRIPE_LIKE_STRIPE = """
import sys
from localstripe.resources import Event, InvoiceItem, Subscription, schedule_webhook
from localstripe.server import start

_init, _update = Subscription.__init__, Subscription._update


def _pending_items(subscription):
    return {item.id for item in InvoiceItem._api_list_all(None, customer=subscription.customer, limit=99)._list}


def _init_like_stripe(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.pause_collection = None


def _update_like_stripe(self, pause_collection=None, proration_behavior=None, **data):
    before = _pending_items(self)
    _update(self, **data)
    if proration_behavior == "none":
        for item_id in _pending_items(self) - before:
            InvoiceItem._api_delete(item_id)
    if pause_collection is not None:
        self.pause_collection = pause_collection or None
    schedule_webhook(Event("customer.subscription.updated", self))


Subscription.__init__ = _init_like_stripe
Subscription._update = _update_like_stripe
sys.exit(start())
"""


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
    # --from-scratch: never read the store another localstripe may be writing (a shared file in the temp dir).
    command = [sys.executable, "-c", _LOCALSTRIPE_LIKE_STRIPE, "--port", str(port), "--from-scratch"]
    with running(command, log_path=log_path):
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(f"{url}/v1/balance"), timeout_seconds=20, what="localstripe to start")
        yield url


def send_webhooks_to(localstripe_url: str, target_url: str, *, secret: str) -> None:
    """Have localstripe deliver its Stripe-signed events to `target_url`."""
    response = httpx.post(f"{localstripe_url}/_config/webhooks/creatorly", data={"url": target_url, "secret": secret})
    response.raise_for_status()
