"""Sandbox gateway jobs: deliver one signed webhook with backoff; sweep for webhooks whose job was lost."""

from __future__ import annotations

from huey import crontab
from huey.exceptions import RetryTask

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
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


queue.register(sandbox_gateway.DELIVER_JOB, deliver_sandbox_webhook)
