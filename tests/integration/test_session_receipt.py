"""A session order's page: the signed order link shows the booking and leads to its page; any other order or a
wrong key is not found; the booking says what a cancel by the fan would refund."""

from __future__ import annotations

import pytest

from creatorly.errors import NotFound
from creatorly.services.delivery.service import order_access_token
from creatorly.services.sessions import lifecycle, receipt
from creatorly.services.sessions.booking import booking_key
from tests.integration.test_sessions import _public_url, app_server
from tests.sessions import booking_of as _booking_of
from tests.sessions import creator as _creator
from tests.sessions import new as _new
from tests.sessions import paid as _paid
from tests.sessions import slot as _slot

__all__ = ["_public_url", "app_server"]  # the fixtures these tests share with test_sessions


async def test_a_paid_session_orders_page_leads_to_its_booking(app_server: str) -> None:
    creator, _, _, type_id = await _creator()
    order = await _paid(app_server, _new(creator, type_id, await _slot(creator, type_id)))
    booking = await _booking_of(order)

    shown = await receipt.get_session_receipt(order_public_id=order.public_id, key=order_access_token(order.public_id))

    assert (shown.status, shown.status_label, shown.title, shown.amount_label) == (
        "paid",
        "Paid",
        "Portfolio review",
        "$40.00",
    )
    assert (shown.booking_status, shown.booking_status_label) == ("booked", "Booked")
    assert shown.booking_path == f"/bookings/{booking.public_id}?key={booking_key(booking.public_id)}"
    assert shown.timezone == "America/New_York"
    assert shown.when_label.endswith("(America/New_York)")


async def test_a_wrong_key_or_another_kind_of_order_is_not_found(app_server: str) -> None:
    creator, _, _, type_id = await _creator()
    order = await _paid(app_server, _new(creator, type_id, await _slot(creator, type_id)))

    with pytest.raises(NotFound):
        await receipt.get_session_receipt(order_public_id=order.public_id, key="wrong")
    with pytest.raises(NotFound):
        await receipt.get_session_receipt(order_public_id="ord_missing", key=order_access_token("ord_missing"))


async def test_the_booking_says_what_a_cancel_would_refund(app_server: str) -> None:
    creator, _, _, type_id = await _creator()
    order = await _paid(app_server, _new(creator, type_id, await _slot(creator, type_id, days_ahead=3)))
    booking = await _booking_of(order)

    view = await lifecycle.get_fan_booking(public_id=booking.public_id, key=booking_key(booking.public_id))

    assert view.cancel_refund_text == "You get a full refund of $40.00."
    assert view.session_type_id == type_id
