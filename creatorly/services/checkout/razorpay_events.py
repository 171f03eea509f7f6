"""Razorpay payment events: fulfil an order on payment.captured or order.paid; log payment.failed (a retry may pay).

Importing this module registers the handlers (the web app's webhook route and the worker both import it).
Razorpay sends payment.captured and order.paid for the same payment, in any order: the first fulfils,
the second finds the order paid and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Order
from creatorly.models.enums import PaymentProviderName
from creatorly.observability import get_logger
from creatorly.services.checkout.events import PaymentDoesNotMatchOrder, PaymentEventGarbled
from creatorly.services.checkout.service import fulfill_paid_order
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.external_events.service import register_handler
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

PROVIDER = PaymentProviderName.RAZORPAY
PAYMENT_CAPTURED = "payment.captured"
ORDER_PAID = "order.paid"
PAYMENT_FAILED = "payment.failed"

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RazorpayPayment:
    """The part of payload.payment.entity (and payload.order.entity) we act on; card and contact data are not read."""

    payment_id: str
    razorpay_order_id: str
    merchant_reference: str | None
    amount: int
    currency: str
    fee: int
    status: str
    error_reason: str | None


def _entity(event: InboundEvent, name: str) -> dict[str, Any] | None:
    payload = event.payload.get("payload")
    part = payload.get(name) if isinstance(payload, dict) else None
    entity = part.get("entity") if isinstance(part, dict) else None
    return entity if isinstance(entity, dict) else None


def _payment_of(event: InboundEvent) -> RazorpayPayment:
    payment = _entity(event, "payment")
    if payment is None:
        raise PaymentEventGarbled(f"event {event.event_id} has no payload.payment.entity")
    fee = payment.get("fee")
    error_reason = payment.get("error_reason") or payment.get("error_code")
    return RazorpayPayment(
        payment_id=_text(event, payment, "id"),
        razorpay_order_id=_text(event, payment, "order_id"),
        merchant_reference=_merchant_reference(event, payment),
        amount=_count(event, payment.get("amount"), "amount"),
        currency=_text(event, payment, "currency").upper(),
        # A failed payment has fee null; Razorpay's fee already includes its GST.
        fee=0 if fee is None else _count(event, fee, "fee"),
        status=_text(event, payment, "status"),
        error_reason=error_reason if isinstance(error_reason, str) else None,
    )


def _merchant_reference(event: InboundEvent, payment: dict[str, Any]) -> str | None:
    """Our order's public id: the Razorpay order's receipt (order.paid) or a `merchant_reference` note."""
    order = _entity(event, "order")
    receipt = order.get("receipt") if order is not None else None
    if isinstance(receipt, str) and receipt:
        return receipt
    # Razorpay sends empty notes as [] rather than {}.
    notes = payment.get("notes")
    reference = notes.get("merchant_reference") if isinstance(notes, dict) else None
    return reference if isinstance(reference, str) and reference else None


def _text(event: InboundEvent, entity: dict[str, Any], name: str) -> str:
    value = entity.get(name)
    if not (isinstance(value, str) and value):
        raise PaymentEventGarbled(f"event {event.event_id} has no usable {name}")
    return value


def _count(event: InboundEvent, value: Any, name: str) -> int:
    if type(value) is not int or value < 0:
        raise PaymentEventGarbled(f"event {event.event_id} has no usable {name}")
    return value


async def _locked_order(session: AsyncSession, event: InboundEvent, payment: RazorpayPayment) -> Order | None:
    order = await orders.find_by_provider_reference(session, PROVIDER, payment.razorpay_order_id, for_update=True)
    if order is None and payment.merchant_reference is not None:
        # The event beat the recording of the Razorpay order id on our order.
        order = await orders.find_by_public_id(session, payment.merchant_reference, for_update=True)
    if order is None:
        logger.warning("payment_event_for_unknown_order", event_id=event.event_id, event_type=event.event_type)
    return order


def _check_matches(order: Order, event: InboundEvent, payment: RazorpayPayment) -> None:
    is_same_order = order.provider_reference in (None, payment.razorpay_order_id)
    if (
        not is_same_order
        or order.provider != PROVIDER
        or payment.amount != order.amount
        or payment.currency != order.currency.upper()
    ):
        logger.error("payment_does_not_match_order", event_id=event.event_id, order=order.public_id)
        raise PaymentDoesNotMatchOrder(f"payment {payment.payment_id} does not match order {order.public_id}")


async def _log_event(session: AsyncSession, order: Order, event: InboundEvent, payment: RazorpayPayment) -> None:
    reason = f", {payment.error_reason}" if payment.error_reason else ""
    assert order.id is not None
    await orders.record_payment_attempt(
        session,
        order_id=order.id,
        provider=PROVIDER,
        action=event.event_type,
        outcome=payment.status,
        detail=f"event {event.event_id}, payment {payment.payment_id}{reason}",
    )


async def handle_payment_captured(session: AsyncSession, event: InboundEvent) -> None:
    """Fulfil the order once, from pending, failed or expired (a late capture: the money was taken)."""
    payment = _payment_of(event)
    order = await _locked_order(session, event, payment)
    if order is None:
        return
    _check_matches(order, event, payment)
    await _log_event(session, order, event, payment)
    if payment.status == "captured" and order.provider_payment_id is None:
        order.provider_payment_id = payment.payment_id  # what a refund is made against
        session.add(order)
    if order.status in PAID_STATUSES:
        return
    if payment.status != "captured":
        logger.warning("razorpay_payment_not_captured", order=order.public_id, event_id=event.event_id)
        return
    if order.provider_reference is None:
        order.provider_reference = payment.razorpay_order_id
    await fulfill_paid_order(session, order, provider_fee=payment.fee, cause=f"{event.event_type} {event.event_id}")


async def handle_payment_failed(session: AsyncSession, event: InboundEvent) -> None:
    """A failed payment is logged and the order keeps waiting: Razorpay's checkout lets the buyer pay the same
    Razorpay order again (another card, UPI, netbanking); an abandoned order expires, and a capture on the same
    Razorpay order fulfils it even after that."""
    payment = _payment_of(event)
    order = await _locked_order(session, event, payment)
    if order is None:
        return
    if order.provider_reference not in (None, payment.razorpay_order_id):
        logger.warning("payment_failed_for_other_razorpay_order", order=order.public_id, event_id=event.event_id)
        return
    await _log_event(session, order, event, payment)
    logger.info("payment_attempt_refused", order=order.public_id, status=order.status, failure=payment.error_reason)


register_handler(PROVIDER, PAYMENT_CAPTURED, handle_payment_captured)
register_handler(PROVIDER, ORDER_PAID, handle_payment_captured)
register_handler(PROVIDER, PAYMENT_FAILED, handle_payment_failed)
