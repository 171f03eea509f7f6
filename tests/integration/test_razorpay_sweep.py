"""The sweep of Razorpay membership work against the local stand-in: a plan change, a cancel or a refund whose job was
lost is queued again once its lease has passed and then done once (a refund exactly once, however many times it is
queued); work a job holds, work in its lease and settled work are never queued; work open past a day is reported."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from huey.api import Task
from structlog.testing import capture_logs

from creatorly import queue
from creatorly.jobs.memberships import (
    cancel_unlinked_razorpay_resume,
    sweep_razorpay_membership_work,
)
from creatorly.models.memberships import Subscription
from creatorly.services.memberships import clock, razorpay_sweep, razorpay_upgrades
from creatorly.services.memberships import razorpay_resume_cleanup as cleanup
from creatorly.services.memberships.razorpay_resume_cleanup import (
    CANCEL_DUE,
    CANCEL_FAILED,
    CANCELLED,
    REFUND_DUE,
    REFUNDED,
)
from creatorly.services.reconciliation import service as reconciliation
from creatorly.services.reconciliation.schemas import AREA_MEMBERSHIP_WORK
from tests.integration.razorpay_standin import PLANS, SUBSCRIPTIONS, RazorpayStandIn
from tests.integration.test_razorpay_resume import _send as _send_for
from tests.integration.test_razorpay_resume_late import LATE_PAYMENT, _cancels, _ended_after_the_grace, _run
from tests.integration.test_razorpay_subscriptions import (  # noqa: F401 (fixtures)
    HIGHER,
    _kinds,
    _pay,
    _razorpay_settings,
    _send,
    _subscription,
    _upgrade,
    _upgrading_member,
    stand_in,
)

PAST_THE_LEASE = razorpay_sweep.LEASE + timedelta(minutes=1)
REQUEUED_CANCEL, REQUEUED_REFUND = razorpay_sweep.RESUME_CANCEL.requeued, razorpay_sweep.RESUME_REFUND.requeued


async def _sweep() -> int:
    """The periodic task, on a thread of its own as in the worker."""
    return int(await asyncio.to_thread(sweep_razorpay_membership_work.call_local))


def _queued() -> list[tuple[str, tuple[Any, ...], int]]:
    return [(task.name.rsplit(".", 1)[-1], tuple(task.args), task.retries) for task in queue.huey.pending()]


async def _work_off_the_queue() -> list[Any]:
    """The worker runs every queued job once (the sweep's have no retries), in the order queued."""
    outcomes = []
    while (task := queue.huey.dequeue()) is not None:
        outcomes.append(await _execute(task))
    return outcomes


async def _execute(task: Task) -> Any:
    return await asyncio.to_thread(queue.huey.execute, task)


async def _lost_cancel() -> tuple[Subscription, str]:
    """A membership ended after the grace: its resume's cancel is due, but its job never reached the queue."""
    member, razorpay_id, _ = await _ended_after_the_grace()
    queue.huey.flush()
    return member, razorpay_id


async def test_a_due_cancel_whose_job_was_lost_is_queued_again_after_its_lease_and_done_once(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id = await _lost_cancel()

    in_the_lease = await _sweep()
    clock.advance_by(PAST_THE_LEASE)
    swept = await _sweep()
    queued = _queued()
    outcomes = await _work_off_the_queue()
    clock.advance_by(timedelta(days=2))
    after_done = await _sweep()

    assert (in_the_lease, swept, after_done) == (0, 1, 0)
    assert queued == [("cancel_unlinked_razorpay_resume", (member.id, razorpay_id), 0)]  # one attempt, no retries
    assert outcomes == ["done"]
    assert SUBSCRIPTIONS[razorpay_id]["status"] == "cancelled"
    assert _cancels(stand_in, razorpay_id) == [(razorpay_id, False)]
    kinds = await _kinds(member)
    assert kinds[kinds.index(CANCEL_DUE) :] == [CANCEL_DUE, REQUEUED_CANCEL, CANCELLED]
    assert _queued() == []


async def test_a_lost_refund_is_refunded_exactly_once_though_swept_twice_and_its_first_job_runs_too(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id, _ = await _ended_after_the_grace()
    await _run(cancel_unlinked_razorpay_resume, member.id, razorpay_id)
    queue.huey.flush()
    await _send_for("subscription.charged", razorpay_id, payment_id=LATE_PAYMENT, event_id="evt_late_charge")
    first_job = queue.huey.dequeue()  # held back: it runs last, after the sweep's
    assert first_job is not None and first_job.name.endswith("refund_unlinked_razorpay_resume_charge")

    clock.advance_by(PAST_THE_LEASE)
    first_sweep = await _sweep()
    claimed_again = await _sweep()  # the claim holds the next sweep off
    clock.advance_by(PAST_THE_LEASE)  # the claim ran out before any worker took the job
    second_sweep = await _sweep()
    queued = _queued()
    outcomes = [*await _work_off_the_queue(), await _execute(first_job)]
    clock.advance_by(timedelta(days=2))
    after_done = await _sweep()

    assert (first_sweep, claimed_again, second_sweep, after_done) == (1, 0, 1, 0)
    assert queued == [("refund_unlinked_razorpay_resume_charge", (member.id, LATE_PAYMENT), 0)] * 2
    assert outcomes == ["done", "nothing_to_do", "nothing_to_do"]
    refunds = [refund for refund in stand_in.refunds if refund["payment_id"] == LATE_PAYMENT]
    assert [(refund["amount"], refund["notes"]["refund_key"]) for refund in refunds] == [
        (member.amount, f"resume-charge-{LATE_PAYMENT}")
    ]
    kinds = await _kinds(member)
    assert kinds[kinds.index(REFUND_DUE) :] == [REFUND_DUE, REQUEUED_REFUND, REQUEUED_REFUND, REFUNDED]


async def test_a_paid_upgrade_whose_plan_change_job_was_lost_is_queued_again_and_scheduled_at_razorpay(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, higher = await _upgrading_member()
    assert member.provider_reference is not None
    change = await _upgrade(member, higher)
    await _pay(stand_in, change.order_public_id, "payment.captured")
    queue.huey.flush()  # the push job never reached the queue

    in_the_lease = await _sweep()
    clock.advance_by(PAST_THE_LEASE)
    swept = await _sweep()
    queued = _queued()
    outcomes = await _work_off_the_queue()
    clock.advance_by(timedelta(days=2))
    after_done = await _sweep()

    assert (in_the_lease, swept, after_done) == (0, 1, 0)
    assert queued == [("push_razorpay_plan_change", (change.order_public_id,), 0)]
    assert outcomes == ["scheduled"]
    assert PLANS[SUBSCRIPTIONS[member.provider_reference]["scheduled_plan_id"]]["item"]["amount"] == HIGHER
    kinds = await _kinds(member)
    assert kinds[kinds.index(razorpay_upgrades.PLAN_CHANGE_DUE) :] == [
        razorpay_upgrades.PLAN_CHANGE_DUE,
        razorpay_sweep.PLAN_CHANGE.requeued,
        razorpay_upgrades.PLAN_CHANGED,
    ]


async def test_work_a_job_is_still_retrying_is_not_queued_again_until_its_failures_stop_for_a_lease(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id = await _lost_cancel()
    clock.advance_by(timedelta(minutes=10))
    stand_in.fail_next_with_status = 500
    failed = await cleanup.cancel_unlinked(subscription_id=member.id or 0, razorpay_id=razorpay_id)  # Huey retries it

    clock.advance_by(timedelta(minutes=10))  # due 20 minutes ago, failed 10 minutes ago: a job holds it
    while_retrying = await _sweep()
    clock.advance_by(timedelta(minutes=6))  # no failure for a lease: its retries ran out, or were lost
    after_the_lease = await _sweep()

    assert failed is cleanup.Cleanup.FAILED
    assert (while_retrying, after_the_lease) == (0, 1)
    assert _queued() == [("cancel_unlinked_razorpay_resume", (member.id, razorpay_id), 0)]
    assert (await _kinds(member))[-3:] == [CANCEL_DUE, CANCEL_FAILED, REQUEUED_CANCEL]


async def test_a_plan_change_the_membership_no_longer_needs_is_settled_and_never_queued_again(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, higher = await _upgrading_member()
    assert member.provider_reference is not None
    change = await _upgrade(member, higher)
    await _pay(stand_in, change.order_public_id, "payment.captured")
    queue.huey.flush()
    await _send("subscription.halted", member)  # the membership ended before the plan change was asked

    pushed = await razorpay_upgrades.push_plan_change(change.order_public_id)
    clock.advance_by(timedelta(days=2))
    swept = await _sweep()
    overdue = await razorpay_sweep.overdue_work()

    assert pushed is razorpay_upgrades.PlanPush.NOTHING_TO_DO
    assert (swept, _queued(), overdue) == (0, [], [])
    assert "scheduled_plan_id" not in SUBSCRIPTIONS[member.provider_reference]
    assert (await _kinds(member))[-1] == razorpay_upgrades.PLAN_CHANGE_SKIPPED


async def test_work_still_open_a_day_after_it_came_due_is_logged_as_an_error_and_reconciled(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id = await _lost_cancel()
    clock.advance_by(razorpay_sweep.OVERDUE + timedelta(minutes=1))

    with capture_logs() as logs:
        lost = await razorpay_sweep.claim_lost_work()
    report = await reconciliation.reconcile(days=30)

    assert [(work.job, work.arguments) for work in lost] == [
        (razorpay_sweep.RESUME_CANCEL.job, (member.id, razorpay_id))
    ]
    overdue_logs = [log for log in logs if log["event"] == "razorpay_membership_work_overdue"]
    assert [(log["log_level"], log["key"]) for log in overdue_logs] == [("error", razorpay_id)]
    [row] = [item for item in report.mismatches if item.area == AREA_MEMBERSHIP_WORK]
    assert (row.reference, row.provider, row.ours) == (
        f"{CANCEL_DUE} {razorpay_id} (subscription #{member.id})",
        "razorpay",
        "due",
    )
    assert row.problem.startswith("due since ") and "the sweeper asks again every 15 minutes" in row.problem
