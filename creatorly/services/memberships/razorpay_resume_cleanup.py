"""A Razorpay resume that came too late: the grace before ending, then cancel its subscription, refund its charges.

razorpay_resume asks Razorpay for a new subscription starting (and charging) at the period's end; the member
authorises it there and its webhook links it. That webhook may be late (our endpoint down; Razorpay retries for a
day), so our renewal run waits RESUME_GRACE past the period's end before ending a membership whose resume is
pending. Once the membership has ended, the resume's subscription bills nothing of ours and must not charge: it is
cancelled at Razorpay at once (not at its cycle's end), and a payment it took anyway is refunded in full.

Both are asked of Razorpay after the commit, by retried jobs, and are idempotent: each is due by a SubscriptionEvent
(CANCEL_DUE / REFUND_DUE, recorded and queued once) and settled once its outcome is recorded (CANCELLED / REFUNDED,
or CANCEL_SKIPPED / REFUND_SKIPPED when a job found nothing left to ask); every failed attempt is recorded too.
A job that stopped between Razorpay's answer and our record asks again safely: Razorpay refuses to cancel an ended
subscription (answered as done), and our refund carries its key in its notes, so the same refund is answered.
razorpay_sweep queues the job again when it was lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.errors import ProviderError
from creatorly.kit.clock import as_utc
from creatorly.models.enums import PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.observability import get_logger
from creatorly.providers.payments.base import RefundRequest
from creatorly.providers.registry import get_razorpay_provider, get_razorpay_subscriptions
from creatorly.services.memberships import razorpay_resume, repository, subscriptions

RAZORPAY = PaymentProviderName.RAZORPAY
# How long past its period's end a cancelling membership with a pending resume waits for the authorisation's webhook.
RESUME_GRACE = timedelta(hours=2)
CANCEL_JOB = "memberships.cancel_unlinked_razorpay_resume"
REFUND_JOB = "memberships.refund_unlinked_razorpay_resume_charge"
# SubscriptionEvent kinds; the cancel ones name the resume's sub_… id, the refund ones its pay_… id (REFUND_DUE:
# "<pay_… id> <amount> <currency>").
CANCEL_DUE, CANCELLED, CANCEL_FAILED, CANCEL_SKIPPED = (
    "razorpay_resume_cancel_due",
    "razorpay_resume_cancelled",
    "razorpay_resume_cancel_failed",
    "razorpay_resume_cancel_skipped",
)
REFUND_DUE, REFUNDED, REFUND_FAILED, REFUND_SKIPPED = (
    "resume_charge_refund_due",
    "resume_charge_refunded",
    "resume_charge_refund_failed",
    "resume_charge_refund_skipped",
)
ENDED = (SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE)

logger = get_logger(__name__)


class Cleanup(StrEnum):
    DONE = "done"
    NOTHING_TO_DO = "nothing_to_do"
    FAILED = "failed"  # Razorpay failed or did not answer: recorded, the job asks again
    REFUSED = "refused"  # Razorpay refused for good: recorded and logged for a person to look at


async def is_waiting_for_resume(session: AsyncSession, subscription: Subscription, now: datetime) -> bool:
    """A Razorpay membership past its period's end, by less than RESUME_GRACE, whose resume awaits the member."""
    end = subscription.current_period_end
    if subscription.provider != RAZORPAY or end is None or now >= as_utc(end) + RESUME_GRACE:
        return False
    return await razorpay_resume.pending_resume(session, subscription) is not None


async def record_once(session: AsyncSession, subscription: Subscription, kind: str, detail: str) -> bool:
    """Record the event unless the membership has it already; True when recorded now."""
    assert subscription.id is not None
    if await repository.has_event(session, subscription_id=subscription.id, kind=kind, detail=detail):
        return False
    await subscriptions.record(session, subscription, kind, from_status=subscription.status, detail=detail)
    return True


async def cancel_pending(session: AsyncSession, subscription: Subscription) -> None:
    """The membership just ended: the resume still awaiting the member (if any) is cancelled at Razorpay."""
    if subscription.provider != RAZORPAY:
        return
    pending = await razorpay_resume.pending_resume(session, subscription)
    if pending is not None:
        await cancel_later(session, subscription, pending.razorpay_id)


async def cancel_later(session: AsyncSession, subscription: Subscription, razorpay_id: str) -> None:
    """Once this transaction commits, cancel the ended membership's resume subscription at Razorpay (queued once)."""
    assert subscription.id is not None
    if await repository.has_event(session, subscription_id=subscription.id, kind=CANCELLED, detail=razorpay_id):
        return
    if await record_once(session, subscription, CANCEL_DUE, razorpay_id):
        queue.enqueue_after_commit(session, CANCEL_JOB, subscription.id, razorpay_id)
        logger.warning("razorpay_resume_cancel_due", subscription=subscription.public_id, razorpay_id=razorpay_id)


async def refund_later(
    session: AsyncSession, subscription: Subscription, *, payment_id: str, amount: int, currency: str
) -> None:
    """Once this transaction commits, refund in full a payment that an ended membership's resume took (queued once:
    replays and the same payment in .activated and .charged find it due)."""
    assert subscription.id is not None
    events = await repository.events_of(session, subscription.id)
    if any(event.kind == REFUND_DUE and event.detail.partition(" ")[0] == payment_id for event in events):
        return
    detail = f"{payment_id} {amount} {currency.upper()}"
    await subscriptions.record(session, subscription, REFUND_DUE, from_status=subscription.status, detail=detail)
    queue.enqueue_after_commit(session, REFUND_JOB, subscription.id, payment_id)
    logger.warning("razorpay_resume_charge_refund_due", subscription=subscription.public_id, payment=payment_id)


# --- The jobs' bodies ----------------------------------------------------------------------------------------


async def cancel_unlinked(*, subscription_id: int, razorpay_id: str) -> Cleanup:
    """Cancel the resume subscription of an ended membership at Razorpay now (the cancel job's body)."""
    async with db.transaction() as session:
        is_due = await _is_cancel_due(session, subscription_id, razorpay_id)
    if not is_due:
        return Cleanup.NOTHING_TO_DO
    billing = get_razorpay_subscriptions()
    if billing is None:
        return await _without_razorpay(subscription_id, CANCEL_FAILED, razorpay_id)
    try:
        status = await billing.cancel_now(razorpay_id)
    except ProviderError as error:
        return await _failed(subscription_id, CANCEL_FAILED, razorpay_id, error)
    await _record(subscription_id, CANCELLED, razorpay_id)
    logger.info("razorpay_resume_cancelled", subscription_id=subscription_id, razorpay_id=razorpay_id, status=status)
    return Cleanup.DONE


async def _is_cancel_due(session: AsyncSession, subscription_id: int, razorpay_id: str) -> bool:
    subscription = await repository.lock(session, subscription_id)
    if subscription is None or await repository.has_any_event(
        session, subscription_id=subscription_id, kinds=(CANCELLED, CANCEL_SKIPPED), detail=razorpay_id
    ):
        return False
    if not await repository.has_event(session, subscription_id=subscription_id, kind=CANCEL_DUE, detail=razorpay_id):
        return False
    if subscription.status in ENDED and not await razorpay_resume.is_linked(session, subscription, razorpay_id):
        return True
    # The resume carries the membership on after all (linked, or no longer ended): never cancel it.
    await record_once(session, subscription, CANCEL_SKIPPED, razorpay_id)
    return False


async def refund_unlinked_charge(*, subscription_id: int, payment_id: str) -> Cleanup:
    """Refund in full a payment taken by an ended membership's resume subscription (the refund job's body)."""
    async with db.transaction() as session:
        request = await _refund_due(session, subscription_id, payment_id)
    if request is None:
        return Cleanup.NOTHING_TO_DO
    provider = get_razorpay_provider()
    if provider is None:
        return await _without_razorpay(subscription_id, REFUND_FAILED, payment_id)
    try:
        refund = await provider.refund_payment(request)
    except ProviderError as error:
        return await _failed(subscription_id, REFUND_FAILED, payment_id, error)
    await _record(subscription_id, REFUNDED, payment_id)
    logger.info("razorpay_resume_charge_refunded", payment=payment_id, refund=refund.provider_reference)
    return Cleanup.DONE


async def _refund_due(session: AsyncSession, subscription_id: int, payment_id: str) -> RefundRequest | None:
    subscription = await repository.lock(session, subscription_id)
    if subscription is None or await repository.has_any_event(
        session, subscription_id=subscription_id, kinds=(REFUNDED, REFUND_SKIPPED), detail=payment_id
    ):
        return None
    events = await repository.events_of(session, subscription_id)
    due = [event.detail.split(" ") for event in events if event.kind == REFUND_DUE]
    found = next((parts for parts in due if parts[0] == payment_id), None)
    if found is None:
        return None
    if len(found) != 3 or not found[1].isdigit():
        logger.error("razorpay_resume_refund_unreadable", subscription_id=subscription_id, payment=payment_id)
        await record_once(session, subscription, REFUND_SKIPPED, payment_id)
        return None
    return RefundRequest(
        provider_reference=payment_id,
        amount=int(found[1]),
        currency=found[2],
        idempotency_key=f"resume-charge-{payment_id}",
        reason=f"membership {subscription.public_id} had ended before its resume was authorised",
    )


async def _without_razorpay(subscription_id: int, kind: str, detail: str) -> Cleanup:
    logger.error("razorpay_resume_cleanup_without_razorpay", kind=kind, detail=detail)
    await _record_failure(subscription_id, kind, detail)
    return Cleanup.FAILED


async def _failed(subscription_id: int, kind: str, detail: str, error: ProviderError) -> Cleanup:
    await _record_failure(subscription_id, kind, detail)
    if error.is_retryable:
        logger.warning("razorpay_resume_cleanup_failed", kind=kind, detail=detail, error=str(error))
        return Cleanup.FAILED
    logger.error("razorpay_resume_cleanup_refused", kind=kind, detail=detail, error=str(error))
    return Cleanup.REFUSED


async def _record(subscription_id: int, kind: str, detail: str) -> None:
    async with db.transaction() as session:
        subscription = await repository.lock(session, subscription_id)
        assert subscription is not None
        await record_once(session, subscription, kind, detail)


async def _record_failure(subscription_id: int, kind: str, detail: str) -> None:
    """Every attempt's failure, not only the first: the latest one tells the sweeper a job is still asking."""
    async with db.transaction() as session:
        subscription = await repository.lock(session, subscription_id)
        assert subscription is not None
        await subscriptions.record(session, subscription, kind, from_status=subscription.status, detail=detail)
