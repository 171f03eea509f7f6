"""Paid-session jobs: settle one booking (enqueued when it becomes due), ask the provider for a settlement's
refund, and the periodic batch (settle what is due, send reminders, expire unpaid requests, ask again for
refunds no provider acknowledged)."""

from __future__ import annotations

from huey import crontab

from creatorly import queue
from creatorly.config import settings
from creatorly.jobs.runtime import run_async
from creatorly.services.refunds import service as refunds
from creatorly.services.sessions import booking, fulfilment, reminders, settlement

huey = queue.huey
_EVERY = crontab(minute=f"*/{settings.sweeper_interval_minutes}")


@huey.task(retries=12, retry_delay=300, context=False)
def settle_session_booking(booking_id: int) -> str:
    """Idempotent: the booking row is locked and the ledger posts once per order."""
    return run_async(settlement.settle_booking(booking_id=booking_id))


@huey.task(retries=288, retry_delay=300, context=False)
def send_session_refund(refund_id: int) -> str:
    """Asks with the refund's own idempotency key, so a retry is the same refund; retried for a day."""
    return run_async(refunds.send_settlement_refund(refund_id=refund_id))


@huey.periodic_task(_EVERY, context=False)
def settle_due_sessions() -> dict[str, int]:
    return run_async(settlement.settle_due_sessions())


@huey.periodic_task(crontab(minute="*"), context=False)
def send_session_reminders() -> int:
    return run_async(reminders.send_due_reminders())


@huey.periodic_task(_EVERY, context=False)
def expire_session_requests() -> int:
    return run_async(booking.expire_unpaid_requests())


@huey.periodic_task(_EVERY, context=False)
def sweep_session_refunds() -> int:
    """Settlement refunds whose job was lost, or whose provider was down for a day: asked again."""
    ids = run_async(refunds.pending_settlement_refund_ids())
    for refund_id in ids:
        queue.enqueue(settlement.SEND_REFUND_JOB, refund_id)
    return len(ids)


queue.register(fulfilment.SETTLE_JOB, settle_session_booking)
queue.register(settlement.SEND_REFUND_JOB, send_session_refund)
