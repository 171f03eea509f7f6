"""A Razorpay resume whose authorisation webhook comes late, against the local stand-in: within the grace it still
links and renews; after it the membership ends, the new subscription is cancelled at Razorpay (once, retried when
Razorpay fails), and a charge it took anyway is refunded in full once; the membership stays ended."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

from huey.api import TaskWrapper
from sqlmodel import col

from creatorly import queue
from creatorly.jobs.memberships import (
    cancel_unlinked_razorpay_resume,
    refund_unlinked_razorpay_resume_charge,
)
from creatorly.kit.clock import as_utc
from creatorly.models import LedgerTransaction, Order
from creatorly.models.memberships import Subscription
from creatorly.providers.registry import get_razorpay_subscriptions
from creatorly.services.external_events.schemas import HandleOutcome
from creatorly.services.memberships import clock, renewals
from creatorly.services.memberships.razorpay_billing import RESUME_AFTER_END
from creatorly.services.memberships.razorpay_resume import RESUMED
from creatorly.services.memberships.razorpay_resume_cleanup import (
    CANCEL_DUE,
    CANCEL_FAILED,
    CANCELLED,
    REFUND_DUE,
    REFUNDED,
    RESUME_GRACE,
)
from tests.integration.razorpay_standin import (
    SUBSCRIPTIONS,
    WEBHOOK_PAYLOADS,
    RazorpayStandIn,
    authenticate_subscription,
    subscription_webhook,
)
from tests.integration.test_razorpay_resume import _canceling_member, _deliver, _new_id, _resume, _send, _state
from tests.integration.test_razorpay_subscriptions import (  # noqa: F401 (fixtures)
    PRICE,
    WEBHOOK_SECRET,
    _count,
    _kinds,
    _razorpay_settings,
    _subscription,
    stand_in,
)

Webhook = tuple[bytes, dict[str, str]]
LATE_PAYMENT = "pay_latecharge0001"


def _move_clock_to(moment: datetime) -> None:
    clock.advance_by(moment - clock.now())


def _cleanup_jobs() -> list[tuple[str, tuple[Any, ...]]]:
    names = ("cancel_unlinked_razorpay_resume", "refund_unlinked_razorpay_resume_charge")
    return [
        (task.name.rsplit(".", 1)[-1], tuple(task.args)) for task in queue.huey.pending() if task.name.endswith(names)
    ]


async def _run(task: TaskWrapper, *arguments: Any) -> Any:
    """On a thread of its own, as in the worker: the job runs the use case on that thread's event loop."""
    return await asyncio.to_thread(task.call_local, *arguments)


def _cancels(stand_in: RazorpayStandIn, razorpay_id: str) -> list[tuple[str, bool]]:  # noqa: F811
    return [cancel for cancel in stand_in.subscription_cancels if cancel[0] == razorpay_id]


async def _authorised_in_time() -> tuple[Subscription, str, Webhook]:
    """The member authorised the resume before the period's end; its webhook is held back (our endpoint was down)."""
    member = await _canceling_member()
    razorpay_id = _new_id(await _resume(member))
    held = authenticate_subscription(razorpay_id, secret=WEBHOOK_SECRET)
    queue.huey.flush()
    return member, razorpay_id, held


async def _ended_after_the_grace() -> tuple[Subscription, str, Webhook]:
    member, razorpay_id, held = await _authorised_in_time()
    assert member.current_period_end is not None
    _move_clock_to(as_utc(member.current_period_end) + RESUME_GRACE + timedelta(minutes=1))
    await renewals.run_due()
    return member, razorpay_id, held


async def test_an_authorisation_whose_webhook_comes_within_the_grace_still_links_and_renews(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id, held = await _authorised_in_time()
    assert member.current_period_end is not None

    _move_clock_to(as_utc(member.current_period_end) + RESUME_GRACE - timedelta(minutes=5))
    await renewals.run_due()  # the period is over, the resume pending: it waits
    waiting = await _subscription()
    assert await _deliver(*held) is HandleOutcome.HANDLED  # the late webhook
    await renewals.run_due()  # opens the renewal order; the new subscription charged it at its start_at
    await _send("subscription.charged", razorpay_id, payment_id="pay_resumedlate01")

    assert _state(waiting) == ("active", True, member.provider_reference)
    renewed = await _subscription()
    assert _state(renewed) == ("active", False, razorpay_id)
    assert renewed.current_period_start == member.current_period_end
    kinds = await _kinds(renewed)
    assert (kinds.count(RESUMED), kinds[-2:], "ended" in kinds) == (1, ["razorpay_payment", "renewed"], False)
    assert await _count(LedgerTransaction) == 2  # the first charge and this renewal
    assert SUBSCRIPTIONS[razorpay_id]["status"] == "authenticated"  # never cancelled
    assert (_cancels(stand_in, razorpay_id), _cleanup_jobs()) == ([], [])


async def test_an_authorisation_after_the_grace_cancels_the_new_subscription_at_razorpay_once(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id, held = await _authorised_in_time()
    assert member.current_period_end is not None
    _move_clock_to(as_utc(member.current_period_end) + RESUME_GRACE - timedelta(minutes=1))
    await renewals.run_due()
    still_waiting = await _subscription()
    _move_clock_to(as_utc(member.current_period_end) + RESUME_GRACE + timedelta(minutes=1))
    await renewals.run_due()
    ended = await _subscription()
    queued = _cleanup_jobs()
    queue.huey.flush()

    done = await _run(cancel_unlinked_razorpay_resume, member.id, razorpay_id)
    assert await _deliver(*held, event_id="evt_late_auth") is HandleOutcome.HANDLED
    await _deliver(*held, event_id="evt_late_auth")  # a replay
    redelivered = subscription_webhook("subscription.authenticated", razorpay_id, secret=WEBHOOK_SECRET)
    assert await _deliver(*redelivered, event_id="evt_late_auth_2") is HandleOutcome.HANDLED
    again = await _run(cancel_unlinked_razorpay_resume, member.id, razorpay_id)

    assert (still_waiting.status, ended.status) == ("active", "canceled")
    assert queued == [("cancel_unlinked_razorpay_resume", (member.id, razorpay_id))]
    assert (done, again) == ("done", "nothing_to_do")
    assert SUBSCRIPTIONS[razorpay_id]["status"] == "cancelled"
    assert _cancels(stand_in, razorpay_id) == [(razorpay_id, False)]  # at once, not at the cycle's end; once
    assert _cleanup_jobs() == []  # the late authorisation queued nothing more
    after = await _subscription()
    assert _state(after) == ("canceled", True, member.provider_reference)  # stays ended, on the old subscription
    kinds = await _kinds(after)
    assert kinds[kinds.index("ended") :] == ["ended", CANCEL_DUE, CANCELLED, RESUME_AFTER_END]
    assert (RESUMED in kinds, await _count(LedgerTransaction)) == (False, 1)
    billing = get_razorpay_subscriptions()
    assert billing is not None
    assert await billing.cancel_now(razorpay_id) == "cancelled"  # asked again: Razorpay refuses, ended is done
    assert _cancels(stand_in, razorpay_id) == [(razorpay_id, False)]


async def test_a_cancel_razorpay_fails_is_retried_by_the_job_until_it_is_done(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id, _ = await _ended_after_the_grace()
    task = queue.huey.dequeue()
    assert task is not None and task.name.endswith("cancel_unlinked_razorpay_resume")

    stand_in.fail_next_with_status = 500
    await asyncio.to_thread(queue.huey.execute, task)  # the worker runs it: Razorpay fails
    failed = SUBSCRIPTIONS[razorpay_id]["status"]
    kinds_after_failure = await _kinds(member)
    [retry] = queue.huey.scheduled()
    assert retry.eta is not None
    [due] = queue.huey.read_schedule(retry.eta)  # five minutes later, the scheduler hands it back
    await asyncio.to_thread(queue.huey.execute, due, retry.eta)

    assert failed == "authenticated"
    assert kinds_after_failure[-2:] == [CANCEL_DUE, CANCEL_FAILED]
    assert (retry.args, retry.retries) == ((member.id, razorpay_id), 287)
    settings = cancel_unlinked_razorpay_resume.settings
    assert (settings["default_retries"], settings["default_retry_delay"]) == (288, 300)  # every 5 minutes for a day
    assert SUBSCRIPTIONS[razorpay_id]["status"] == "cancelled"
    assert _cancels(stand_in, razorpay_id) == [(razorpay_id, False)]
    assert (await _kinds(member))[-1] == CANCELLED
    assert (queue.huey.scheduled(), queue.huey.pending()) == ([], [])


def _refund_processed(refund: dict[str, Any]) -> Webhook:
    """Razorpay's documented refund.processed for a refund made here, signed with the webhook secret."""
    payload: dict[str, Any] = json.loads((WEBHOOK_PAYLOADS / "refund.processed.json").read_text())
    payload["payload"]["refund"]["entity"].update(
        id=refund["id"], amount=refund["amount"], payment_id=refund["payment_id"], notes=refund["notes"]
    )
    payload["payload"]["payment"]["entity"].update(id=refund["payment_id"], amount=refund["amount"])
    raw = json.dumps(payload).encode()
    signature = hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"Content-Type": "application/json", "X-Razorpay-Signature": signature}


async def test_a_charge_of_the_too_late_resume_is_refunded_in_full_once_even_when_replayed(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id, _ = await _ended_after_the_grace()
    await _run(cancel_unlinked_razorpay_resume, member.id, razorpay_id)
    queue.huey.flush()
    orders_before = await _count(Order, col(Order.subscription_id) == member.id)

    outcomes = [  # a replay, a second delivery
        await _send("subscription.charged", razorpay_id, payment_id=LATE_PAYMENT, event_id=event_id)
        for event_id in ("evt_late_charge", "evt_late_charge", "evt_late_charge_2")
    ]
    queued = _cleanup_jobs()
    queue.huey.flush()
    first = await _run(refund_unlinked_razorpay_resume_charge, member.id, LATE_PAYMENT)
    again = await _run(refund_unlinked_razorpay_resume_charge, member.id, LATE_PAYMENT)
    await _send("subscription.charged", razorpay_id, payment_id=LATE_PAYMENT, event_id="evt_late_charge_3")
    [refund] = [refund for refund in stand_in.refunds if refund["payment_id"] == LATE_PAYMENT]
    processed = await _deliver(*_refund_processed(refund), event_id="evt_late_refund")

    assert outcomes == [HandleOutcome.HANDLED, HandleOutcome.SKIPPED, HandleOutcome.HANDLED]
    assert queued == [("refund_unlinked_razorpay_resume_charge", (member.id, LATE_PAYMENT))]
    assert (first, again, processed) == ("done", "nothing_to_do", HandleOutcome.HANDLED)
    assert (refund["amount"], refund["notes"]["refund_key"]) == (PRICE, f"resume-charge-{LATE_PAYMENT}")
    assert _cleanup_jobs() == []  # the charge after the refund queued nothing more
    after = await _subscription()
    assert _state(after) == ("canceled", True, member.provider_reference)
    kinds = await _kinds(after)
    assert (kinds.count(REFUND_DUE), kinds.count(REFUNDED), kinds.count(RESUME_AFTER_END)) == (1, 1, 1)
    assert (kinds.count("razorpay_payment"), RESUMED in kinds) == (1, False)  # only the first period's payment
    assert await _count(LedgerTransaction) == 1  # only the first period's charge: nothing was sold or renewed
    assert await _count(Order, col(Order.subscription_id) == member.id) == orders_before


async def test_a_never_authorised_resume_is_cancelled_when_the_membership_ends(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member = await _canceling_member()
    assert member.current_period_end is not None
    razorpay_id = _new_id(await _resume(member))
    queue.huey.flush()
    _move_clock_to(as_utc(member.current_period_end) + RESUME_GRACE + timedelta(minutes=1))

    await renewals.run_due()
    done = await _run(cancel_unlinked_razorpay_resume, member.id, razorpay_id)

    assert done == "done"
    assert (SUBSCRIPTIONS[razorpay_id]["status"], _cancels(stand_in, razorpay_id)) == (
        "cancelled",
        [(razorpay_id, False)],
    )
    assert (await _subscription()).status == "canceled"


async def test_a_halted_old_subscription_ends_the_membership_and_cancels_its_pending_resume(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member, razorpay_id, held = await _authorised_in_time()
    assert member.provider_reference is not None

    await _send("subscription.halted", member.provider_reference)
    queued = _cleanup_jobs()
    done = await _run(cancel_unlinked_razorpay_resume, member.id, razorpay_id)
    await _deliver(*held)  # the authorisation, after the end

    assert queued == [("cancel_unlinked_razorpay_resume", (member.id, razorpay_id))]
    assert (done, SUBSCRIPTIONS[razorpay_id]["status"]) == ("done", "cancelled")
    ended = await _subscription()
    assert _state(ended) == ("canceled", True, member.provider_reference)
    kinds = await _kinds(ended)
    assert kinds[kinds.index("provider_canceled") :] == ["provider_canceled", CANCEL_DUE, CANCELLED, RESUME_AFTER_END]
