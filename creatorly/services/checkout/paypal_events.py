"""PayPal capture events (PAYMENT.CAPTURE.COMPLETED / DENIED) and the capture on the buyer's return, applied alike.

Importing this module registers the handlers (the web app's webhook route and the worker both import it).
The capture made when the buyer comes back from PayPal and PayPal's PAYMENT.CAPTURE.COMPLETED webhook are the same
payment told twice, in either order: whichever comes first fulfils the order under its row lock, the other finds it
paid and changes nothing (it only fills in the capture id if it was missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Order
from creatorly.models.enums import OrderStatus, PaymentProviderName
from creatorly.observability import get_logger
from creatorly.providers.payments.paypal import link_of, minor_units_of, paypal_fee_of
from creatorly.services.checkout.events import PaymentDoesNotMatchOrder, PaymentEventGarbled
from creatorly.services.checkout.service import fulfill_paid_order
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.external_events.service import register_handler
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

PROVIDER = PaymentProviderName.PAYPAL
CAPTURE_COMPLETED = "PAYMENT.CAPTURE.COMPLETED"
CAPTURE_DENIED = "PAYMENT.CAPTURE.DENIED"
COMPLETED = "COMPLETED"
FAILED_CAPTURE_STATUSES = frozenset({"DENIED", "DECLINED", "FAILED"})

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CaptureNotice:
    """One PayPal capture of one PayPal order, as the webhook or our capture call reports it."""

    paypal_order_id: str | None
    merchant_reference: str | None
    capture_id: str
    status: str
    amount: int
    currency: str
    fee: int


def _capture_of(event: InboundEvent) -> CaptureNotice:
    capture: Any = event.payload.get("resource")
    if not isinstance(capture, dict):
        raise PaymentEventGarbled(f"event {event.event_id} has no resource")
    capture_id, status = capture.get("id"), capture.get("status")
    money = minor_units_of(capture.get("amount"))
    if not (isinstance(capture_id, str) and capture_id and isinstance(status, str) and money is not None):
        raise PaymentEventGarbled(f"event {event.event_id} has no usable capture id, status or amount")
    reference = capture.get("custom_id")
    return CaptureNotice(
        paypal_order_id=_order_id_of(capture),
        merchant_reference=reference if isinstance(reference, str) and reference else None,
        capture_id=capture_id,
        status=status,
        amount=money[0],
        currency=money[1],
        fee=paypal_fee_of(capture),
    )


def _order_id_of(capture: dict[str, Any]) -> str | None:
    """supplementary_data.related_ids.order_id, else the last part of the capture's `up` link (its order)."""
    data = capture.get("supplementary_data")
    related = data.get("related_ids") if isinstance(data, dict) else None
    order_id = related.get("order_id") if isinstance(related, dict) else None
    if isinstance(order_id, str) and order_id:
        return order_id
    up = link_of(capture, "up")
    return up.rstrip("/").rsplit("/", 1)[-1] if up and "/checkout/orders/" in up else None


async def locked_order_of(session: AsyncSession, notice: CaptureNotice) -> Order | None:
    """Our order for the capture, locked: by the PayPal order id we stored, else by our reference in custom_id."""
    order = None
    if notice.paypal_order_id is not None:
        order = await orders.find_by_provider_reference(session, PROVIDER, notice.paypal_order_id, for_update=True)
    if order is None and notice.merchant_reference is not None:
        order = await orders.find_by_public_id(session, notice.merchant_reference, for_update=True)
    return order


def _check_matches(order: Order, notice: CaptureNotice) -> None:
    is_same_order = notice.paypal_order_id is None or order.provider_reference in (None, notice.paypal_order_id)
    if (
        not is_same_order
        or order.provider != PROVIDER
        or notice.amount != order.amount
        or notice.currency != order.currency.upper()
    ):
        logger.error("payment_does_not_match_order", order=order.public_id, capture=notice.capture_id)
        raise PaymentDoesNotMatchOrder(f"capture {notice.capture_id} does not match order {order.public_id}")


async def apply_capture(session: AsyncSession, order: Order, notice: CaptureNotice, *, action: str, cause: str) -> None:
    """In the caller's transaction, with `order` locked: fulfil it once on a completed capture, fail a waiting
    order on a denied one, and log every report in the payment log."""
    _check_matches(order, notice)
    assert order.id is not None
    await orders.record_payment_attempt(
        session,
        order_id=order.id,
        provider=PROVIDER,
        action=action,
        outcome=notice.status.lower(),
        detail=f"{cause}, capture {notice.capture_id}",
    )
    if notice.status == COMPLETED and order.provider_payment_id is None:
        order.provider_payment_id = notice.capture_id  # what a refund is made against
        session.add(order)
    if notice.status in FAILED_CAPTURE_STATUSES:
        if order.status in (OrderStatus.CREATED, OrderStatus.PENDING):
            await orders.transition(session, order, OrderStatus.FAILED, cause=f"paypal capture {notice.status}")
        return
    if order.status in PAID_STATUSES or notice.status != COMPLETED:
        return  # paid already, or a PENDING capture: PayPal's COMPLETED event follows
    if order.provider_reference is None and notice.paypal_order_id is not None:
        order.provider_reference = notice.paypal_order_id
    await fulfill_paid_order(session, order, provider_fee=notice.fee, cause=cause)


async def handle_capture_event(session: AsyncSession, event: InboundEvent) -> None:
    notice = _capture_of(event)
    order = await locked_order_of(session, notice)
    if order is None:
        logger.warning("payment_event_for_unknown_order", event_id=event.event_id, event_type=event.event_type)
        return
    await apply_capture(session, order, notice, action=event.event_type, cause=f"{event.event_type} {event.event_id}")


register_handler(PROVIDER, CAPTURE_COMPLETED, handle_capture_event)
register_handler(PROVIDER, CAPTURE_DENIED, handle_capture_event)
