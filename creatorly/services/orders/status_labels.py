"""What a creator reads for each order state: one place, so no screen shows `partially_refunded` or `pending`."""

from __future__ import annotations

from creatorly.models.enums import OrderStatus

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
