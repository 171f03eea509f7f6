"""Payout jobs: submit one payout to its provider; open scheduled payouts; sweep for payouts never submitted."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.payouts import service as payouts

huey = queue.huey


@huey.task(retries=0, context=False)
def submit_payout(public_id: str) -> str:
    """Idempotent: a payout already handed to its provider, or no longer pending, is left alone."""
    return run_async(payouts.submit_payout(public_id))


@huey.periodic_task(crontab(minute="*/15"), context=False)
def run_scheduled_payouts() -> int:
    """Idempotent: each creator's due moment is claimed once, and one payout per currency can be open."""
    return run_async(payouts.run_scheduled_payouts()).opened


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_unsubmitted_payouts() -> int:
    """Re-enqueue pending payouts that were never handed to their provider (a lost job or a retryable error)."""
    lost = run_async(payouts.find_lost_payouts())
    for public_id in lost:
        submit_payout(public_id)
    return len(lost)


queue.register(payouts.SUBMIT_JOB, submit_payout)
