"""Every order state has words a creator reads; none is shown raw."""

from __future__ import annotations

import pytest

from creatorly.models.enums import OrderStatus
from creatorly.services.orders.status_labels import ORDER_STATUS_LABELS, order_status_label


@pytest.mark.parametrize("status", list(OrderStatus))
def test_every_order_state_has_a_label_without_underscores(status: OrderStatus) -> None:
    label = order_status_label(status)
    assert label == ORDER_STATUS_LABELS[status]
    assert "_" not in label and label[0].isupper()


def test_the_states_people_asked_about_read_as_words() -> None:
    assert order_status_label("partially_refunded") == "Partially refunded"
    assert order_status_label("pending") == "Awaiting payment"
    assert order_status_label("expired") == "Abandoned"


def test_an_unknown_state_is_tidied_not_shown_raw() -> None:
    assert order_status_label("on_hold") == "On hold"
