"""The interface every payment provider implements: create a payment, hand back where the buyer pays it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """One payment to take: an integer amount in minor units of `currency` (ISO 4217)."""

    merchant_reference: str
    amount: int
    currency: str
    description: str
    buyer_email: str
    return_url: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class CreatedPayment:
    """The provider's id for the payment and the page the buyer is sent to."""

    provider_reference: str
    redirect_url: str


class PaymentProvider(Protocol):
    """Raises `creatorly.errors.ProviderError(is_retryable=…)` when the provider fails or refuses."""

    name: str

    async def create_payment(self, request: PaymentRequest) -> CreatedPayment: ...

    async def refund_payment(self, request: RefundRequest) -> CreatedRefund: ...


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """Give back `amount` minor units of a settled payment; the key makes a repeated request the same refund."""

    provider_reference: str  # the payment to refund: Stripe's PaymentIntent, Razorpay's pay_… id, the sandbox's
    amount: int
    currency: str
    idempotency_key: str
    reason: str = ""
    merchant_reference: str = ""  # our order's public id, sent along so the refund's webhook finds the order


@dataclass(frozen=True, slots=True)
class CreatedRefund:
    """The provider's id for the refund; its effect arrives later as a `refund.succeeded` event."""

    provider_reference: str


PaymentState = Literal["succeeded", "failed", "pending"]


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """What the provider holds for a payment, for reconciliation: amounts in minor units of `currency` (upper case)."""

    provider_reference: str
    merchant_reference: str
    amount: int
    currency: str
    status: PaymentState
    amount_refunded: int


@runtime_checkable
class PaymentLister(Protocol):
    """A payment provider that can read its payments back (sandbox and Stripe; not Razorpay yet).

    `list_payments` answers the payments it knows among `references` (its own ids); an unknown one is left out.
    """

    name: str

    async def list_payments(self, references: list[str]) -> list[PaymentRecord]: ...


@dataclass(frozen=True, slots=True)
class SavedCardChargeRequest:
    """Charge the card saved by an earlier payment (`payment_method`) with no one at the keyboard: a renewal."""

    payment_method: str
    merchant_reference: str
    amount: int
    currency: str
    description: str
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class SavedCardCharge:
    """The provider's id for the charge and its immediate answer; the payment webhook follows either way."""

    provider_reference: str
    is_succeeded: bool
    failure_code: str | None


@runtime_checkable
class RecurringPaymentProvider(Protocol):
    """A payment provider that saves cards: a card setup (amount 0) for trials, and saved-card charges."""

    name: str

    async def create_card_setup(self, request: PaymentRequest) -> CreatedPayment: ...

    async def charge_saved_card(self, request: SavedCardChargeRequest) -> SavedCardCharge: ...
