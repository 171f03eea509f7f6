"""Stripe's fee on a paid order: read from the charge's balance transaction after the payment, then posted once.

Stripe's payment events do not carry the fee, so a Stripe sale is fulfilled with fee 0 and this job, enqueued
after that commit, asks Stripe (outside any transaction) and records the fee on the order and in the ledger.
"""

from __future__ import annotations

from enum import StrEnum

from creatorly import db
from creatorly.models import Order
from creatorly.models.enums import OrderKind, PaymentProviderName
from creatorly.observability import get_logger
from creatorly.providers.registry import get_stripe_provider
from creatorly.services.ledger import escrow, fees
from creatorly.services.orders.rules import PAID_STATUSES

SYNC_FEE_JOB = "checkout.sync_stripe_fee"

logger = get_logger(__name__)


class FeeSync(StrEnum):
    RECORDED = "recorded"
    NOTHING_TO_DO = "nothing_to_do"
    NOT_YET = "not_yet"  # Stripe has not reported the fee: try again later


async def sync_stripe_fee(order_id: int) -> FeeSync:
    """Idempotent: an order whose fee is already recorded, or that is not a paid Stripe order, is left alone."""
    async with db.transaction() as session:
        order = await session.get(Order, order_id)
    if not _needs_fee(order) or (provider := get_stripe_provider()) is None:
        return FeeSync.NOTHING_TO_DO
    assert order is not None and order.provider_reference is not None
    fee = await provider.payment_fee(order.provider_reference)
    if fee is None:
        return FeeSync.NOT_YET
    async with db.transaction() as session:
        locked = await session.get(Order, order_id, with_for_update={"key_share": True})
        if not _needs_fee(locked):
            return FeeSync.NOTHING_TO_DO
        assert locked is not None
        if locked.kind == OrderKind.SESSION:  # held in escrow: the fee lowers what the settlement splits
            await escrow.post_session_provider_fee(session, order_id=order_id, fee=fee)
        else:
            await fees.post_provider_fee(session, order_id=order_id, fee=fee)
        locked.provider_fee = fee
        session.add(locked)
    logger.info("stripe_fee_recorded", order=order.public_id, fee=fee)
    return FeeSync.RECORDED


def _needs_fee(order: Order | None) -> bool:
    return (
        order is not None
        and order.provider == PaymentProviderName.STRIPE
        and order.provider_reference is not None
        and order.status in PAID_STATUSES
        and order.provider_fee == 0
        and order.amount > 0
    )
