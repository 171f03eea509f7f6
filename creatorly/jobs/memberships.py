"""Membership jobs: renewals due, trial conversions, retries of failed renewals and grace expiry (sandbox); the
plan change at Razorpay after a paid upgrade; cancelling, and refunding the charges of, a resume that came too late;
the sweep that queues those three again when their job was lost."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.memberships import events as membership_events  # noqa: F401  (registers handlers)
from creatorly.services.memberships import razorpay_resume_cleanup, razorpay_sweep, razorpay_upgrades, renewals

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


class ResumeCleanupNotDone(RuntimeError):
    """Razorpay did not take the cancel or the refund yet (recorded on the subscription); Huey asks again."""


def _done_or_retry(outcome: razorpay_resume_cleanup.Cleanup, what: str) -> str:
    if outcome is razorpay_resume_cleanup.Cleanup.FAILED:
        raise ResumeCleanupNotDone(f"{what} not done yet")
    return outcome.value


@huey.task(retries=288, retry_delay=300, context=False)
def cancel_unlinked_razorpay_resume(subscription_id: int, razorpay_id: str) -> str:
    """Idempotent; asks Razorpay every five minutes for a day until the too-late resume subscription is cancelled."""
    outcome = run_async(
        razorpay_resume_cleanup.cancel_unlinked(subscription_id=subscription_id, razorpay_id=razorpay_id)
    )
    return _done_or_retry(outcome, f"razorpay cancel of resume {razorpay_id}")


@huey.task(retries=288, retry_delay=300, context=False)
def refund_unlinked_razorpay_resume_charge(subscription_id: int, payment_id: str) -> str:
    """Idempotent (the refund carries our key); asks Razorpay every five minutes for a day until it is refunded."""
    outcome = run_async(
        razorpay_resume_cleanup.refund_unlinked_charge(subscription_id=subscription_id, payment_id=payment_id)
    )
    return _done_or_retry(outcome, f"razorpay refund of resume charge {payment_id}")


_RAZORPAY_WORK = {
    razorpay_upgrades.PUSH_PLAN_CHANGE_JOB: push_razorpay_plan_change,
    razorpay_resume_cleanup.CANCEL_JOB: cancel_unlinked_razorpay_resume,
    razorpay_resume_cleanup.REFUND_JOB: refund_unlinked_razorpay_resume_charge,
}


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_razorpay_membership_work() -> int:
    """Queue again, for one attempt each, plan changes, cancels and refunds due at Razorpay whose job was lost (never
    queued, or out of retries). Each is claimed for razorpay_sweep.LEASE first, so the sweep is its retry from then
    on without ever stacking up attempts; the jobs are idempotent, so one that was only slow asks for nothing twice."""
    lost = run_async(razorpay_sweep.claim_lost_work())
    for work in lost:
        _RAZORPAY_WORK[work.job].schedule(args=work.arguments, delay=0, retries=0)
    return len(lost)


queue.register(renewals.RUN_DUE_JOB, run_due_memberships)
queue.register(razorpay_upgrades.PUSH_PLAN_CHANGE_JOB, push_razorpay_plan_change)
queue.register(razorpay_resume_cleanup.CANCEL_JOB, cancel_unlinked_razorpay_resume)
queue.register(razorpay_resume_cleanup.REFUND_JOB, refund_unlinked_razorpay_resume_charge)
