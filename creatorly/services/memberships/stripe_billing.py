"""Memberships on Stripe Billing: subscribe the fan's card, then apply Stripe's invoice and subscription webhooks.

Our Subscription's `provider_reference` holds the Stripe customer (one per membership), recorded before the
Stripe subscription is made, so its first invoice's webhook always finds us. Each invoice is applied once
(a SubscriptionEvent names it); a failure for an invoice already paid, or a replay, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError
from creatorly.models import Order
from creatorly.models.enums import OrderStatus, PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.observability import get_logger
from creatorly.providers.payments.stripe_subscriptions import StripeCardDeclined, StripeSubscriptionRequest
from creatorly.providers.registry import get_stripe_subscriptions
from creatorly.services.accounts.rules import normalize_email
from creatorly.services.checkout.events import PaymentEventGarbled
from creatorly.services.checkout.service import fulfill_paid_order
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.memberships import clock, renewals, repository, subscriptions
from creatorly.services.memberships.lifecycle import SubscriptionNotFound
from creatorly.services.memberships.provider_changes import STRIPE_SUBSCRIPTION, stripe_subscription_id
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

STRIPE = PaymentProviderName.STRIPE
INVOICE_APPLIED = "stripe_invoice_paid"
INVOICE_FAILED = "stripe_invoice_failed"

logger = get_logger(__name__)


class StripeBillingUnavailable(CreatorlyError):
    code = "stripe_billing_unavailable"
    status = 409
    default_message = "This membership is not paid through Stripe."


@dataclass(frozen=True, slots=True)
class StripeSubscribeResult:
    """The card page's next step: wait for the first invoice's webhook, run the card's authentication in
    Stripe.js with `client_secret`, or show the decline (`message` is Stripe's text for the cardholder)."""

    status: Literal["succeeded", "requires_action", "declined"]
    stripe_status: str
    client_secret: str = ""
    message: str = ""


async def subscribe_with_stripe(
    *, subscription_public_id: str, member_email: str, payment_method_id: str
) -> StripeSubscribeResult:
    """Make the Stripe customer (recorded first) and subscription for a joining fan's card, with Stripe's trial
    when the join took one. The first invoice's webhook then activates the membership.

    Idempotency keys name our subscription and the card: a double submit is the same request; another card
    after a decline is a new attempt (a new customer with that card as its default)."""
    billing = get_stripe_subscriptions()
    async with db.transaction() as session:
        subscription = await repository.by_public_id(session, subscription_public_id)
        if subscription is None or subscription.member_email != normalize_email(member_email):
            raise SubscriptionNotFound()
        if billing is None or subscription.provider != STRIPE or subscription.status != SubscriptionStatus.INCOMPLETE:
            raise StripeBillingUnavailable()
        tier = await repository.get_tier(session, subscription.tier_id)
        trial_days = tier.trial_days if tier is not None and await _is_trial_join(session, subscription) else 0
    attempt = f"{subscription.public_id}-{payment_method_id}"
    try:
        customer_id = await billing.create_customer(
            email=subscription.member_email,
            payment_method_id=payment_method_id,
            merchant_reference=subscription.public_id,
            idempotency_key=attempt,
        )
    except StripeCardDeclined as declined:
        return StripeSubscribeResult(status="declined", stripe_status="", message=declined.message)
    await _record_customer(subscription_public_id, customer_id)
    subscribed = await billing.create_subscription(
        StripeSubscriptionRequest(
            customer_id=customer_id,
            amount=subscription.amount,
            currency=subscription.currency,
            interval=subscription.interval,
            product_name=f"{tier.name if tier else 'Membership'} membership",
            merchant_reference=subscription.public_id,
            idempotency_key=attempt,
            trial_period_days=trial_days,
        )
    )
    if subscribed.outcome != "declined":
        await _record_stripe_subscription(subscription_public_id, subscribed.subscription_id)
    return StripeSubscribeResult(
        status=subscribed.outcome,
        stripe_status=subscribed.stripe_status,
        client_secret=subscribed.client_secret,
        message=subscribed.message,
    )


async def _is_trial_join(session: AsyncSession, subscription: Subscription) -> bool:
    """The join took a trial when its first order charges nothing (join's trial rule decided so)."""
    assert subscription.id is not None
    for order in await repository.orders_of(session, subscription.id):
        if subscriptions.purpose_of(order.public_id).kind == "first":
            return order.amount == 0
    return False


async def _record_customer(subscription_public_id: str, customer_id: str) -> None:
    """Before the Stripe subscription exists, so its first invoice's webhook finds us by the customer."""
    async with db.transaction() as session:
        locked = await repository.by_public_id(session, subscription_public_id, for_update=True)
        assert locked is not None
        if locked.provider_reference != customer_id and locked.status == SubscriptionStatus.INCOMPLETE:
            locked.provider_reference = customer_id
            session.add(locked)


async def _record_stripe_subscription(subscription_public_id: str, stripe_id: str) -> None:
    async with db.transaction() as session:
        locked = await repository.by_public_id(session, subscription_public_id, for_update=True)
        assert locked is not None and locked.id is not None
        if not await repository.has_event(
            session, subscription_id=locked.id, kind=STRIPE_SUBSCRIPTION, detail=stripe_id
        ):
            await subscriptions.record(session, locked, STRIPE_SUBSCRIPTION, detail=stripe_id)


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    customer: str
    amount: int
    currency: str
    attempt: int
    failure_code: str


def _invoice_of(event: InboundEvent) -> Invoice:
    data = event.payload.get("data")
    invoice: Any = data.get("object") if isinstance(data, dict) else None
    if not isinstance(invoice, dict) or invoice.get("object") != "invoice":
        raise PaymentEventGarbled(f"event {event.event_id} has no invoice")
    invoice_id, customer, currency = invoice.get("id"), invoice.get("customer"), invoice.get("currency")
    amount = invoice.get("amount_paid") if event.event_type != "invoice.payment_failed" else invoice.get("amount_due")
    if not (isinstance(invoice_id, str) and isinstance(customer, str) and isinstance(currency, str)):
        raise PaymentEventGarbled(f"event {event.event_id} has no usable invoice id, customer or currency")
    if type(amount) is not int or amount < 0:
        raise PaymentEventGarbled(f"event {event.event_id} has no usable invoice amount")
    attempt = invoice.get("attempt_count")
    return Invoice(
        id=invoice_id,
        customer=customer,
        amount=amount,
        currency=currency.upper(),
        attempt=attempt if type(attempt) is int else 1,
        failure_code="invoice_payment_failed",
    )


async def _subscription_of(session: AsyncSession, invoice: Invoice) -> Subscription | None:
    subscription = await repository.by_provider_reference(session, STRIPE, invoice.customer)
    if subscription is None:
        logger.warning("stripe_invoice_for_unknown_customer", invoice=invoice.id)
    return subscription


async def _charge_order(session: AsyncSession, subscription: Subscription) -> Order:
    """The order this invoice pays: the first one while the membership is incomplete, else this period's renewal."""
    assert subscription.id is not None
    if subscription.status == SubscriptionStatus.INCOMPLETE:
        for order in await repository.orders_of(session, subscription.id):
            if subscriptions.purpose_of(order.public_id).kind == "first":
                locked = await orders.find_by_public_id(session, order.public_id, for_update=True)
                assert locked is not None
                return locked
    await renewals.apply_pending_price(session, subscription)
    return await renewals.renewal_order(session, subscription)


async def handle_invoice_paid(session: AsyncSession, event: InboundEvent) -> None:
    """invoice.paid / invoice.payment_succeeded: pay our order for it once; the fulfiller activates or renews."""
    invoice = _invoice_of(event)
    subscription = await _subscription_of(session, invoice)
    if subscription is None or subscription.id is None:
        return
    if await repository.has_event(session, subscription_id=subscription.id, kind=INVOICE_APPLIED, detail=invoice.id):
        return  # invoice.paid and invoice.payment_succeeded both come for one invoice; replays too
    order = await _charge_order(session, subscription)
    if invoice.amount != order.amount or invoice.currency != order.currency.upper():
        raise PaymentEventGarbled(f"invoice {invoice.id} does not match order {order.public_id}")
    await subscriptions.record(
        session, subscription, INVOICE_APPLIED, from_status=subscription.status, detail=invoice.id
    )
    if order.status not in PAID_STATUSES:
        await fulfill_paid_order(session, order, provider_fee=0, cause=f"{event.event_type} {event.event_id}")


async def handle_invoice_failed(session: AsyncSession, event: InboundEvent) -> None:
    """invoice.payment_failed: a renewal goes past due (once per invoice attempt); ignored once the invoice is paid."""
    invoice = _invoice_of(event)
    subscription = await _subscription_of(session, invoice)
    if subscription is None or subscription.id is None or subscription.status == SubscriptionStatus.INCOMPLETE:
        return
    if await repository.has_event(session, subscription_id=subscription.id, kind=INVOICE_APPLIED, detail=invoice.id):
        return  # paid already: a late failure
    if not subscriptions.is_renewal_due(subscription):
        logger.info("stripe_failure_for_a_renewed_period", invoice=invoice.id)
        return
    order = await renewals.renewal_order(session, subscription)
    if order.status in (OrderStatus.CREATED, OrderStatus.PENDING):
        await orders.transition(session, order, OrderStatus.FAILED, cause=invoice.failure_code)
    await subscriptions.charge_failed(
        session, order, payment_reference=f"{invoice.id}#{invoice.attempt}", failure_code=invoice.failure_code
    )


async def handle_subscription_deleted(session: AsyncSession, event: InboundEvent) -> None:
    """customer.subscription.deleted: the membership ends (idempotent: a cancelled one stays cancelled)."""
    data = event.payload.get("data")
    stripe_subscription: Any = data.get("object") if isinstance(data, dict) else None
    customer = stripe_subscription.get("customer") if isinstance(stripe_subscription, dict) else None
    if not isinstance(customer, str):
        raise PaymentEventGarbled(f"event {event.event_id} has no subscription customer")
    subscription = await repository.by_provider_reference(session, STRIPE, customer)
    if subscription is None or subscription.status == SubscriptionStatus.CANCELED:
        return
    ours, deleted = await stripe_subscription_id(session, subscription), stripe_subscription.get("id")
    if ours and isinstance(deleted, str) and deleted != ours:
        logger.info("stripe_other_subscription_deleted", subscription=subscription.public_id)
        return  # an earlier attempt's subscription (a declined card's), not the one billing this membership
    await subscriptions.move(session, subscription, SubscriptionStatus.CANCELED, kind="provider_canceled")


async def handle_subscription_updated(session: AsyncSession, event: InboundEvent) -> None:
    """customer.subscription.updated: mirror a cancellation at period end, or a pause of collection, set or undone
    on Stripe's side (its dashboard or customer portal).

    Events can come late and in any order, so the event only says *that* something changed: the values are read
    from Stripe now. If Stripe cannot answer, the event fails and the sweeper applies it again later."""
    data = event.payload.get("data")
    stripe_subscription: Any = data.get("object") if isinstance(data, dict) else None
    if not isinstance(stripe_subscription, dict) or not isinstance(stripe_subscription.get("customer"), str):
        raise PaymentEventGarbled(f"event {event.event_id} has no subscription customer")
    subscription = await repository.by_provider_reference(session, STRIPE, stripe_subscription["customer"])
    if subscription is None:
        return
    if stripe_subscription.get("status") == "canceled":
        await handle_subscription_deleted(session, event)
        return
    ours = await stripe_subscription_id(session, subscription)
    if not ours or stripe_subscription.get("id") != ours or subscription.status == SubscriptionStatus.CANCELED:
        return  # an earlier attempt's subscription (a declined card's), or a membership already over
    billing = get_stripe_subscriptions()
    if billing is None:
        raise StripeBillingUnavailable("Stripe is not configured: the update is kept and applied once it is.")
    state = await billing.current_state(ours)
    if subscription.cancel_at_period_end != state.is_canceling:
        subscription.cancel_at_period_end = state.is_canceling
        session.add(subscription)
        await subscriptions.record(session, subscription, "cancel_scheduled" if state.is_canceling else "cancel_undone")
    if state.is_paused and subscription.status == SubscriptionStatus.ACTIVE:
        subscription.paused_at = clock.now()
        await subscriptions.move(session, subscription, SubscriptionStatus.PAUSED, kind="paused")
    elif not state.is_paused and subscription.status == SubscriptionStatus.PAUSED:
        subscription.paused_at = None
        await subscriptions.move(session, subscription, SubscriptionStatus.ACTIVE, kind="unpaused")
