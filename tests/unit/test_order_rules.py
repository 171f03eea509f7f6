"""Order rules: every transition of the state machine, and what a buyer owes per pricing model."""

from __future__ import annotations

import pytest

from creatorly.errors import InvalidInput
from creatorly.models.enums import OrderStatus, PricingModel
from creatorly.services.orders.rules import (
    ALLOWED_TRANSITIONS,
    AmountBelowMinimum,
    amount_due,
    can_transition,
    is_repeat,
)

S = OrderStatus
ALLOWED = {
    (S.CREATED, S.PENDING),
    (S.CREATED, S.FAILED),
    (S.CREATED, S.EXPIRED),
    (S.PENDING, S.PAID),
    (S.PENDING, S.FAILED),
    (S.PENDING, S.EXPIRED),
    (S.PAID, S.PARTIALLY_REFUNDED),
    (S.PAID, S.REFUNDED),
    (S.PARTIALLY_REFUNDED, S.PARTIALLY_REFUNDED),
    (S.PARTIALLY_REFUNDED, S.REFUNDED),
    (S.FAILED, S.PAID),
    (S.EXPIRED, S.PAID),
}


def test_every_status_has_a_row() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(OrderStatus)


@pytest.mark.parametrize("from_status", list(OrderStatus))
@pytest.mark.parametrize("to_status", list(OrderStatus))
def test_exactly_the_listed_transitions_are_allowed(from_status: OrderStatus, to_status: OrderStatus) -> None:
    assert can_transition(from_status, to_status) is ((from_status, to_status) in ALLOWED)


def test_a_late_success_after_failure_or_expiry_is_recorded() -> None:
    assert can_transition(S.FAILED, S.PAID)
    assert can_transition(S.EXPIRED, S.PAID)


def test_nothing_leaves_refunded_and_paid_never_goes_back() -> None:
    assert not any(can_transition(S.REFUNDED, to_status) for to_status in OrderStatus)
    assert not can_transition(S.PAID, S.PENDING)
    assert not can_transition(S.PAID, S.FAILED)


def test_a_repeat_is_the_same_status_unless_it_is_a_move_of_its_own() -> None:
    assert is_repeat(S.PAID, S.PAID)
    assert is_repeat(S.FAILED, S.FAILED)
    assert not is_repeat(S.PARTIALLY_REFUNDED, S.PARTIALLY_REFUNDED)
    assert not is_repeat(S.PENDING, S.PAID)


def _due(
    pricing: PricingModel, text: str = "", *, price: int = 500, suggested: int | None = None, currency: str = "USD"
) -> int:
    return amount_due(
        pricing=pricing, price_amount=price, suggested_amount=suggested, currency=currency, amount_text=text
    )


def test_fixed_price_ignores_what_was_typed() -> None:
    assert _due(PricingModel.FIXED, "1.00", price=1200) == 1200


def test_free_costs_nothing() -> None:
    assert _due(PricingModel.FREE, "5", price=0) == 0


def test_pay_what_you_want_defaults_to_the_suggestion_then_the_minimum() -> None:
    assert _due(PricingModel.PAY_WHAT_YOU_WANT, "", price=500, suggested=800) == 800
    assert _due(PricingModel.PAY_WHAT_YOU_WANT, "  ", price=500) == 500


def test_pay_what_you_want_parses_in_the_product_currency() -> None:
    assert _due(PricingModel.PAY_WHAT_YOU_WANT, "12.50") == 1250
    assert _due(PricingModel.PAY_WHAT_YOU_WANT, "1,200", price=100, currency="JPY") == 1200
    assert _due(PricingModel.PAY_WHAT_YOU_WANT, "5.000", currency="KWD", price=1000) == 5000


def test_pay_what_you_want_below_the_minimum_is_refused() -> None:
    with pytest.raises(AmountBelowMinimum) as refused:
        _due(PricingModel.PAY_WHAT_YOU_WANT, "4.99")
    assert refused.value.message == "The minimum is $5.00."
    assert refused.value.field == "amount"


def test_pay_what_you_want_with_no_minimum_takes_nothing_or_a_real_charge() -> None:
    assert _due(PricingModel.PAY_WHAT_YOU_WANT, "0", price=0) == 0
    with pytest.raises(AmountBelowMinimum):
        _due(PricingModel.PAY_WHAT_YOU_WANT, "0.50", price=0)


@pytest.mark.parametrize("text", ["abc", "1.234", "-", "nan", "inf", "1000000.01"])
def test_pay_what_you_want_refuses_garbage_and_absurd_amounts(text: str) -> None:
    with pytest.raises(InvalidInput):
        _due(PricingModel.PAY_WHAT_YOU_WANT, text)
