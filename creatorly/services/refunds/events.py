"""Refund events: apply a succeeded refund to the books, the order and its downloads once.

The sandbox's refund event is parsed here; Stripe's and Razorpay's are translated in provider_events.

Importing this module registers the handler (the web app's webhook route and the worker both import it).
It runs in the transaction that stamps the event handled and holds the order's row lock.

Order independence: a refund event may arrive before the payment event of the same order. Then the
handler stores nothing and raises, so the event stays unhandled; the provider's redelivery or the
sweeper (`handle_unhandled`) applies it once the payment is in. Refund before payment → the same final
state once both are handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.kit.clock import utc_now
from creatorly.models import Order, Refund
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName
from creatorly.observability import get_logger
from creatorly.services.analytics import tracking
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.external_events.service import register_handler
from creatorly.services.ledger import service as ledger
from creatorly.services.orders import service as orders
from creatorly.services.refunds import repository
from creatorly.services.refunds.service import REQUESTED, SUCCEEDED

REFUND_SUCCEEDED = "refund.succeeded"
MAX_KEY_LENGTH = 80

logger = get_logger(__name__)


class RefundEventGarbled(ValueError):
    """A verified event without the fields of the contract: left unhandled so someone looks at it."""


class RefundBeforePayment(RuntimeError):
    """The order is not paid yet here: retry later, once the payment event has been handled."""


class RefundDoesNotMatchOrder(ValueError):
    """The refund's currency or amount disagrees with what we asked for: never apply it, flag it."""


@dataclass(frozen=True, slots=True)
class RefundNotice:
    reference: str
    payment_reference: str
    merchant_reference: str
    amount: int
    currency: str
    idempotency_key: str


def _refund_of(event: InboundEvent) -> RefundNotice:
    data = event.payload.get("data")
    refund: Any = data.get("refund") if isinstance(data, dict) else None
    if not isinstance(refund, dict):
        raise RefundEventGarbled(f"event {event.event_id} has no data.refund")
    texts = {}
    for name in ("reference", "payment_reference", "merchant_reference", "currency", "idempotency_key"):
        value = refund.get(name)
        if not (isinstance(value, str) and value):
            raise RefundEventGarbled(f"event {event.event_id} has no usable {name}")
        texts[name] = value
    amount = refund.get("amount")
    if type(amount) is not int or amount <= 0:
        raise RefundEventGarbled(f"event {event.event_id} has no usable amount")
    return RefundNotice(
        reference=texts["reference"],
        payment_reference=texts["payment_reference"],
        merchant_reference=texts["merchant_reference"],
        amount=amount,
        currency=texts["currency"].upper(),
        idempotency_key=texts["idempotency_key"][:MAX_KEY_LENGTH],
    )


async def _refund_row(session: AsyncSession, order: Order, notice: RefundNotice) -> Refund:
    """Our refund with the event's key; one made on the provider's side is recorded as it arrives."""
    refund = await repository.find_by_key(session, notice.idempotency_key, for_update=True)
    if refund is not None:
        return refund
    assert order.id is not None
    logger.info("refund_made_outside_creatorly", order=order.public_id, reference=notice.reference)
    return await repository.add(
        session,
        Refund(
            order_id=order.id,
            amount=notice.amount,
            reason="Refunded at the payment provider",
            status=REQUESTED,
            idempotency_key=notice.idempotency_key,
            provider_reference=notice.reference,
        ),
    )


def _check_matches(order: Order, refund: Refund, event: InboundEvent, notice: RefundNotice) -> None:
    is_same = (
        refund.order_id == order.id
        and refund.amount == notice.amount
        and notice.currency == order.currency.upper()
        and order.provider_reference in (None, notice.payment_reference)
    )
    if not is_same:
        logger.error("refund_does_not_match_order", event_id=event.event_id, order=order.public_id)
        raise RefundDoesNotMatchOrder(f"refund {notice.reference} does not match order {order.public_id}")


async def handle_refund_succeeded(session: AsyncSession, event: InboundEvent) -> None:
    """The sandbox's refund.succeeded."""
    await apply_refund_notice(session, event, _refund_of(event))


async def apply_refund_notice(session: AsyncSession, event: InboundEvent, notice: RefundNotice) -> None:
    """Post the refund to the ledger, add it to the order, move the order, revoke downloads when all is back.

    Every provider's refund event comes here once translated into a notice.
    """
    order = await orders.find_by_public_id(session, notice.merchant_reference, for_update=True)
    if order is None:
        logger.warning("refund_event_for_unknown_order", event_id=event.event_id)
        return
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED):
        raise RefundBeforePayment(f"order {order.public_id} is {order.status}; the payment event comes first")
    refund = await _refund_row(session, order, notice)
    _check_matches(order, refund, event, notice)
    if refund.status == SUCCEEDED:
        return
    await _apply(session, order, refund, event, notice)


async def _apply(
    session: AsyncSession, order: Order, refund: Refund, event: InboundEvent, notice: RefundNotice
) -> None:
    assert order.id is not None
    now = utc_now()
    if order.kind == OrderKind.SESSION:
        # A session's refund left the escrow with its settlement's posting; the creator never earned it.
        net_amount = 0
    else:
        refund_id = await ledger.post_refund(
            session, order_id=order.id, refund_reference=refund.idempotency_key, amount=refund.amount
        )
        net_amount = await ledger.creator_share(session, refund_id, order.creator_id)
    await tracking.record_refund(session, order, amount=refund.amount, net_amount=net_amount)
    refund.status, refund.updated_at = SUCCEEDED, now
    refund.provider_reference = refund.provider_reference or notice.reference
    session.add(refund)
    order.refunded_amount += refund.amount
    is_full = order.refunded_amount >= order.amount
    session.add(order)
    to_status = OrderStatus.REFUNDED if is_full else OrderStatus.PARTIALLY_REFUNDED
    await orders.transition(session, order, to_status, cause=f"{event.event_type} {event.event_id}")
    if is_full:
        for entitlement in await orders.entitlements_of(session, order.id):
            if entitlement.revoked_at is None:
                entitlement.revoked_at = now
                session.add(entitlement)
    await orders.record_payment_attempt(
        session,
        order_id=order.id,
        provider=event.provider,
        action=event.event_type,
        outcome=SUCCEEDED,
        detail=f"event {event.event_id}, refund {notice.reference}",
    )


register_handler(PaymentProviderName.SANDBOX, REFUND_SUCCEEDED, handle_refund_succeeded)
