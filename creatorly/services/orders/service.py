"""Order use cases and the helpers other domains reuse: the state machine, lookups, the payment log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.money import format_money
from creatorly.models import Entitlement, Order, OrderEvent, PaymentAttempt
from creatorly.models.enums import OrderStatus
from creatorly.services.orders import repository
from creatorly.services.orders.rules import OrderTransitionRefused, can_transition, is_repeat

__all__ = [
    "BuyerOrder",
    "OrderNotFound",
    "OrderTransitionRefused",
    "add_order",
    "add_pending_order",
    "anonymize_buyer",
    "count_open_pending",
    "entitlements_of",
    "events_of",
    "export_buyer_orders",
    "find_by_checkout_key",
    "find_by_public_id",
    "get_order_for_buyer",
    "grant_entitlement",
    "grant_entitlements_to_files",
    "latest_attempt_detail",
    "lock_abandoned",
    "record_payment_attempt",
    "set_provider_reference_if_unset",
    "transition",
]

MAX_CAUSE_LENGTH = 200
MAX_DETAIL_LENGTH = 500


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = "We couldn't find that order."


@dataclass(frozen=True, slots=True)
class BuyerOrder:
    """What the buyer's order page shows; the public id is the buyer's capability to see it."""

    public_id: str
    product_id: int | None
    status: OrderStatus
    amount: int
    currency: str
    amount_label: str
    buyer_email: str
    created_at: datetime
    paid_at: datetime | None


async def export_buyer_orders(session: AsyncSession, *, user_id: int, email: str) -> list[dict[str, Any]]:
    """The person's purchases, for their data export."""
    return [
        {
            "order": order.public_id,
            "amount": format_money(order.amount, order.currency),
            "amount_minor_units": order.amount,
            "currency": order.currency,
            "status": order.status,
            "created_at": order.created_at.isoformat(),
        }
        for order in await repository.list_of_buyer(session, user_id, email)
    ]


async def anonymize_buyer(session: AsyncSession, *, user_id: int, email: str, replacement_email: str) -> None:
    """Keep the financial record of each purchase but remove who made it."""
    await repository.anonymize_buyer(session, user_id, email, replacement_email=replacement_email)


async def transition(session: AsyncSession, order: Order, to_status: OrderStatus, *, cause: str) -> bool:
    """Move the order and record why; False (nothing written) for a replay of the status it already has.

    Raises OrderTransitionRefused for a move the state machine does not allow. The caller holds the
    order's row lock when events may race (webhooks, the expiry job).
    """
    from_status = OrderStatus(order.status)
    if is_repeat(from_status, to_status):
        return False
    if not can_transition(from_status, to_status):
        raise OrderTransitionRefused(f"An order can't go from {from_status.value} to {OrderStatus(to_status).value}.")
    assert order.id is not None
    order.status, order.updated_at = OrderStatus(to_status), utc_now()
    session.add(order)
    await repository.add(
        session,
        OrderEvent(
            order_id=order.id, from_status=from_status.value, to_status=to_status.value, cause=cause[:MAX_CAUSE_LENGTH]
        ),
    )
    return True


async def get_order_for_buyer(public_id: str) -> BuyerOrder:
    """One order by its public id, for the buyer's order page."""
    async with db.transaction() as session:
        order = await repository.get_by_public_id(session, public_id.strip())
    if order is None:
        raise OrderNotFound()
    return BuyerOrder(
        public_id=order.public_id,
        product_id=order.product_id,
        status=OrderStatus(order.status),
        amount=order.amount,
        currency=order.currency,
        amount_label=format_money(order.amount, order.currency),
        buyer_email=order.buyer_email,
        created_at=order.created_at,
        paid_at=order.paid_at,
    )


async def add_order(session: AsyncSession, order: Order) -> Order:
    """Insert in the caller's transaction; a reused checkout key raises IntegrityError at flush."""
    await repository.add(session, order)
    return order


async def add_pending_order(session: AsyncSession, order: Order, *, cause: str) -> Order:
    """Insert a new order straight as pending, with its created → pending event: two INSERTs, where `add_order`
    then `transition` also UPDATE the row just inserted. A reused checkout key raises IntegrityError."""
    order.status = OrderStatus.PENDING
    await repository.add(session, order)
    assert order.id is not None
    event = OrderEvent(
        order_id=order.id,
        from_status=OrderStatus.CREATED.value,
        to_status=OrderStatus.PENDING.value,
        cause=cause[:MAX_CAUSE_LENGTH],
    )
    await repository.add(session, event)
    return order


async def find_by_checkout_key(session: AsyncSession, checkout_key: str) -> Order | None:
    return await repository.get_by_checkout_key(session, checkout_key)


async def find_by_public_id(session: AsyncSession, public_id: str, *, for_update: bool = False) -> Order | None:
    return await repository.get_by_public_id(session, public_id, for_update=for_update)


async def count_open_pending(session: AsyncSession, product_id: int, *, now: datetime) -> int:
    """Orders of the product waiting for payment and not yet past their expiry: they hold a unit of stock."""
    return await repository.count_open_pending(session, product_id, now=now)


async def lock_abandoned(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[Order]:
    return await repository.lock_abandoned(session, now=now, limit=limit)


async def record_payment_attempt(
    session: AsyncSession, *, order_id: int | None, provider: str, action: str, outcome: str, detail: str = ""
) -> None:
    """One line of the payment log; `detail` must never carry card data."""
    attempt = PaymentAttempt(
        order_id=order_id, provider=provider, action=action, outcome=outcome, detail=detail[:MAX_DETAIL_LENGTH]
    )
    await repository.add(session, attempt)


async def grant_entitlement(
    session: AsyncSession, *, order_id: int, product_file_id: int, download_limit: int, expires_at: datetime
) -> None:
    entitlement = Entitlement(
        order_id=order_id, product_file_id=product_file_id, download_limit=download_limit, expires_at=expires_at
    )
    await repository.add(session, entitlement)


async def grant_entitlements_to_files(
    session: AsyncSession, *, order_id: int, product_id: int, download_limit: int, expires_at: datetime
) -> None:
    """One entitlement per file the product has now, written by one statement."""
    await repository.add_entitlements_to_files(
        session, order_id=order_id, product_id=product_id, download_limit=download_limit, expires_at=expires_at
    )


async def set_provider_reference_if_unset(
    session: AsyncSession, order_id: int, provider_reference: str, *, at: datetime
) -> bool:
    """Record the provider's id of the order's payment unless one is recorded already; True if this set it."""
    return await repository.set_provider_reference_if_unset(session, order_id, provider_reference, at=at)


async def entitlements_of(session: AsyncSession, order_id: int) -> Sequence[Entitlement]:
    return await repository.entitlements_of(session, order_id)


async def events_of(session: AsyncSession, order_id: int) -> Sequence[OrderEvent]:
    return await repository.events_of(session, order_id)


async def latest_attempt_detail(session: AsyncSession, order_id: int, *, action: str, outcome: str) -> str | None:
    """The detail of the order's newest payment-log line of this action and outcome, if any."""
    attempt = await repository.latest_attempt(session, order_id, action=action, outcome=outcome)
    return None if attempt is None else attempt.detail


async def find_by_provider_payment_id(session: AsyncSession, provider: str, provider_payment_id: str) -> Order | None:
    """The order whose settled payment the provider knows by this id (a PayPal capture, a Razorpay pay_… id)."""
    return await repository.get_by_provider_payment_id(session, provider, provider_payment_id)


async def find_by_provider_reference(
    session: AsyncSession, provider: str, provider_reference: str, *, for_update: bool = False
) -> Order | None:
    """The order a provider knows by this id (its order or payment id), if any."""
    return await repository.get_by_provider_reference(session, provider, provider_reference, for_update=for_update)
