"""The order page of a session order: the payment's status and the link to the booking's page."""

from __future__ import annotations

import hmac

from creatorly import db
from creatorly.kit.money import format_money
from creatorly.models.enums import BookingStatus, OrderKind, OrderStatus
from creatorly.services.delivery.service import OrderNotFound, order_access_token
from creatorly.services.orders import service as orders
from creatorly.services.sessions import repository
from creatorly.services.sessions.booking import booking_key
from creatorly.services.sessions.lifecycle import STATUS_LABELS
from creatorly.services.sessions.notices import local_label
from creatorly.services.sessions.schemas import SessionReceipt

_ORDER_STATUS_LABELS = {
    OrderStatus.CREATED: "Waiting for your payment…",
    OrderStatus.PENDING: "Waiting for your payment…",
    OrderStatus.PAID: "Paid",
    OrderStatus.PARTIALLY_REFUNDED: "Paid (partly refunded)",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.FAILED: "Payment failed",
    OrderStatus.EXPIRED: "Checkout expired",
}


def booking_path(public_id: str) -> str:
    """The fan's booking page within the site (the emails carry the absolute `booking_page_url`)."""
    return f"/bookings/{public_id}?key={booking_key(public_id)}"


async def get_session_receipt(*, order_public_id: str, key: str) -> SessionReceipt:
    """A session order opened with its signed order-page key; any other order (or a wrong key) is not found."""
    if not order_public_id or not hmac.compare_digest(order_access_token(order_public_id), key):
        raise OrderNotFound()
    async with db.reads() as session:
        order = await orders.find_by_public_id(session, order_public_id)
        if order is None or order.kind != OrderKind.SESSION or order.id is None:
            raise OrderNotFound()
        booking = await repository.booking_of_order(session, order.id)
        found = await repository.booking_with_parts(session, booking.public_id) if booking is not None else None
    if found is None:
        raise OrderNotFound()
    booking, session_type, creator, _ = found
    status = OrderStatus(order.status)
    return SessionReceipt(
        order_public_id=order.public_id,
        status=status.value,
        status_label=_ORDER_STATUS_LABELS.get(status, status.value.capitalize()),
        title=session_type.title,
        creator_name=creator.display_name,
        amount_label=format_money(order.amount, order.currency),
        paid_at=order.paid_at,
        when_label=local_label(booking.starts_at, booking.fan_timezone),
        timezone=booking.fan_timezone,
        booking_status=str(booking.status),
        booking_status_label=STATUS_LABELS[BookingStatus(booking.status)],
        booking_path=booking_path(booking.public_id),
    )
