"""Membership jobs: renewals due, trial conversions, retries of failed renewals and grace expiry (sandbox)."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.memberships import events as membership_events  # noqa: F401  (registers handlers)
from creatorly.services.memberships import renewals

huey = queue.huey


@huey.task(retries=0, context=False)
def run_due_memberships() -> int:
    """Idempotent: a period's renewal order has a fixed id and each charge attempt a fixed idempotency key."""
    return run_async(renewals.run_due())


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_due_memberships() -> int:
    """The sweeper: whatever came due since the last run (by the memberships clock) is renewed or retried."""
    return run_async(renewals.run_due())


queue.register(renewals.RUN_DUE_JOB, run_due_memberships)
