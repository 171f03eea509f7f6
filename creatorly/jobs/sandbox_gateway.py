"""Sandbox gateway jobs: deliver one signed webhook with backoff, settle payout transfers; sweep for lost jobs."""

from __future__ import annotations

from huey import crontab
from huey.exceptions import RetryTask

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.sandbox_gateway import payouts as sandbox_payouts
from creatorly.services.sandbox_gateway import service as sandbox_gateway
from creatorly.services.sandbox_gateway.schemas import DeliveryResult

huey = queue.huey


@huey.task(retries=0, context=False)
def deliver_sandbox_webhook(webhook_id: int) -> str:
    """Idempotent: a delivered, abandoned, not-yet-due or claimed webhook is skipped."""
    outcome = run_async(sandbox_gateway.deliver_webhook(webhook_id=webhook_id))
    if outcome.result is DeliveryResult.RETRY_LATER:
        raise RetryTask(f"sandbox webhook {webhook_id} will be retried", delay=outcome.retry_in_seconds)
    return outcome.result.value


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_sandbox_webhooks() -> int:
    """Re-enqueue undelivered webhooks that were due a while ago and are held by no worker."""
    lost = run_async(sandbox_gateway.find_due_webhook_ids())
    for webhook_id in lost:
        deliver_sandbox_webhook(webhook_id)
    return len(lost)


@huey.task(retries=0, context=False)
def settle_sandbox_payout(transfer_id: int) -> str:
    """Idempotent: waits (by retrying later) until the transfer is due; a settled transfer is skipped."""
    remaining_seconds = run_async(sandbox_payouts.settle_transfer(transfer_id=transfer_id))
    if remaining_seconds is not None:
        raise RetryTask(f"sandbox payout {transfer_id} settles later", delay=remaining_seconds)
    return "settled_or_skipped"


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_sandbox_payouts() -> int:
    """Re-enqueue transfers in transit that were due a while ago: their settle job was lost."""
    lost = run_async(sandbox_payouts.find_due_transfer_ids())
    for transfer_id in lost:
        settle_sandbox_payout(transfer_id)
    return len(lost)


queue.register(sandbox_gateway.DELIVER_JOB, deliver_sandbox_webhook)
queue.register(sandbox_payouts.SETTLE_JOB, settle_sandbox_payout)
