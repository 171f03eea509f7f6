"""Membership jobs: renewals due, trial conversions, retries of failed renewals and grace expiry (sandbox); the
plan change at Razorpay after a paid upgrade."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.memberships import events as membership_events  # noqa: F401  (registers handlers)
from creatorly.services.memberships import razorpay_upgrades, renewals

huey = queue.huey


@huey.task(retries=0, context=False)
def run_due_memberships() -> int:
    """Idempotent: a period's renewal order has a fixed id and each charge attempt a fixed idempotency key."""
    return run_async(renewals.run_due())


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_due_memberships() -> int:
    """The sweeper: whatever came due since the last run (by the memberships clock) is renewed or retried."""
    return run_async(renewals.run_due())


class PlanChangeNotPushed(RuntimeError):
    """Razorpay did not take the plan change (recorded on the subscription); Huey asks again."""


@huey.task(retries=288, retry_delay=300, context=False)
def push_razorpay_plan_change(order_public_id: str) -> str:
    """Idempotent; asks Razorpay again every five minutes for a day until the plan change is scheduled."""
    outcome = run_async(razorpay_upgrades.push_plan_change(order_public_id))
    if outcome is razorpay_upgrades.PlanPush.FAILED:
        raise PlanChangeNotPushed(f"razorpay plan change after upgrade {order_public_id} not scheduled yet")
    return outcome.value


queue.register(renewals.RUN_DUE_JOB, run_due_memberships)
queue.register(razorpay_upgrades.PUSH_PLAN_CHANGE_JOB, push_razorpay_plan_change)
