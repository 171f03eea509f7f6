"""Pure catalog rules: how a price reads on a product card."""

from __future__ import annotations

from creatorly.kit.money import format_money
from creatorly.models.enums import PricingModel


def price_label(pricing: str, amount: int, currency: str) -> str:
    """'$15.00', 'Free' or 'Pay what you want (from $5.00)'."""
    if pricing == PricingModel.FREE:
        return "Free"
    if pricing == PricingModel.PAY_WHAT_YOU_WANT:
        return f"Pay what you want (from {format_money(amount, currency)})" if amount else "Pay what you want"
    return format_money(amount, currency)
