"""What the sandbox gateway's use cases return."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class SandboxCheckout:
    """A created payment: the gateway's reference and the hosted page where the buyer pays it."""

    reference: str
    redirect_url: str


@dataclass(frozen=True, slots=True)
class SandboxCheckoutView:
    """Everything the hosted payment page shows; never card data."""

    reference: str
    merchant_reference: str
    description: str
    amount: int
    currency: str
    amount_label: str
    status: str
    is_payable: bool
    return_url: str
    failure_message: str


@dataclass(frozen=True, slots=True)
class PayResult:
    status: str
    failure_message: str
    return_url: str
    is_payable: bool  # still open: a refused card can be followed by another


class DeliveryResult(StrEnum):
    DELIVERED = "delivered"
    RETRY_LATER = "retry_later"
    GAVE_UP = "gave_up"
    SKIPPED = "skipped"  # already delivered, given up, not yet due, or held by another worker


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    result: DeliveryResult
    retry_in_seconds: float | None = None
    status_code: int | None = None
