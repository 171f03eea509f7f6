"""What the operator watches besides request timings: work waiting and where the money is, read at scrape time.

A handful of grouped COUNT/MIN queries over indexed columns, whatever the size of the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from creatorly import db, queue
from creatorly.kit.clock import as_utc, utc_now
from creatorly.models import ExternalEvent, OutboxEmail, Payout
from creatorly.models.enums import EmailStatus, PayoutStatus


@dataclass(frozen=True, slots=True)
class OperationalFigures:
    jobs_pending: int
    jobs_scheduled: int
    outbox_pending: int
    outbox_oldest_seconds: float  # 0 when nothing waits
    outbox_failed: int
    webhooks_unhandled: int
    webhooks_oldest_unhandled_seconds: float
    payouts: dict[str, tuple[int, dict[str, int]]] = field(default_factory=dict)  # status → (count, {currency: sum})
    worker_heartbeat_age_seconds: float | None = None  # None: no worker has ever beaten


def _age(oldest: datetime | None, now: datetime) -> float:
    return max(0.0, (now - as_utc(oldest)).total_seconds()) if oldest is not None else 0.0


async def operational_figures() -> OperationalFigures:
    now = utc_now()
    async with db.transaction() as session:
        outbox = (
            await session.exec(
                select(OutboxEmail.status, func.count(), func.min(OutboxEmail.created_at))
                .where(col(OutboxEmail.status).in_([EmailStatus.PENDING, EmailStatus.FAILED]))
                .group_by(OutboxEmail.status)
            )
        ).all()
        unhandled = (
            await session.exec(
                select(func.count(), func.min(ExternalEvent.received_at)).where(col(ExternalEvent.handled_at).is_(None))
            )
        ).one()
        payouts = (
            await session.exec(
                select(Payout.status, Payout.currency, func.count(), func.sum(Payout.amount)).group_by(
                    Payout.status, Payout.currency
                )
            )
        ).all()
    by_status = {status: (count, oldest) for status, count, oldest in outbox}
    pending_count, pending_oldest = by_status.get(EmailStatus.PENDING, (0, None))
    payout_figures: dict[str, tuple[int, dict[str, int]]] = {status.value: (0, {}) for status in PayoutStatus}
    for status, currency, count, amount in payouts:
        total, sums = payout_figures.setdefault(str(status), (0, {}))
        sums[currency] = sums.get(currency, 0) + int(amount or 0)
        payout_figures[str(status)] = (total + count, sums)
    beat = queue.read_heartbeat()
    return OperationalFigures(
        jobs_pending=queue.huey.pending_count(),
        jobs_scheduled=queue.huey.scheduled_count(),
        outbox_pending=pending_count,
        outbox_oldest_seconds=_age(pending_oldest, now),
        outbox_failed=by_status.get(EmailStatus.FAILED, (0, None))[0],
        webhooks_unhandled=unhandled[0],
        webhooks_oldest_unhandled_seconds=_age(unhandled[1], now),
        payouts=payout_figures,
        worker_heartbeat_age_seconds=None if beat is None else max(0.0, (now - beat.at).total_seconds()),
    )
