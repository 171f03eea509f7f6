"""Renewals on schedule (sandbox): find due subscriptions by the memberships clock, charge the saved card.

Memberships cancelling at their period's end (any provider) end here too; a Razorpay one whose resume awaits the
member gets a grace first (razorpay_resume_cleanup.RESUME_GRACE).

Each step is idempotent: the renewal order of a period has a fixed public id, and the charge's idempotency key
names the order and the attempt, so a repeated run asks the gateway for the same charge. The charge's signed
webhook then pays (or fails) the order through the external-events path, which renews (or dunns) the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import ProviderError
from creatorly.models import Order
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.observability import get_logger
from creatorly.providers.payments.base import RecurringPaymentProvider, SavedCardChargeRequest
from creatorly.providers.registry import get_payment_provider
from creatorly.services.memberships import clock, razorpay_resume_cleanup, repository, subscriptions
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

RUN_DUE_JOB = "memberships.run_due"

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Charge:
    """A charge to ask of the provider once the transaction that opened it has committed."""

    provider: str
    payment_method: str
    order_public_id: str
    amount: int
    currency: str
    attempt: int


async def renew_due(*, limit: int = 200) -> int:
    """Renew, convert or end every trialing or active subscription whose period is over; return how many."""
    async with db.transaction() as session:
        due = await repository.due_for_renewal(session, now=clock.now(), limit=limit)
    for subscription_id in due:
        await renew_one(subscription_id=subscription_id)
    return len(due)


async def renew_one(*, subscription_id: int) -> None:
    async with db.transaction() as session:
        charge = await _open_renewal(session, subscription_id)
    if charge is not None:
        await _ask(charge)


async def _open_renewal(session: AsyncSession, subscription_id: int) -> Charge | None:
    subscription = await repository.lock(session, subscription_id)
    now = clock.now()
    if subscription is None or subscription.current_period_end is None:
        return None
    if subscription.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        return None
    if subscription.current_period_end > now:
        return None
    if subscription.cancel_at_period_end:
        await _end_at_period_end(session, subscription, now)
        return None
    await apply_pending_price(session, subscription)
    order = await renewal_order(session, subscription)
    if order.status in PAID_STATUSES:
        return None
    return _charge_of(subscription, order)


async def _end_at_period_end(session: AsyncSession, subscription: Subscription, now: datetime) -> None:
    """A membership cancelling at its period's end ends, except a Razorpay one whose resume awaits the member: it
    stays as it is (active, still cancelling, not ended) until RESUME_GRACE past the period's end, so an
    authorisation whose webhook comes a little late still moves it onto its new subscription and it renews. Reading
    access meanwhile follows the period's end (tier_rules.grants_access): it stops then and comes back once linked.
    Ending with a resume still pending cancels that resume's Razorpay subscription at once (a job), so it charges
    nothing more; a charge it took at its start (the period's end) is refunded when its webhook comes."""
    if await razorpay_resume_cleanup.is_waiting_for_resume(session, subscription, now):
        logger.info("membership_end_waits_for_resume", subscription=subscription.public_id)
        return
    kind = "trial_ended" if subscription.status == SubscriptionStatus.TRIALING else "ended"
    if await subscriptions.move(
        session, subscription, SubscriptionStatus.CANCELED, kind=kind, detail="cancelled at period end"
    ):
        await razorpay_resume_cleanup.cancel_pending(session, subscription)


async def apply_pending_price(session: AsyncSession, subscription: Subscription) -> None:
    """A downgrade waiting for the renewal takes effect once the period is over (a provider's renewal charge
    may come before our run: it is for the new price either way)."""
    if subscription.pending_tier_price_id is not None and subscriptions.is_renewal_due(subscription):
        await subscriptions.apply_price(
            session, subscription, subscription.pending_tier_price_id, kind="downgraded", detail="at renewal"
        )


async def renewal_order(session: AsyncSession, subscription: Subscription) -> Order:
    """The period's renewal order, opened once (its public id is fixed by the period)."""
    public_id = subscriptions.renewal_order_id(subscription)
    existing = await orders.find_by_public_id(session, public_id, for_update=True)
    if existing is not None:
        return existing
    assert subscription.id is not None
    order = await orders.add_order(
        session,
        Order(
            public_id=public_id,
            creator_id=subscription.creator_id,
            kind=OrderKind.MEMBERSHIP,
            subscription_id=subscription.id,
            buyer_user_id=subscription.member_user_id,
            buyer_email=subscription.member_email,
            amount=subscription.amount,
            currency=subscription.currency,
            status=OrderStatus.CREATED,
            provider=PaymentProviderName(subscription.provider),
        ),
    )
    await orders.transition(session, order, OrderStatus.PENDING, cause="membership renewal")
    return order


def _charge_of(subscription: Subscription, order: Order) -> Charge | None:
    if not subscription.provider_reference:
        logger.warning("subscription_without_saved_card", subscription=subscription.public_id)
        return None
    return Charge(
        provider=PaymentProviderName(subscription.provider),
        payment_method=subscription.provider_reference,
        order_public_id=order.public_id,
        amount=order.amount,
        currency=order.currency,
        attempt=subscription.failed_attempts + 1,
    )


async def _ask(charge: Charge) -> None:
    """Charge the saved card; its webhook applies the outcome, so an answer here only goes to the log."""
    provider = get_payment_provider(charge.provider)
    if not isinstance(provider, RecurringPaymentProvider):
        logger.warning("provider_cannot_charge_saved_cards", provider=charge.provider)
        return
    request = SavedCardChargeRequest(
        payment_method=charge.payment_method,
        merchant_reference=charge.order_public_id,
        amount=charge.amount,
        currency=charge.currency,
        description="Membership",
        idempotency_key=f"{charge.order_public_id}-a{charge.attempt}",
    )
    try:
        result = await provider.charge_saved_card(request)
    except ProviderError as error:
        # Nothing was written for this attempt: the next run asks again with the same key.
        logger.warning("membership_charge_error", order=charge.order_public_id, is_retryable=error.is_retryable)
        return
    logger.info("membership_charged", order=charge.order_public_id, is_succeeded=result.is_succeeded)


async def retry_due(*, limit: int = 200) -> int:
    """Charge again the past-due subscriptions whose next retry has come; return how many."""
    async with db.transaction() as session:
        due = await repository.due_for_retry(session, now=clock.now(), limit=limit)
    for subscription_id in due:
        async with db.transaction() as session:
            charge = await _open_retry(session, subscription_id)
        if charge is not None:
            await _ask(charge)
    return len(due)


async def _open_retry(session: AsyncSession, subscription_id: int) -> Charge | None:
    subscription = await repository.lock(session, subscription_id)
    if subscription is None or subscription.status != SubscriptionStatus.PAST_DUE:
        return None
    if subscription.next_retry_at is None or subscription.next_retry_at > clock.now():
        return None
    order = await renewal_order(session, subscription)
    return None if order.status in PAID_STATUSES else _charge_of(subscription, order)


async def end_past_grace(*, limit: int = 200) -> int:
    """Cancel past-due subscriptions with no retry left once their grace period is over."""
    ended = 0
    async with db.transaction() as session:
        for subscription_id in await repository.past_grace(session, now=clock.now(), limit=limit):
            subscription = await repository.lock(session, subscription_id)
            if subscription is not None and await subscriptions.move(
                session, subscription, SubscriptionStatus.CANCELED, kind="canceled_unpaid", detail="grace period over"
            ):
                ended += 1
    return ended


async def run_due(*, limit: int = 200) -> int:
    """Everything due now (the job's body): renewals and trial conversions, retries, grace expiries."""
    return await renew_due(limit=limit) + await retry_due(limit=limit) + await end_past_grace(limit=limit)
