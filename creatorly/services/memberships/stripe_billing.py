"""Memberships on Stripe Billing: subscribe the fan's card, then apply Stripe's invoice and subscription webhooks.

Our Subscription's `provider_reference` holds the Stripe customer (one per membership), recorded before the
Stripe subscription is made, so its first invoice's webhook always finds us. Each invoice is applied once
(a SubscriptionEvent names it); a failure for an invoice already paid, or a replay, changes nothing.
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
from creatorly.providers.payments.stripe import StripeSubscriptionRequest
from creatorly.providers.registry import get_stripe_subscriptions
from creatorly.services.checkout.events import PaymentEventGarbled
from creatorly.services.checkout.service import fulfill_paid_order
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.memberships import renewals, repository, subscriptions
from creatorly.services.memberships.lifecycle import SubscriptionNotFound
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


async def subscribe_with_stripe(*, subscription_public_id: str, member_email: str, payment_method_id: str) -> str:
    """Make the Stripe customer (recorded first) and subscription for a joining fan's card; answers Stripe's
    subscription status. The first invoice's webhook then activates the membership."""
    billing = get_stripe_subscriptions()
    async with db.transaction() as session:
        subscription = await repository.by_public_id(session, subscription_public_id)
        if subscription is None or subscription.member_email != member_email:
            raise SubscriptionNotFound()
        if billing is None or subscription.provider != STRIPE or subscription.status != SubscriptionStatus.INCOMPLETE:
            raise StripeBillingUnavailable()
        tier = await repository.get_tier(session, subscription.tier_id)
    customer_id = subscription.provider_reference or await billing.create_customer(
        email=member_email, payment_method_id=payment_method_id, merchant_reference=subscription.public_id
    )
    async with db.transaction() as session:
        locked = await repository.by_public_id(session, subscription_public_id, for_update=True)
        assert locked is not None
        if locked.provider_reference is None:
            locked.provider_reference = customer_id
            session.add(locked)
    stripe_id, status = await billing.create_subscription(
        StripeSubscriptionRequest(
            customer_id=customer_id,
            amount=subscription.amount,
            currency=subscription.currency,
            interval=subscription.interval,
            product_name=f"{tier.name if tier else 'Membership'} membership",
            merchant_reference=subscription.public_id,
            idempotency_key=subscription.public_id,
        )
    )
    async with db.transaction() as session:
        locked = await repository.by_public_id(session, subscription_public_id, for_update=True)
        assert locked is not None
        await subscriptions.record(session, locked, "stripe_subscription", detail=stripe_id)
    return status


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
    if subscription is not None and subscription.status != SubscriptionStatus.CANCELED:
        await subscriptions.move(session, subscription, SubscriptionStatus.CANCELED, kind="provider_canceled")


async def handle_subscription_updated(session: AsyncSession, event: InboundEvent) -> None:
    """customer.subscription.updated: mirror cancel_at_period_end set or undone on Stripe's side."""
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
    wanted = bool(stripe_subscription.get("cancel_at_period_end"))
    if subscription.cancel_at_period_end != wanted and subscription.status != SubscriptionStatus.CANCELED:
        subscription.cancel_at_period_end = wanted
        session.add(subscription)
        await subscriptions.record(session, subscription, "cancel_scheduled" if wanted else "cancel_undone")
