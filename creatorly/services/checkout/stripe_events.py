"""Stripe PaymentIntent events: fulfil an order when its PaymentIntent succeeds, fail it when a charge fails.

Importing this module registers the handlers (the web app's webhook route and the worker both import it).
They translate Stripe's event into the same `PaymentNotice` the sandbox events use and apply the same rules:
run in the transaction that stamps the event handled, hold the order's row lock, idempotent, order-tolerant.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import queue
from creatorly.models import Order
from creatorly.models.enums import OrderStatus, PaymentProviderName
from creatorly.observability import get_logger
from creatorly.services.checkout.events import PaymentEventGarbled, PaymentNotice
from creatorly.services.checkout.service import fulfill_paid_order
from creatorly.services.checkout.stripe_fees import SYNC_FEE_JOB
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.external_events.service import register_handler
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

PAYMENT_INTENT_SUCCEEDED = "payment_intent.succeeded"
PAYMENT_INTENT_FAILED = "payment_intent.payment_failed"
DECLINED = "declined"
STRIPE = PaymentProviderName.STRIPE

logger = get_logger(__name__)


class StripePaymentDoesNotMatchOrder(ValueError):
    """The PaymentIntent's amount, currency or provider differs from the order's: never fulfil it, flag it."""


def _notice_of(event: InboundEvent) -> PaymentNotice | None:
    """The PaymentIntent as a notice; None for one without our order reference (not created by Creatorly)."""
    data = event.payload.get("data")
    intent: Any = data.get("object") if isinstance(data, dict) else None
    if not isinstance(intent, dict) or intent.get("object", "payment_intent") != "payment_intent":
        raise PaymentEventGarbled(f"event {event.event_id} has no data.object payment intent")
    metadata = intent.get("metadata")
    merchant_reference = metadata.get("merchant_reference") if isinstance(metadata, dict) else None
    if not (isinstance(merchant_reference, str) and merchant_reference):
        return None
    reference, amount, currency = intent.get("id"), intent.get("amount"), intent.get("currency")
    if not (isinstance(reference, str) and reference and isinstance(currency, str) and currency):
        raise PaymentEventGarbled(f"event {event.event_id} has no usable id or currency")
    if type(amount) is not int or amount < 0:
        raise PaymentEventGarbled(f"event {event.event_id} has no usable amount")
    error = intent.get("last_payment_error")
    failure_code = error.get("decline_code") or error.get("code") if isinstance(error, dict) else None
    return PaymentNotice(
        reference=reference,
        merchant_reference=merchant_reference,
        amount=amount,
        currency=currency.upper(),
        # Stripe's fee is on the charge's balance transaction, not in this event: 0 until we read it from there.
        fee=0,
        # Our outcome, not Stripe's status: "requires_payment_method" is longer than the payment log allows.
        status=_outcome_of(event, intent),
        failure_code=failure_code if isinstance(failure_code, str) else None,
    )


def _outcome_of(event: InboundEvent, intent: dict[str, Any]) -> str:
    """ "declined" while the intent takes another card (Stripe's requires_payment_method), "failed" once it cannot."""
    if event.event_type != PAYMENT_INTENT_FAILED:
        return "succeeded"
    return DECLINED if intent.get("status", "requires_payment_method") == "requires_payment_method" else "failed"


async def _locked_order(session: AsyncSession, event: InboundEvent) -> tuple[Order, PaymentNotice] | None:
    payment = _notice_of(event)
    if payment is None:
        logger.info("stripe_event_without_order_reference", event_id=event.event_id, event_type=event.event_type)
        return None
    order = await orders.find_by_public_id(session, payment.merchant_reference, for_update=True)
    if order is None:
        # Not ours (another environment sharing the Stripe account, or a deleted test order): nothing to do.
        logger.warning("payment_event_for_unknown_order", event_id=event.event_id, event_type=event.event_type)
        return None
    assert order.id is not None
    code = f", failure {payment.failure_code}" if payment.failure_code else ""
    await orders.record_payment_attempt(
        session,
        order_id=order.id,
        provider=event.provider,
        action=event.event_type,
        outcome=payment.status,
        detail=f"event {event.event_id}, payment {payment.reference}{code}",
    )
    return order, payment


async def handle_payment_intent_succeeded(session: AsyncSession, event: InboundEvent) -> None:
    """Fulfil the order once, from pending, failed or expired (a late success: the money was taken)."""
    found = await _locked_order(session, event)
    if found is None:
        return
    order, payment = found
    if payment.amount != order.amount or payment.currency != order.currency.upper() or order.provider != STRIPE:
        logger.error("payment_does_not_match_order", event_id=event.event_id, order=order.public_id)
        raise StripePaymentDoesNotMatchOrder(f"payment {payment.reference} does not match order {order.public_id}")
    if order.status in PAID_STATUSES:
        if order.provider_reference not in (None, payment.reference):
            logger.error("second_payment_for_paid_order", order=order.public_id, event_id=event.event_id)
        return
    if order.provider_reference is None:
        order.provider_reference = payment.reference
    if await fulfill_paid_order(session, order, provider_fee=payment.fee, cause=f"{event.event_type} {event.event_id}"):
        assert order.id is not None
        queue.enqueue_after_commit(session, SYNC_FEE_JOB, order.id)  # Stripe's fee is not in the event


async def handle_payment_intent_failed(session: AsyncSession, event: InboundEvent) -> None:
    """A declined card is logged and the order keeps waiting: Stripe lets the buyer retry the same PaymentIntent
    with another card on our page (an abandoned order expires). An intent that can no longer be paid fails a
    pending order; after a success (events out of order) or expiry nothing changes, and a later success still
    fulfils a failed order (see above), so failing here never loses a payment.
    """
    found = await _locked_order(session, event)
    if found is None:
        return
    order, payment = found
    if payment.status == DECLINED:
        logger.info("payment_attempt_refused", order=order.public_id, failure=payment.failure_code)
        return
    if order.status not in (OrderStatus.CREATED, OrderStatus.PENDING):
        logger.info("payment_failed_ignored", order=order.public_id, status=order.status, event_id=event.event_id)
        return
    await orders.transition(session, order, OrderStatus.FAILED, cause=payment.failure_code or "payment_failed")


register_handler(STRIPE, PAYMENT_INTENT_SUCCEEDED, handle_payment_intent_succeeded)
register_handler(STRIPE, PAYMENT_INTENT_FAILED, handle_payment_intent_failed)
