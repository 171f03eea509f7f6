"""Payment events from the sandbox gateway: fulfil an order when its payment succeeds, fail it when it fails for good.

Importing this module registers the handlers (the web app's webhook route and the worker both import it).
Each handler runs in the transaction that stamps the event handled, holds the order's row lock, and is
idempotent and tolerant of events arriving out of order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Order
from creatorly.models.enums import OrderStatus, PaymentProviderName
from creatorly.observability import get_logger
from creatorly.services.checkout.service import fulfill_paid_order
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.external_events.service import register_handler
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
SANDBOX_PAYMENT_OPEN = "requires_payment"  # the gateway's payment still accepts another card

logger = get_logger(__name__)


class PaymentEventGarbled(ValueError):
    """A verified event without the fields of the contract: left unhandled so someone looks at it."""


class PaymentDoesNotMatchOrder(ValueError):
    """The payment's amount, currency or provider differs from the order's: never fulfil it, flag it."""


@dataclass(frozen=True, slots=True)
class PaymentNotice:
    """The part of a payment event we act on; card details are deliberately not read."""

    reference: str
    merchant_reference: str
    amount: int
    currency: str
    fee: int
    status: str
    failure_code: str | None


def _payment_of(event: InboundEvent) -> PaymentNotice:
    data = event.payload.get("data")
    payment: Any = data.get("payment") if isinstance(data, dict) else None
    if not isinstance(payment, dict):
        raise PaymentEventGarbled(f"event {event.event_id} has no data.payment")
    failure_code = payment.get("failure_code")
    if not (failure_code is None or isinstance(failure_code, str)):
        raise PaymentEventGarbled(f"event {event.event_id} has a malformed failure_code")
    return PaymentNotice(
        reference=_text(event, payment, "reference"),
        merchant_reference=_text(event, payment, "merchant_reference"),
        amount=_count(event, payment, "amount"),
        currency=_text(event, payment, "currency").upper(),
        fee=_count(event, payment, "fee", default=0),
        status=_text(event, payment, "status"),
        failure_code=failure_code,
    )


def _text(event: InboundEvent, payment: dict[str, Any], name: str) -> str:
    value = payment.get(name)
    if not (isinstance(value, str) and value):
        raise PaymentEventGarbled(f"event {event.event_id} has no usable {name}")
    return value


def _count(event: InboundEvent, payment: dict[str, Any], name: str, *, default: int | None = None) -> int:
    value = payment.get(name, default)
    if type(value) is not int or value < 0:
        raise PaymentEventGarbled(f"event {event.event_id} has no usable {name}")
    return value


async def _locked_order(session: AsyncSession, event: InboundEvent, payment: PaymentNotice) -> Order | None:
    order = await orders.find_by_public_id(session, payment.merchant_reference, for_update=True)
    if order is None:
        # Not ours (another environment sharing the gateway, or a deleted test order): nothing to do.
        logger.warning("payment_event_for_unknown_order", event_id=event.event_id, event_type=event.event_type)
    return order


async def _log_event(session: AsyncSession, order: Order, event: InboundEvent, payment: PaymentNotice) -> None:
    code = f", failure {payment.failure_code}" if payment.failure_code else ""
    await orders.record_payment_attempt(
        session,
        order_id=order.id,
        provider=event.provider,
        action=event.event_type,
        outcome="declined" if payment.status == SANDBOX_PAYMENT_OPEN else payment.status,
        detail=f"event {event.event_id}, payment {payment.reference}{code}",
    )


def _check_matches(order: Order, event: InboundEvent, payment: PaymentNotice) -> None:
    if payment.amount != order.amount or payment.currency != order.currency.upper() or event.provider != order.provider:
        logger.error("payment_does_not_match_order", event_id=event.event_id, order=order.public_id)
        raise PaymentDoesNotMatchOrder(f"payment {payment.reference} does not match order {order.public_id}")


async def handle_payment_succeeded(
    session: AsyncSession, event: InboundEvent, *, locked_order: Order | None = None
) -> None:
    """Fulfil the order once, from pending, failed or expired (a late success: the money was taken).

    `locked_order` is the event's order when the caller has locked it already in this transaction."""
    payment = _payment_of(event)
    is_ours = locked_order is not None and locked_order.public_id == payment.merchant_reference
    order = locked_order if is_ours else await _locked_order(session, event, payment)
    if order is None:
        return
    _check_matches(order, event, payment)
    await _log_event(session, order, event, payment)
    if order.status in PAID_STATUSES:
        if order.provider_reference not in (None, payment.reference):
            logger.error("second_payment_for_paid_order", order=order.public_id, event_id=event.event_id)
        return
    if order.provider_reference is None:
        order.provider_reference = payment.reference
    await fulfill_paid_order(session, order, provider_fee=payment.fee, cause=f"{event.event_type} {event.event_id}")


async def handle_payment_failed(session: AsyncSession, event: InboundEvent) -> None:
    """A refused card on a payment that stays open is logged and the order keeps waiting (the buyer tries another
    card; an abandoned order expires); a payment that failed for good fails a pending order. After a success
    (events out of order) or expiry it changes nothing."""
    payment = _payment_of(event)
    order = await _locked_order(session, event, payment)
    if order is None:
        return
    await _log_event(session, order, event, payment)
    if payment.status == SANDBOX_PAYMENT_OPEN:
        logger.info("payment_attempt_refused", order=order.public_id, failure=payment.failure_code)
        return
    if order.status not in (OrderStatus.CREATED, OrderStatus.PENDING):
        logger.info("payment_failed_ignored", order=order.public_id, status=order.status, event_id=event.event_id)
        return
    await orders.transition(session, order, OrderStatus.FAILED, cause=payment.failure_code or "payment_failed")


register_handler(PaymentProviderName.SANDBOX, PAYMENT_SUCCEEDED, handle_payment_succeeded)
register_handler(PaymentProviderName.SANDBOX, PAYMENT_FAILED, handle_payment_failed)
