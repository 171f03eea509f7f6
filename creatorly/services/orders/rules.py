"""Pure order rules: the state machine as data, and what a buyer owes for a product."""

from __future__ import annotations

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.money import exponent_of, format_money, parse_amount
from creatorly.models.enums import OrderStatus, PricingModel
from creatorly.services.catalog.rules import minimum_charge

# Every move an order may make. A failed or expired order may still become paid: a success that arrives
# late means the money was taken, so it must be recorded. partially_refunded → partially_refunded is a
# second partial refund, a real event of its own.
ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.CREATED: frozenset({OrderStatus.PENDING, OrderStatus.FAILED, OrderStatus.EXPIRED}),
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.FAILED, OrderStatus.EXPIRED}),
    OrderStatus.PAID: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.PARTIALLY_REFUNDED: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.FAILED: frozenset({OrderStatus.PAID}),
    OrderStatus.EXPIRED: frozenset({OrderStatus.PAID}),
}

MAXIMUM_MAIN_UNITS = 1_000_000

# Statuses in which the buyer's money has been taken (and the order was fulfilled).
PAID_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED})


class OrderTransitionRefused(CreatorlyError):
    """The order's state machine does not allow this move."""

    code = "order_transition_refused"
    status = 409
    default_message = "This order can't change that way."


class AmountBelowMinimum(InvalidInput):
    code = "amount_below_minimum"


def can_transition(from_status: OrderStatus, to_status: OrderStatus) -> bool:
    return OrderStatus(to_status) in ALLOWED_TRANSITIONS[OrderStatus(from_status)]


def is_repeat(from_status: OrderStatus, to_status: OrderStatus) -> bool:
    """Asking for the status the order already has, when that is not itself a move (a replay: no-op)."""
    return from_status == to_status and not can_transition(from_status, to_status)


def amount_due(
    *, pricing: PricingModel, price_amount: int, suggested_amount: int | None, currency: str, amount_text: str
) -> int:
    """Minor units the buyer pays: the price, nothing when free, or their own amount of at least the minimum."""
    if pricing == PricingModel.FREE:
        return 0
    if pricing != PricingModel.PAY_WHAT_YOU_WANT:
        return price_amount
    if not amount_text.strip():
        return max(suggested_amount or 0, price_amount)
    try:
        amount = parse_amount(amount_text, currency)
    except ValueError:
        raise InvalidInput("Enter an amount, like 12.50.", field="amount") from None
    if amount < price_amount:
        raise AmountBelowMinimum(f"The minimum is {format_money(price_amount, currency)}.", field="amount")
    if amount > MAXIMUM_MAIN_UNITS * 10 ** exponent_of(currency):
        raise InvalidInput(
            f"Enter at most {format_money(MAXIMUM_MAIN_UNITS * 10 ** exponent_of(currency), currency)}.", field="amount"
        )
    # Card networks refuse tiny charges: pay nothing (a free download) or at least the smallest charge.
    if 0 < amount < minimum_charge(currency):
        raise AmountBelowMinimum(
            f"Pay nothing or at least {format_money(minimum_charge(currency), currency)}.", field="amount"
        )
    return amount
