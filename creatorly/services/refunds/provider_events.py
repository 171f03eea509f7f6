"""Stripe's and Razorpay's refund events, translated into the notice the sandbox's refund event gives.

Importing this module registers the handlers. Our refund key and order id travel in the refund's metadata
(Stripe) or notes (Razorpay), set when we asked for the refund; a refund made in the provider's own
dashboard has neither and is applied under a key made from its id.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models.enums import PaymentProviderName
from creatorly.observability import get_logger
from creatorly.providers.payments.paypal import link_of, minor_units_of
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.external_events.service import register_handler
from creatorly.services.orders import service as orders
from creatorly.services.refunds.events import MAX_KEY_LENGTH, RefundEventGarbled, RefundNotice, apply_refund_notice

STRIPE_REFUND_EVENTS = ("refund.created", "refund.updated", "charge.refund.updated")
RAZORPAY_REFUND_PROCESSED = "refund.processed"
PAYPAL_CAPTURE_REFUNDED = "PAYMENT.CAPTURE.REFUNDED"

logger = get_logger(__name__)


def _text(event: InboundEvent, entity: dict[str, Any], name: str) -> str:
    value = entity.get(name)
    if not (isinstance(value, str) and value):
        raise RefundEventGarbled(f"event {event.event_id} has no usable {name}")
    return value


def _amount(event: InboundEvent, entity: dict[str, Any]) -> int:
    amount = entity.get("amount")
    if type(amount) is not int or amount <= 0:
        raise RefundEventGarbled(f"event {event.event_id} has no usable amount")
    return amount


def _tags(entity: dict[str, Any], name: str) -> dict[str, Any]:
    # Razorpay sends empty notes as [] rather than {}.
    tags = entity.get(name)
    return tags if isinstance(tags, dict) else {}


async def _order_reference(session: AsyncSession, provider: str, tags: dict[str, Any], payment: str) -> str | None:
    reference = tags.get("merchant_reference")
    if isinstance(reference, str) and reference:
        return reference
    order = await orders.find_by_provider_reference(session, provider, payment)
    return order.public_id if order is not None else None


def _key(tags: dict[str, Any], provider: str, refund_id: str) -> str:
    key = tags.get("refund_key")
    return (key if isinstance(key, str) and key else f"{provider}-{refund_id}")[:MAX_KEY_LENGTH]


async def handle_stripe_refund(session: AsyncSession, event: InboundEvent) -> None:
    """Apply a Stripe refund once it has succeeded; created-but-pending and failed ones change nothing."""
    data = event.payload.get("data")
    refund: Any = data.get("object") if isinstance(data, dict) else None
    if not isinstance(refund, dict) or refund.get("object") != "refund":
        raise RefundEventGarbled(f"event {event.event_id} has no data.object refund")
    if refund.get("status") != "succeeded":
        logger.info("stripe_refund_not_succeeded", event_id=event.event_id, status=refund.get("status"))
        return
    refund_id, payment = _text(event, refund, "id"), _text(event, refund, "payment_intent")
    tags = _tags(refund, "metadata")
    merchant_reference = await _order_reference(session, PaymentProviderName.STRIPE, tags, payment)
    if merchant_reference is None:
        logger.warning("refund_event_for_unknown_order", event_id=event.event_id)
        return
    await apply_refund_notice(
        session,
        event,
        RefundNotice(
            reference=refund_id,
            payment_reference=payment,
            merchant_reference=merchant_reference,
            amount=_amount(event, refund),
            currency=_text(event, refund, "currency").upper(),
            idempotency_key=_key(tags, "stripe", refund_id),
        ),
    )


def _entity(event: InboundEvent, name: str) -> dict[str, Any]:
    payload = event.payload.get("payload")
    part = payload.get(name) if isinstance(payload, dict) else None
    entity = part.get("entity") if isinstance(part, dict) else None
    if not isinstance(entity, dict):
        raise RefundEventGarbled(f"event {event.event_id} has no payload.{name}.entity")
    return entity


async def handle_razorpay_refund_processed(session: AsyncSession, event: InboundEvent) -> None:
    """Apply a processed Razorpay refund; the order is found by the payment's Razorpay order id."""
    refund, payment = _entity(event, "refund"), _entity(event, "payment")
    refund_id, razorpay_order_id = _text(event, refund, "id"), _text(event, payment, "order_id")
    tags = _tags(refund, "notes")
    merchant_reference = await _order_reference(session, PaymentProviderName.RAZORPAY, tags, razorpay_order_id)
    if merchant_reference is None:
        logger.warning("refund_event_for_unknown_order", event_id=event.event_id)
        return
    await apply_refund_notice(
        session,
        event,
        RefundNotice(
            reference=refund_id,
            payment_reference=razorpay_order_id,  # what our order stores as its provider reference
            merchant_reference=merchant_reference,
            amount=_amount(event, refund),
            currency=_text(event, refund, "currency").upper(),
            idempotency_key=_key(tags, "razorpay", refund_id),
        ),
    )


def _paypal_amount(event: InboundEvent, refund: dict[str, Any]) -> tuple[int, str]:
    money = minor_units_of(refund.get("amount"))
    if money is None or money[0] <= 0:
        raise RefundEventGarbled(f"event {event.event_id} has no usable amount")
    return money


async def handle_paypal_capture_refunded(session: AsyncSession, event: InboundEvent) -> None:
    """Apply a completed PayPal refund; the order is the one whose capture (the refund's `up` link) it refunds."""
    refund: Any = event.payload.get("resource")
    if not isinstance(refund, dict):
        raise RefundEventGarbled(f"event {event.event_id} has no resource")
    if refund.get("status") != "COMPLETED":
        logger.info("paypal_refund_not_completed", event_id=event.event_id, status=refund.get("status"))
        return
    refund_id = _text(event, refund, "id")
    capture_link = link_of(refund, "up") or ""
    capture_id = capture_link.rstrip("/").rsplit("/", 1)[-1] if "/captures/" in capture_link else ""
    order = await orders.find_by_provider_payment_id(session, PaymentProviderName.PAYPAL, capture_id)
    if order is None or order.provider_reference is None:
        logger.warning("refund_event_for_unknown_order", event_id=event.event_id)
        return
    amount, currency = _paypal_amount(event, refund)
    key = refund.get("custom_id")
    await apply_refund_notice(
        session,
        event,
        RefundNotice(
            reference=refund_id,
            payment_reference=order.provider_reference,  # the PayPal order id our order stores
            merchant_reference=order.public_id,
            amount=amount,
            currency=currency,
            idempotency_key=(key if isinstance(key, str) and key else f"paypal-{refund_id}")[:MAX_KEY_LENGTH],
        ),
    )


for _event_type in STRIPE_REFUND_EVENTS:
    register_handler(PaymentProviderName.STRIPE, _event_type, handle_stripe_refund)
register_handler(PaymentProviderName.RAZORPAY, RAZORPAY_REFUND_PROCESSED, handle_razorpay_refund_processed)
register_handler(PaymentProviderName.PAYPAL, PAYPAL_CAPTURE_REFUNDED, handle_paypal_capture_refunded)
