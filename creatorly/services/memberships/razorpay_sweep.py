"""Razorpay membership work whose job was lost: found by its events, claimed, and handed back to be queued again.

A paid upgrade's plan change, and a too-late resume's cancel and refund, are each due by an event (…_DUE) recorded
in the transaction that queues their job after the commit. That enqueue can be lost (a crash after the commit, the
queue's storage down) and the job gives up after a day of retries. Work stays open until an event settles it (done,
or skipped by a job that found nothing left to ask). Every attempt of a job records its failure, so open work with
no event for LEASE has no job asking: the sweep records a claim (…_REQUEUED, which holds the next sweeps off for
LEASE) and returns it for one more attempt. Work open for more than OVERDUE is logged as an error and reconciled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.kit.clock import as_utc
from creatorly.models.memberships import SubscriptionEvent
from creatorly.observability import get_logger
from creatorly.services.memberships import clock, repository, subscriptions
from creatorly.services.memberships import razorpay_resume_cleanup as cleanup
from creatorly.services.memberships import razorpay_upgrades as upgrades

# Three times the jobs' five-minute retry delay: a job still retrying records a failure well within it.
LEASE = timedelta(minutes=15)
OVERDUE = timedelta(days=1)
SWEEP_LIMIT = 500  # open pieces of work read per kind and sweep

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class WorkKind:
    """One kind of work: the job doing it and the event kinds that make it due, settle it, or show it in hand."""

    job: str
    due: str
    settled: tuple[str, ...]
    failed: str
    requeued: str
    arguments_name_the_subscription: bool  # the job's arguments: (subscription id, key), else (key,)


PLAN_CHANGE = WorkKind(
    job=upgrades.PUSH_PLAN_CHANGE_JOB,
    due=upgrades.PLAN_CHANGE_DUE,
    settled=(upgrades.PLAN_CHANGED, upgrades.PLAN_CHANGE_SKIPPED),
    failed=upgrades.PLAN_CHANGE_FAILED,
    requeued="razorpay_plan_change_requeued",
    arguments_name_the_subscription=False,
)
RESUME_CANCEL = WorkKind(
    job=cleanup.CANCEL_JOB,
    due=cleanup.CANCEL_DUE,
    settled=(cleanup.CANCELLED, cleanup.CANCEL_SKIPPED),
    failed=cleanup.CANCEL_FAILED,
    requeued="razorpay_resume_cancel_requeued",
    arguments_name_the_subscription=True,
)
RESUME_REFUND = WorkKind(
    job=cleanup.REFUND_JOB,
    due=cleanup.REFUND_DUE,
    settled=(cleanup.REFUNDED, cleanup.REFUND_SKIPPED),
    failed=cleanup.REFUND_FAILED,
    requeued="resume_charge_refund_requeued",
    arguments_name_the_subscription=True,
)
WORK_KINDS = (PLAN_CHANGE, RESUME_CANCEL, RESUME_REFUND)


@dataclass(frozen=True, slots=True)
class OpenWork:
    """A piece of work due and not settled: `key` names it (the upgrade order, the resume's sub_…, the pay_…)."""

    kind: WorkKind
    subscription_id: int
    key: str
    due_at: datetime
    last_activity_at: datetime  # its due event, its latest failure or its latest claim

    @property
    def job(self) -> str:
        return self.kind.job

    @property
    def arguments(self) -> tuple[int | str, ...]:
        return (self.subscription_id, self.key) if self.kind.arguments_name_the_subscription else (self.key,)


def key_of(detail: str) -> str:
    """The work an event's detail names: its first word ("pay_… 49900 INR", "msu_…: why it failed" name the first)."""
    return detail.split(" ", 1)[0].removesuffix(":")


async def claim_lost_work(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[OpenWork]:
    """Open work with no event for LEASE, each claimed for the next LEASE: the caller queues one attempt of each."""
    now = now or clock.now()
    async with db.transaction() as session:
        stale = [work for work in await _open_work(session, limit) if work.last_activity_at <= now - LEASE]
        owners = await repository.subscriptions_by_id(session, sorted({work.subscription_id for work in stale}))
        lost = [work for work in stale if work.subscription_id in owners]  # not deleted since
        for work in lost:
            owner = owners[work.subscription_id]
            await subscriptions.record(session, owner, work.kind.requeued, from_status=owner.status, detail=work.key)
    for work in lost:
        _report(work, now)
    return lost


async def overdue_work(*, now: datetime | None = None) -> list[OpenWork]:
    """Work still open more than OVERDUE after it came due: Razorpay keeps failing it, or it keeps being lost."""
    now = now or clock.now()
    async with db.transaction() as session:
        open_work = await _open_work(session, SWEEP_LIMIT)
    return [work for work in open_work if work.due_at <= now - OVERDUE]


def _report(work: OpenWork, now: datetime) -> None:
    fields = {"job": work.job, "subscription_id": work.subscription_id, "key": work.key, "due_at": work.due_at}
    if work.due_at <= now - OVERDUE:
        logger.error("razorpay_membership_work_overdue", **fields)
    else:
        logger.warning("razorpay_membership_work_requeued", **fields)


async def _open_work(session: AsyncSession, limit: int) -> list[OpenWork]:
    """Every kind's open work, with when each piece was last in hand: one read of due work per kind, one of activity."""
    due_events = {
        kind: await repository.open_work(session, due_kind=kind.due, settled_kinds=kind.settled, limit=limit)
        for kind in WORK_KINDS
    }
    subscription_ids = sorted({event.subscription_id for events in due_events.values() for event in events})
    activity_kinds = [name for kind in WORK_KINDS for name in (kind.failed, kind.requeued)]
    latest: dict[tuple[str, int, str], datetime] = {}
    for subscription_id, kind_name, detail, recorded_at in await repository.latest_events(
        session, subscription_ids=subscription_ids, kinds=activity_kinds
    ):
        slot, at = (kind_name, subscription_id, key_of(detail)), as_utc(recorded_at)
        latest[slot] = max(latest.get(slot, at), at)
    return [_open(kind, event, latest) for kind, events in due_events.items() for event in events]


def _open(kind: WorkKind, event: SubscriptionEvent, latest: dict[tuple[str, int, str], datetime]) -> OpenWork:
    key, due_at = key_of(event.detail), as_utc(event.created_at)
    in_hand = [at for name in (kind.failed, kind.requeued) if (at := latest.get((name, event.subscription_id, key)))]
    return OpenWork(
        kind=kind,
        subscription_id=event.subscription_id,
        key=key,
        due_at=due_at,
        last_activity_at=max([due_at, *in_hand]),
    )
