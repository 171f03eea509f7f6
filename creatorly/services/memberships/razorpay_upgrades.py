"""Upgrading a Razorpay membership now: the member pays our prorated difference, then Razorpay bills the new price.

Razorpay can't charge a saved card for us off-session, and (Indian cards) won't move a plan mid-cycle. So the
upgrade is an ordinary upgrade Order (`msu_…`, exactly our prorated difference) that the member pays on our
Razorpay payment page. Its `payment.captured` / `order.paid` webhook pays it once; the membership fulfiller applies
the upgrade, and then (wrapped here) records that Razorpay's plan must change at the cycle end and queues the job
that asks for it. That job is idempotent and retried: a Razorpay failure is recorded on the subscription's events
and never undoes the paid upgrade. The change is due by PLAN_CHANGE_DUE until PLAN_CHANGED, or PLAN_CHANGE_SKIPPED
when the membership moved on before it was asked (razorpay_sweep queues a lost job again).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.models import Order
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription, TierPrice
from creatorly.observability import get_logger
from creatorly.services.checkout.service import CREATE_PAYMENT, register_fulfiller, request_payment
from creatorly.services.memberships import provider_changes, repository, subscriptions
from creatorly.services.memberships.schemas import TierChange
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

RAZORPAY = PaymentProviderName.RAZORPAY
PUSH_PLAN_CHANGE_JOB = "memberships.push_razorpay_plan_change"
# SubscriptionEvent kinds, each naming the paid upgrade order in its detail (FAILED: "<order>: <why>").
PLAN_CHANGE_DUE, PLAN_CHANGED, PLAN_CHANGE_FAILED, PLAN_CHANGE_SKIPPED = (
    "razorpay_plan_change_due",
    "razorpay_plan_changed",
    "razorpay_plan_change_failed",
    "razorpay_plan_change_skipped",
)
_OPEN = (OrderStatus.CREATED, OrderStatus.PENDING)

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class TierChangeToPay(TierChange):
    """An upgrade that applies once the member pays `charged_amount` on `payment_url` (Razorpay's Checkout)."""

    payment_url: str


def to_pay(change: TierChange, payment_url: str) -> TierChangeToPay:
    return TierChangeToPay(
        subscription_public_id=change.subscription_public_id,
        is_upgrade=change.is_upgrade,
        charged_amount=change.charged_amount,
        currency=change.currency,
        order_public_id=change.order_public_id,
        effective_at=change.effective_at,
        payment_url=payment_url,
    )


# --- Opening the upgrade order -----------------------------------------------------------------------------


async def reusable_order(
    session: AsyncSession, subscription: Subscription, *, price_id: int, amount: int
) -> Order | None:
    """A second click: the open upgrade order for the same price and amount, whose page is already made. Any other
    open upgrade order of the membership (another tier, or a proration since grown stale) fails, so only one can
    be paid from now on."""
    assert subscription.id is not None
    reusable = None
    for order in await repository.orders_of(session, subscription.id):
        purpose = subscriptions.purpose_of(order.public_id)
        if purpose.kind != "upgrade" or order.status not in _OPEN:
            continue
        locked = await orders.find_by_public_id(session, order.public_id, for_update=True)
        assert locked is not None
        if reusable is None and (purpose.price_id, locked.amount) == (price_id, amount) and locked.provider_reference:
            reusable = locked
        else:
            await orders.transition(session, locked, OrderStatus.FAILED, cause="replaced by a newer upgrade")
    return reusable


async def payment_url(order: Order) -> str:
    """The Razorpay payment page of the upgrade order: the one already made for it, else a new Razorpay order
    (CheckoutPaymentUnavailable, with the order failed, when Razorpay can't make one)."""
    assert order.id is not None
    async with db.transaction() as session:
        detail = await orders.latest_attempt_detail(session, order.id, action=CREATE_PAYMENT, outcome="ok")
    made = json.loads(detail).get("redirect_url") if detail else None
    if isinstance(made, str) and made:
        return made
    return (await request_payment(order, description="Membership upgrade")).redirect_url


# --- Paid: schedule Razorpay's plan change -----------------------------------------------------------------


async def fulfil_membership(session: AsyncSession, order: Order, paid_at: datetime) -> None:
    """The membership fulfiller, and for a paid Razorpay upgrade that applied, Razorpay's plan change queued."""
    await subscriptions.fulfil_membership(session, order, paid_at)
    if order.provider != RAZORPAY or subscriptions.purpose_of(order.public_id).kind != "upgrade":
        return
    assert order.subscription_id is not None
    subscription = await repository.lock(session, order.subscription_id)
    assert subscription is not None and subscription.id is not None
    if not await repository.has_event(
        session, subscription_id=subscription.id, kind="upgraded", detail=order.public_id
    ):
        return  # a late payment (the membership had ended): nothing to bill differently
    await subscriptions.record(
        session, subscription, PLAN_CHANGE_DUE, from_status=subscription.status, detail=order.public_id
    )
    queue.enqueue_after_commit(session, PUSH_PLAN_CHANGE_JOB, order.public_id)


class PlanPush(StrEnum):
    SCHEDULED = "scheduled"
    NOTHING_TO_DO = "nothing_to_do"
    FAILED = "failed"  # recorded; the job asks again


async def push_plan_change(order_public_id: str) -> PlanPush:
    """Ask Razorpay to bill the upgrade's price from the cycle end (the job's body). Idempotent: once scheduled,
    or when the membership has moved on (ended, another change since: recorded as skipped), nothing is asked."""
    async with db.transaction() as session:
        due = await _due_change(session, order_public_id)
    if due is None:
        return PlanPush.NOTHING_TO_DO
    subscription_id, target, plan = due
    try:
        await provider_changes.change_plan(target, plan)
    except provider_changes.BillingChangeFailed as error:
        # Recorded on every attempt: the latest failure tells the sweeper a job is still asking.
        await _record(subscription_id, PLAN_CHANGE_FAILED, f"{order_public_id}: {error.message}")
        logger.warning("razorpay_plan_change_failed", order=order_public_id, error=error.message)
        return PlanPush.FAILED
    await _record(subscription_id, PLAN_CHANGED, order_public_id)
    return PlanPush.SCHEDULED


async def _due_change(
    session: AsyncSession, order_public_id: str
) -> tuple[int, provider_changes.BillingTarget, provider_changes.PlanChange] | None:
    order = await orders.find_by_public_id(session, order_public_id)
    purpose = subscriptions.purpose_of(order_public_id)
    if order is None or order.subscription_id is None or order.status not in PAID_STATUSES:
        return None
    subscription = await repository.lock(session, order.subscription_id)
    if subscription is None or subscription.id is None or purpose.kind != "upgrade":
        return None
    settled = (PLAN_CHANGED, PLAN_CHANGE_SKIPPED)
    if await repository.has_any_event(session, subscription_id=subscription.id, kinds=settled, detail=order_public_id):
        return None
    price = await repository.get_price(session, purpose.price_id)
    target = await _razorpay_target(session, subscription, price)
    if price is None or target is None:
        await _skip(session, subscription, order_public_id)
        return None
    return subscription.id, target, await provider_changes.plan_change(session, subscription, price)


async def _razorpay_target(
    session: AsyncSession, subscription: Subscription, price: TierPrice | None
) -> provider_changes.BillingTarget | None:
    """The Razorpay subscription to change; None when the membership moved on since the upgrade."""
    if price is None or subscription.tier_price_id != price.id or subscription.pending_tier_price_id is not None:
        return None  # another change since: it made its own request to Razorpay
    target = await provider_changes.target_of(session, subscription)
    if target is None or target.is_stripe or subscription.status == SubscriptionStatus.CANCELED:
        return None
    return target


async def _skip(session: AsyncSession, subscription: Subscription, order_public_id: str) -> None:
    """A due change nobody needs any more is settled, so the sweeper stops queueing it."""
    assert subscription.id is not None
    if await repository.has_event(
        session, subscription_id=subscription.id, kind=PLAN_CHANGE_DUE, detail=order_public_id
    ):
        await subscriptions.record(
            session, subscription, PLAN_CHANGE_SKIPPED, from_status=subscription.status, detail=order_public_id
        )


async def _record(subscription_id: int, kind: str, detail: str) -> None:
    async with db.transaction() as session:
        subscription = await repository.lock(session, subscription_id)
        assert subscription is not None
        if kind != PLAN_CHANGED or not await repository.has_event(
            session, subscription_id=subscription_id, kind=kind, detail=detail
        ):
            await subscriptions.record(session, subscription, kind, from_status=subscription.status, detail=detail)


register_fulfiller(OrderKind.MEMBERSHIP, fulfil_membership)
