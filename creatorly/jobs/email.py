"""Email jobs: deliver one outbox message; sweep for messages whose job was lost."""

from __future__ import annotations

from huey import crontab
from huey.exceptions import RetryTask

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.email import service as email_service
from creatorly.services.email.schemas import DeliveryResult

huey = queue.huey


@huey.task(retries=0, context=False)
def deliver_email(email_id: int) -> str:
    """Idempotent: a sent, failed or claimed message is skipped."""
    outcome = run_async(email_service.deliver_email(email_id=email_id))
    if outcome.result is DeliveryResult.RETRY_LATER:
        raise RetryTask(f"email {email_id} will be retried", delay=outcome.retry_in_seconds)
    return outcome.result.value


@huey.periodic_task(crontab(minute=f"*/{settings.sweeper_interval_minutes}"), context=False)
def sweep_outbox() -> int:
    """Re-enqueue pending messages that were due a while ago and are held by no worker."""
    lost = run_async(email_service.find_lost_email_ids())
    for email_id in lost:
        deliver_email(email_id)
    return len(lost)


queue.register(email_service.DELIVER_JOB, deliver_email)
