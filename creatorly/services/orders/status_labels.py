"""What a creator reads for each order state: one place, so no screen shows `partially_refunded` or `pending`."""

from __future__ import annotations

from datetime import datetime

from creatorly.kit.clock import as_utc
from creatorly.models.enums import OrderStatus

# An unpaid checkout past its expiry is abandoned from that moment, not from the next sweep that marks it so.
UNPAID_STATUSES = (OrderStatus.CREATED, OrderStatus.PENDING)

ORDER_STATUS_LABELS: dict[OrderStatus, str] = {
    OrderStatus.CREATED: "Checkout started",
    OrderStatus.PENDING: "Awaiting payment",
    OrderStatus.PAID: "Paid",
    OrderStatus.PARTIALLY_REFUNDED: "Partially refunded",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.FAILED: "Payment failed",
    OrderStatus.EXPIRED: "Abandoned",
}


def order_status_label(status: str) -> str:
    """The label of a stored order state; an unknown value is shown tidied rather than raw."""
    try:
        return ORDER_STATUS_LABELS[OrderStatus(status)]
    except ValueError:
        return status.replace("_", " ").capitalize()


def shown_status(status: str, expires_at: datetime | None, now: datetime) -> OrderStatus:
    """The state a creator should see: an unpaid checkout whose time ran out reads as abandoned at once."""
    stored = OrderStatus(status)
    if stored in UNPAID_STATUSES and expires_at is not None and as_utc(expires_at) <= now:
        return OrderStatus.EXPIRED
    return stored
