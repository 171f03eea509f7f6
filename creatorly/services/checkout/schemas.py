"""What checkout use cases return: plain data for states and API routes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CheckoutStarted:
    """The order that was opened and where to send the buyer next (the provider's page, or the order page)."""

    order_public_id: str
    redirect_url: str
