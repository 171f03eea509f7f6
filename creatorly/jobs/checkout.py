"""Checkout jobs: periodically expire orders whose buyer never paid; record Stripe's fee after a sale."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout import stripe_fees

huey = queue.huey


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def expire_abandoned_orders() -> int:
    """Idempotent: only orders waiting for payment past their expiry change, each under its row lock."""
    return run_async(checkout.expire_abandoned_orders())


class FeeNotReported(RuntimeError):
    """Stripe has not put the fee on the charge yet; Huey asks again."""


@huey.task(retries=288, retry_delay=300, context=False)
def sync_stripe_fee(order_id: int) -> str:
    """Idempotent; asks again every five minutes for a day until Stripe reports the fee."""
    outcome = run_async(stripe_fees.sync_stripe_fee(order_id))
    if outcome is stripe_fees.FeeSync.NOT_YET:
        raise FeeNotReported(f"stripe fee of order {order_id} not reported yet")
    return outcome.value


queue.register(stripe_fees.SYNC_FEE_JOB, sync_stripe_fee)
