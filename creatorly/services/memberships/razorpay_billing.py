"""Memberships on Razorpay Subscriptions: make the subscription, then apply its webhooks.

Our Subscription's `provider_reference` holds Razorpay's sub_… id, recorded before the fan authorises it.
subscription.activated and subscription.charged carry the payment: each payment is applied once (a
SubscriptionEvent names it), to the first order while the membership is incomplete, else to the period's
renewal order. subscription.pending (a charge failed; Razorpay retries) is past due; halted, cancelled and
completed end the membership. Replays and any arrival order end in the same state.

A resumed membership (razorpay_resume) moves to its new Razorpay subscription on that subscription's first event
(authenticated, activated or charged); from then on the old subscription's events name no membership of ours.
While a resume waits for the member, the old subscription's cancelled / completed leave the end to our renewal run
(which waits a grace for a late webhook). A resume subscription speaking after the membership ended is cancelled
at Razorpay, and any payment it took refunded (razorpay_resume_cleanup): nobody pays for a membership that ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError
from creatorly.models import Order
from creatorly.models.enums import OrderStatus, PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.observability import get_logger
from creatorly.providers.registry import get_razorpay_subscriptions
from creatorly.services.accounts.rules import normalize_email
from creatorly.services.checkout.events import PaymentEventGarbled
from creatorly.services.checkout.service import fulfill_paid_order
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.memberships import (
    provider_changes,
    razorpay_resume,
    razorpay_resume_cleanup,
    renewals,
    repository,
    subscriptions,
)
from creatorly.services.memberships.lifecycle import SubscriptionNotFound
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

RAZORPAY = PaymentProviderName.RAZORPAY
PAYMENT_APPLIED = "razorpay_payment"
# The old Razorpay subscription ended while a resume's new one awaited the member (detail: the new one's id).
ENDED_WHILE_RESUMING = "razorpay_ended_resume_pending"
# A resume's new subscription spoke (authorised, charged) after the membership had ended (detail: its id).
RESUME_AFTER_END = "resume_after_end"

logger = get_logger(__name__)


class RazorpayBillingUnavailable(CreatorlyError):
    code = "razorpay_billing_unavailable"
    status = 409
    default_message = "This membership is not paid through Razorpay."


async def subscribe_with_razorpay(*, subscription_public_id: str, member_email: str) -> str:
    """Make the Razorpay subscription of a joining fan; answers the page where the fan authorises it."""
    billing = get_razorpay_subscriptions()
    async with db.transaction() as session:
        subscription = await repository.by_public_id(session, subscription_public_id)
        if subscription is None or subscription.member_email != normalize_email(member_email):
            raise SubscriptionNotFound()
        if billing is None or subscription.provider != RAZORPAY or subscription.status != SubscriptionStatus.INCOMPLETE:
            raise RazorpayBillingUnavailable()
        tier = await repository.get_tier(session, subscription.tier_id)
    razorpay_id, short_url = await billing.create_subscription(
        amount=subscription.amount,
        interval=subscription.interval,
        product_name=f"{tier.name if tier else 'Membership'} membership",
        merchant_reference=subscription.public_id,
    )
    async with db.transaction() as session:
        locked = await repository.by_public_id(session, subscription_public_id, for_update=True)
        assert locked is not None
        if locked.provider_reference is None:
            locked.provider_reference = razorpay_id
            session.add(locked)
            await subscriptions.record(session, locked, "razorpay_subscription", detail=razorpay_id)
    return short_url


def _entity(event: InboundEvent, name: str) -> dict[str, Any] | None:
    payload = event.payload.get("payload")
    part = payload.get(name) if isinstance(payload, dict) else None
    entity = part.get("entity") if isinstance(part, dict) else None
    return entity if isinstance(entity, dict) else None


@dataclass(frozen=True, slots=True)
class RazorpayCharge:
    payment_id: str
    amount: int
    currency: str
    fee: int


def _charge_of(event: InboundEvent) -> RazorpayCharge | None:
    payment = _entity(event, "payment")
    if payment is None:
        return None
    payment_id, amount, currency, fee = (
        payment.get("id"),
        payment.get("amount"),
        payment.get("currency"),
        payment.get("fee"),
    )
    if not (isinstance(payment_id, str) and isinstance(currency, str) and type(amount) is int and amount >= 0):
        raise PaymentEventGarbled(f"event {event.event_id} has no usable payment")
    return RazorpayCharge(payment_id, amount, currency.upper(), fee if type(fee) is int and fee >= 0 else 0)


async def _subscription_of(session: AsyncSession, event: InboundEvent) -> Subscription | None:
    entity = _entity(event, "subscription")
    razorpay_id = entity.get("id") if entity is not None else None
    if not isinstance(razorpay_id, str):
        raise PaymentEventGarbled(f"event {event.event_id} has no subscription id")
    subscription = await repository.by_provider_reference(session, RAZORPAY, razorpay_id)
    if subscription is None:
        logger.warning("razorpay_event_for_unknown_subscription", event_id=event.event_id)
    return subscription


async def _order_for(session: AsyncSession, subscription: Subscription) -> Order:
    assert subscription.id is not None
    if subscription.status == SubscriptionStatus.INCOMPLETE:
        for order in await repository.orders_of(session, subscription.id):
            if subscriptions.purpose_of(order.public_id).kind == "first":
                locked = await orders.find_by_public_id(session, order.public_id, for_update=True)
                assert locked is not None
                return locked
    await renewals.apply_pending_price(session, subscription)
    return await renewals.renewal_order(session, subscription)


def _resume_of(event: InboundEvent) -> tuple[str, str] | None:
    """(the Razorpay subscription's id, our subscription's public id) when it was made to resume a membership."""
    entity = _entity(event, "subscription")
    notes = entity.get("notes") if entity is not None else None
    if entity is None or not isinstance(notes, dict) or notes.get("purpose") != provider_changes.RESUME_PURPOSE:
        return None
    razorpay_id, reference = entity.get("id"), notes.get("merchant_reference")
    if not (isinstance(razorpay_id, str) and isinstance(reference, str)):
        raise PaymentEventGarbled(f"event {event.event_id} has no usable resumed subscription")
    return razorpay_id, reference


async def link_resumed(session: AsyncSession, event: InboundEvent) -> None:
    """subscription.authenticated (and first thing for .activated / .charged): the member authorised the
    subscription made to resume a membership: it bills the membership from now on. Once: a replay, or a later
    event of it, finds it linked. Too late (the membership had ended): it is cancelled at Razorpay instead."""
    await _link_resumed(session, event)


async def _link_resumed(session: AsyncSession, event: InboundEvent) -> Subscription | None:
    """Link the resume subscription the event names; answers the membership when that had ended already."""
    resume = _resume_of(event)
    if resume is None:
        return None
    razorpay_id, public_id = resume
    subscription = await repository.by_public_id(session, public_id, for_update=True)
    if subscription is None or not await razorpay_resume.was_requested(session, subscription, razorpay_id):
        logger.warning("razorpay_resume_for_unknown_subscription", event_id=event.event_id)
        return None
    if await razorpay_resume.is_linked(session, subscription, razorpay_id):
        return None
    if subscription.status in razorpay_resume_cleanup.ENDED:
        await razorpay_resume_cleanup.record_once(session, subscription, RESUME_AFTER_END, razorpay_id)
        await razorpay_resume_cleanup.cancel_later(session, subscription, razorpay_id)
        logger.warning("razorpay_resume_after_end", subscription=public_id, razorpay_id=razorpay_id)
        return subscription
    await razorpay_resume.link(session, subscription, razorpay_id)
    return None


async def handle_charged(session: AsyncSession, event: InboundEvent) -> None:
    """subscription.activated / .charged: pay our order for the payment once; the fulfiller does the rest. A payment
    of a resume subscription whose membership had ended is refunded in full instead (once)."""
    ended = await _link_resumed(session, event)  # a resumed membership's new subscription may speak first by charging
    charge = _charge_of(event)
    if ended is not None:
        if charge is not None:
            await razorpay_resume_cleanup.refund_later(
                session, ended, payment_id=charge.payment_id, amount=charge.amount, currency=charge.currency
            )
        return
    subscription = await _subscription_of(session, event)
    if subscription is None or subscription.id is None or charge is None:
        return
    if await repository.has_event(
        session, subscription_id=subscription.id, kind=PAYMENT_APPLIED, detail=charge.payment_id
    ):
        return
    if subscription.status == SubscriptionStatus.CANCELED:
        await subscriptions.record(session, subscription, "charge_after_end", detail=charge.payment_id)
        return
    order = await _order_for(session, subscription)
    if charge.amount != order.amount or charge.currency != order.currency.upper():
        raise PaymentEventGarbled(f"payment {charge.payment_id} does not match order {order.public_id}")
    await subscriptions.record(
        session, subscription, PAYMENT_APPLIED, from_status=subscription.status, detail=charge.payment_id
    )
    if order.provider_payment_id is None:
        order.provider_payment_id = charge.payment_id
    if order.status not in PAID_STATUSES:
        await fulfill_paid_order(session, order, provider_fee=charge.fee, cause=f"{event.event_type} {event.event_id}")


async def handle_pending(session: AsyncSession, event: InboundEvent) -> None:
    """subscription.pending: the period's charge failed and Razorpay will retry: past due (once per period)."""
    subscription = await _subscription_of(session, event)
    if subscription is None or subscription.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
        return
    if not subscriptions.is_renewal_due(subscription):
        logger.info("razorpay_pending_for_a_renewed_period", event_id=event.event_id)
        return  # a late notice about a period already renewed
    order = await renewals.renewal_order(session, subscription)
    if order.status in PAID_STATUSES:
        return
    if order.status in (OrderStatus.CREATED, OrderStatus.PENDING):
        await orders.transition(session, order, OrderStatus.FAILED, cause="razorpay subscription pending")
    await subscriptions.charge_failed(session, order, payment_reference=order.public_id, failure_code="pending")


async def handle_ended(session: AsyncSession, event: InboundEvent) -> None:
    """subscription.halted / cancelled / completed: the membership ends (a cancelled one stays so). Not while the
    member's resume waits: its new subscription's webhook may come after this one; if it never does, our renewal
    run ends the membership at the period's end (it still cancels then)."""
    subscription = await _subscription_of(session, event)
    if subscription is None or subscription.status == SubscriptionStatus.CANCELED:
        return
    pending = await razorpay_resume.pending_resume(session, subscription)
    if pending is not None and event.event_type != "subscription.halted":
        await razorpay_resume_cleanup.record_once(session, subscription, ENDED_WHILE_RESUMING, pending.razorpay_id)
        return
    if await subscriptions.move(
        session, subscription, SubscriptionStatus.CANCELED, kind="provider_canceled", detail=event.event_type
    ):
        await razorpay_resume_cleanup.cancel_pending(session, subscription)
