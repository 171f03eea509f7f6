"""Membership consequences of provider payment events, through the external-events path.

Importing this module registers the handlers. The sandbox's `payment.succeeded` / `payment.failed` handlers of
checkout are wrapped (imported first, so these registrations always come after theirs): a membership charge
first records the card it saved (fingerprint, saved-card reference), then checkout pays or fails the order in
the same transaction, which runs the membership fulfiller, and a failed renewal moves the subscription to
past due. Idempotent and order-independent: each payment is applied once, a failure after a success is ignored.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Order
from creatorly.models.enums import OrderKind, PaymentProviderName
from creatorly.services.checkout import events as checkout_events
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.external_events.service import register_handler
from creatorly.services.memberships import razorpay_billing, repository, stripe_billing, subscriptions
from creatorly.services.orders import service as orders


def _payment(event: InboundEvent) -> dict[str, Any]:
    data = event.payload.get("data")
    payment = data.get("payment") if isinstance(data, dict) else None
    return payment if isinstance(payment, dict) else {}


async def _locked_order(session: AsyncSession, payment: dict[str, Any]) -> Order | None:
    reference = payment.get("merchant_reference")
    if not isinstance(reference, str) or not reference:
        return None
    return await orders.find_by_public_id(session, reference, for_update=True)


def _is_membership(order: Order | None) -> bool:
    return order is not None and order.kind == OrderKind.MEMBERSHIP and order.subscription_id is not None


async def _membership_order(session: AsyncSession, payment: dict[str, Any]) -> Order | None:
    order = await _locked_order(session, payment)
    return order if _is_membership(order) else None


async def handle_sandbox_payment_succeeded(session: AsyncSession, event: InboundEvent) -> None:
    payment = _payment(event)
    order = await _locked_order(session, payment)
    if order is not None and _is_membership(order):
        await _note_card(session, order, payment)
    # The order is locked already: checkout's handler goes on with it rather than locking it again.
    await checkout_events.handle_payment_succeeded(session, event, locked_order=order)


async def _note_card(session: AsyncSession, order: Order, payment: dict[str, Any]) -> None:
    """The first charge saves the card: its payment is the saved card's reference; a setup gives a fingerprint."""
    assert order.subscription_id is not None
    if subscriptions.purpose_of(order.public_id).kind != "first":
        return
    subscription = await repository.lock(session, order.subscription_id)
    assert subscription is not None
    fingerprint, reference = payment.get("card_fingerprint"), payment.get("reference")
    if isinstance(fingerprint, str) and fingerprint and subscription.card_fingerprint is None:
        subscription.card_fingerprint = fingerprint
    if isinstance(reference, str) and reference and subscription.provider_reference is None:
        subscription.provider_reference = reference
    session.add(subscription)


async def handle_sandbox_payment_failed(session: AsyncSession, event: InboundEvent) -> None:
    await checkout_events.handle_payment_failed(session, event)
    payment = _payment(event)
    order = await _membership_order(session, payment)
    if order is None:
        return
    reference, code = payment.get("reference"), payment.get("failure_code")
    await subscriptions.charge_failed(
        session,
        order,
        payment_reference=reference if isinstance(reference, str) else "",
        failure_code=code if isinstance(code, str) else "payment_failed",
    )


register_handler(PaymentProviderName.SANDBOX, checkout_events.PAYMENT_SUCCEEDED, handle_sandbox_payment_succeeded)
register_handler(PaymentProviderName.SANDBOX, checkout_events.PAYMENT_FAILED, handle_sandbox_payment_failed)

for _invoice_paid in ("invoice.paid", "invoice.payment_succeeded"):
    register_handler(PaymentProviderName.STRIPE, _invoice_paid, stripe_billing.handle_invoice_paid)
register_handler(PaymentProviderName.STRIPE, "invoice.payment_failed", stripe_billing.handle_invoice_failed)
register_handler(
    PaymentProviderName.STRIPE, "customer.subscription.deleted", stripe_billing.handle_subscription_deleted
)
register_handler(
    PaymentProviderName.STRIPE, "customer.subscription.updated", stripe_billing.handle_subscription_updated
)
register_handler(PaymentProviderName.RAZORPAY, "subscription.authenticated", razorpay_billing.link_resumed)
for _charged in ("subscription.activated", "subscription.charged"):
    register_handler(PaymentProviderName.RAZORPAY, _charged, razorpay_billing.handle_charged)
register_handler(PaymentProviderName.RAZORPAY, "subscription.pending", razorpay_billing.handle_pending)
for _ended in ("subscription.halted", "subscription.cancelled", "subscription.completed"):
    register_handler(PaymentProviderName.RAZORPAY, _ended, razorpay_billing.handle_ended)
