"""The interface every payout provider implements: send money to a creator's payout account, read it back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

PayoutOutcome = Literal["in_transit", "paid", "failed"]


@dataclass(frozen=True, slots=True)
class PayoutDestination:
    """Where the money goes; only the fields of its kind are set. The account number is plaintext here only."""

    kind: Literal["bank", "upi", "stripe", "paypal"]
    holder_name: str = ""
    country: str = ""
    routing_code: str = ""  # IFSC or ABA routing number
    account_number: str = ""
    upi_id: str = ""
    stripe_account_id: str = ""
    paypal_email: str = ""

    @property
    def last4(self) -> str:
        return self.account_number[-4:] if self.account_number else ""


@dataclass(frozen=True, slots=True)
class PayoutRequest:
    """One payout of `amount` minor units of `currency`; the idempotency key makes a retried request the same payout."""

    merchant_reference: str  # our payout's public id
    amount: int
    currency: str
    destination: PayoutDestination
    idempotency_key: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class CreatedPayout:
    """The provider's id for the payout and what it said at once; the final outcome may come later by webhook."""

    provider_reference: str
    status: PayoutOutcome
    failure_reason: str = ""


@dataclass(frozen=True, slots=True)
class PayoutRecord:
    """What the provider holds for a payout, for reconciliation."""

    provider_reference: str
    merchant_reference: str
    amount: int
    currency: str
    status: PayoutOutcome


class PayoutProvider(Protocol):
    """Raises `creatorly.errors.ProviderError(is_retryable=…)` when the provider fails or refuses."""

    name: str

    async def create_payout(self, request: PayoutRequest) -> CreatedPayout: ...

    async def list_payouts(self, *, merchant_references: list[str]) -> list[PayoutRecord]: ...
