"""The landing page's pricing facts, read from the same settings the ledger charges with."""

from __future__ import annotations

from decimal import Decimal

import reflex as rx

from creatorly.services.creators import service as creators


def fee_label(percent: Decimal) -> str:
    """`10` → "10%", `7.50` → "7.5%": no trailing zeros, never scientific notation."""
    text = format(percent.normalize(), "f")
    return f"{text}%"


def hold_label(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"


class LandingState(rx.State):
    """Plain labels; the values are the platform defaults, so the prerendered page already states them."""

    platform_fee_label: str = fee_label(creators.platform_sale_terms().platform_fee_percent)
    hold_period_label: str = hold_label(creators.platform_sale_terms().hold_days)
