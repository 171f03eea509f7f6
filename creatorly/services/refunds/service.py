"""Refund use cases: a creator asks the provider to give back part or all of a paid order.

Only the request happens here (write the refund, commit, call the provider, record the answer); the
money moves in our books when the provider's `refund.succeeded` event arrives (see events.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError, InvalidInput, ProviderError
from creatorly.kit.clock import utc_now
from creatorly.kit.money import format_money, parse_amount
from creatorly.models import Order, Refund
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName
from creatorly.observability import get_logger
from creatorly.providers.payments.base import CreatedRefund, RefundRequest
from creatorly.providers.registry import get_payment_provider
from creatorly.services.accounts.authorization import require_user
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor
from creatorly.services.creators import service as creators
from creatorly.services.ledger.service import RefundExceedsPayment
from creatorly.services.orders import service as orders
from creatorly.services.refunds import repository

REQUESTED, SUCCEEDED, FAILED = "requested", "succeeded", "failed"
REFUND_ACTION = "refund"
MAX_REASON_LENGTH = 200
REFUNDABLE_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED})

logger = get_logger(__name__)

__all__ = [
    "OrderNotRefundable",
    "RefundExceedsPayment",
    "RefundUnavailable",
    "RefundView",
    "refund_order",
    "request_refund",
]


class OrderNotRefundable(CreatorlyError):
    code = "order_not_refundable"
    status = 409
    default_message = "Only a paid order can be refunded."


class RefundUnavailable(CreatorlyError):
    code = "refund_provider_unavailable"
    status = 502
    default_message = "We couldn't reach the payment provider. Please try again."


class RefundRefused(CreatorlyError):
    code = "refund_refused"
    status = 409
    default_message = "The payment provider refused this refund."


@dataclass(frozen=True, slots=True)
class RefundView:
    order_public_id: str
    amount: int
    currency: str
    amount_label: str
    status: str


async def refund_order(*, session_token: str, order_public_id: str, amount_text: str, reason: str = "") -> RefundView:
    """Ask the provider to refund `amount_text` (empty: all that is left) of one of the creator's paid orders.

    A repeated click reuses the refund still waiting with the same amount, and so its idempotency key:
    the provider refunds once. (Consequence: an identical second partial refund can be asked only once
    the first has gone through.)
    """
    user = await require_user(session_token)
    return await request_refund(
        actor=audit.actor_of(user),
        owner_user_id=user.id,
        order_public_id=order_public_id,
        amount_text=amount_text,
        reason=reason,
    )


async def request_refund(
    *, actor: Actor, owner_user_id: int | None, order_public_id: str, amount_text: str, reason: str = ""
) -> RefundView:
    """The one refund path: a creator's own order (`owner_user_id`), or any order for an admin (None).

    The caller has already decided who `actor` is and that they may refund; the refund is audited as theirs.
    """
    reason_text = " ".join(reason.split())
    if len(reason_text) > MAX_REASON_LENGTH:
        raise InvalidInput("Keep the reason under 200 characters.", field="reason")
    async with db.transaction() as session:
        order, refund = await _requested_refund(
            session, actor, owner_user_id, order_public_id.strip(), amount_text=amount_text, reason=reason_text
        )
    await _ask_provider(order, refund)
    return RefundView(
        order_public_id=order.public_id,
        amount=refund.amount,
        currency=order.currency,
        amount_label=format_money(refund.amount, order.currency),
        status=REQUESTED,
    )


async def _ask_provider(order: Order, refund: Refund) -> None:
    """Ask the order's provider for the recorded refund (its idempotency key makes a repeat one refund)."""
    payment_reference = order.provider_payment_id or order.provider_reference
    assert payment_reference is not None
    request = RefundRequest(
        provider_reference=payment_reference,
        amount=refund.amount,
        currency=order.currency,
        idempotency_key=refund.idempotency_key,
        reason=refund.reason,
        merchant_reference=order.public_id,
    )
    try:
        created = await get_payment_provider(order.provider).refund_payment(request)
    except ProviderError as error:
        await _record_error(order, refund, error)
        raise (RefundUnavailable() if error.is_retryable else RefundRefused()) from error
    await _record_created(order, refund, created)


async def add_settlement_refund(session: AsyncSession, order: Order, *, amount: int, reason: str) -> Refund:
    """Record the refund a session's settlement owes the fan (its ledger legs are the settlement's), once per
    order; `send_settlement_refund` then asks the provider, after commit."""
    assert order.id is not None
    key = f"refund-{order.public_id}-settlement"
    existing = await repository.find_by_key(session, key)
    if existing is not None:
        return existing
    return await repository.add(
        session,
        Refund(
            order_id=order.id, amount=amount, reason=reason[:MAX_REASON_LENGTH], status=REQUESTED, idempotency_key=key
        ),
    )


async def send_settlement_refund(*, refund_id: int) -> str:
    """Ask the provider for a settlement's refund still waiting: "sent", "done" (nothing left to ask) or
    raises RefundUnavailable (retryable: the job asks again with the same key)."""
    async with db.transaction() as session:
        refund = await session.get(Refund, refund_id)
        order = None if refund is None else await session.get(Order, refund.order_id)
    if refund is None or order is None or refund.status != REQUESTED or refund.provider_reference is not None:
        return "done"
    await _ask_provider(order, refund)
    return "sent"


async def pending_settlement_refund_ids(*, limit: int = 500) -> list[int]:
    """Settlement refunds never acknowledged by their provider: the sweeper asks again."""
    async with db.transaction() as session:
        return await repository.unsent_with_key_suffix(session, "-settlement", limit=limit)


async def _refundable_order(session: AsyncSession, owner_user_id: int | None, public_id: str) -> Order:
    """The order, locked; OrderNotFound when it is not the owner's (with an owner given)."""
    creator_id = None if owner_user_id is None else (await creators.creator_of(session, owner_user_id)).id
    order = await orders.find_by_public_id(session, public_id, for_update=True)
    if order is None or (owner_user_id is not None and order.creator_id != creator_id):
        raise orders.OrderNotFound()
    return order


async def _requested_refund(
    session: AsyncSession, actor: Actor, owner_user_id: int | None, public_id: str, *, amount_text: str, reason: str
) -> tuple[Order, Refund]:
    """Transaction 1: the refund to ask for, new or the one a repeated click is repeating (audited once)."""
    order = await _refundable_order(session, owner_user_id, public_id)
    if order.kind == OrderKind.SESSION:
        raise OrderNotRefundable(
            "A session's payment is held in escrow: it is refunded by the session's settlement (cancel the "
            "booking, or decide its dispute)."
        )
    if order.status not in REFUNDABLE_STATUSES or order.provider_reference is None or order.amount == 0:
        raise OrderNotRefundable()
    if order.provider in (PaymentProviderName.RAZORPAY, PaymentProviderName.PAYPAL) and not order.provider_payment_id:
        raise OrderNotRefundable()  # Razorpay and PayPal refund the captured payment, whose id the capture brings
    assert order.id is not None
    existing = await repository.of_order(session, order.id)
    pending = [refund for refund in existing if refund.status == REQUESTED]
    available = order.amount - order.refunded_amount - sum(refund.amount for refund in pending)
    wanted = _wanted_amount(amount_text, order.currency, available=available)
    if pending and _is_repeat(pending[-1], wanted, available=available):
        return order, pending[-1]
    if wanted is None:
        wanted = available
    if wanted <= 0 or wanted > available:
        raise RefundExceedsPayment(_exceeds_message(available, order.currency))
    refund = Refund(
        order_id=order.id,
        amount=wanted,
        reason=reason,
        status=REQUESTED,
        idempotency_key=f"refund-{order.public_id}-{len(existing) + 1}",
    )
    await audit.record(
        session,
        actor=actor,
        action="refund.requested",
        target_type="order",
        target_id=order.public_id,
        creator_id=order.creator_id,
        before={"refund_amount": 0},
        after={"refund_amount": wanted, "currency": order.currency},
        reason=reason,
    )
    return order, await repository.add(session, refund)


def _wanted_amount(amount_text: str, currency: str, *, available: int) -> int | None:
    """The typed amount in minor units, or None for "everything left"."""
    if not amount_text.strip():
        return None
    try:
        amount = parse_amount(amount_text, currency)
    except ValueError:
        raise InvalidInput("Enter an amount, like 12.50.", field="amount") from None
    if amount <= 0:
        raise InvalidInput("Enter an amount above zero.", field="amount")
    return amount


def _is_repeat(latest: Refund, wanted: int | None, *, available: int) -> bool:
    """The same click again: the same amount, or "everything left" when the waiting refund took all of it."""
    return available == 0 if wanted is None else wanted == latest.amount


def _exceeds_message(available: int, currency: str) -> str:
    if available <= 0:
        return "Nothing is left to refund on this order."
    return f"You can refund at most {format_money(available, currency)}."


async def _record_created(order: Order, refund: Refund, created: CreatedRefund) -> None:
    async with db.transaction() as session:
        stored = await repository.find_by_key(session, refund.idempotency_key, for_update=True)
        assert stored is not None
        # The refund event may have been handled first and set it already; it is the same refund.
        if stored.provider_reference is None:
            stored.provider_reference, stored.updated_at = created.provider_reference, utc_now()
            session.add(stored)
        await orders.record_payment_attempt(
            session,
            order_id=order.id,
            provider=order.provider,
            action=REFUND_ACTION,
            outcome="ok",
            detail=f"refund {refund.idempotency_key}, reference {created.provider_reference}",
        )


async def _record_error(order: Order, refund: Refund, error: ProviderError) -> None:
    async with db.transaction() as session:
        stored = await repository.find_by_key(session, refund.idempotency_key, for_update=True)
        assert stored is not None
        # A final refusal frees the amount; a retryable failure keeps it waiting for the same key.
        if not error.is_retryable and stored.status == REQUESTED:
            stored.status, stored.updated_at = FAILED, utc_now()
            session.add(stored)
        await orders.record_payment_attempt(
            session,
            order_id=order.id,
            provider=order.provider,
            action=REFUND_ACTION,
            outcome="error",
            detail=f"{'retryable' if error.is_retryable else 'final'}: {error.message}",
        )
    logger.warning("refund_provider_error", order=order.public_id, is_retryable=error.is_retryable)


async def refunds_of(session: AsyncSession, order_id: int) -> Sequence[Refund]:
    """Every refund of an order, oldest first, for other domains' reads (the dashboard)."""
    return await repository.of_order(session, order_id)
