"""Checkout jobs: periodically expire orders whose buyer never paid."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.checkout import service as checkout

huey = queue.huey


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def expire_abandoned_orders() -> int:
    """Idempotent: only pending orders past their expiry change, each under its row lock."""
    return run_async(checkout.expire_abandoned_orders())
