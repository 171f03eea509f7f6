"""Recurring payments on the sandbox gateway: card setups (amount 0, for trials) and charges of a saved card.

A payment paid on the hosted page saves its card: its reference is the `payment_method` later charges name.
A saved-card charge settles at once (no one is at the keyboard) and sends the same signed payment webhook.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from creatorly import db
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.money import CURRENCY_EXPONENTS
from creatorly.models import SandboxPayment
from creatorly.services.sandbox_gateway import repository, rules
from creatorly.services.sandbox_gateway.schemas import SandboxCheckout
from creatorly.services.sandbox_gateway.service import (
    HOSTED_PAGE_PATH,
    MAX_AMOUNT,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    authenticate,
    create_payment,
    queue_webhook,
)
from creatorly.services.sandbox_gateway.service import _public_url as public_url


@dataclass(frozen=True, slots=True)
class SandboxCharge:
    """A saved-card charge, already decided: succeeded or declined (its webhook follows)."""

    reference: str
    status: str
    failure_code: str | None


async def create_setup(
    *, api_key: str, merchant_reference: str, currency: str, description: str, return_url: str, idempotency_key: str
) -> SandboxCheckout:
    """A payment of 0 that only saves the card (a trial); the buyer enters it on the hosted page."""
    # create_payment refuses 0: check the rest with a 1-unit stand-in, then store the real 0.
    checkout = await create_payment(
        api_key=api_key,
        merchant_reference=merchant_reference,
        amount=1,
        currency=currency,
        description=description,
        return_url=return_url,
        idempotency_key=f"setup:{idempotency_key}"[:MAX_IDEMPOTENCY_KEY_LENGTH],
    )
    async with db.transaction() as session:
        payment = await repository.find_by_reference(session, checkout.reference)
        assert payment is not None
        if payment.status == rules.PaymentStatus.REQUIRES_PAYMENT and payment.amount != 0:
            payment.amount = 0
            session.add(payment)
    return SandboxCheckout(
        reference=checkout.reference, redirect_url=f"{public_url()}{HOSTED_PAGE_PATH}{checkout.reference}"
    )


def _check_charge(*, amount: int, currency: str, merchant_reference: str, idempotency_key: str) -> None:
    if isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidInput("amount must be a positive number of minor units.", field="amount")
    if currency not in CURRENCY_EXPONENTS:
        raise InvalidInput("currency is not supported.", field="currency")
    if not 0 < len(merchant_reference) <= 64:
        raise InvalidInput("merchant_reference must be 1 to 64 characters.", field="merchant_reference")
    if not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key is required (1 to 80 characters).", field="idempotency_key")


async def charge_saved_card(
    *,
    api_key: str,
    payment_method: str,
    merchant_reference: str,
    amount: int,
    currency: str,
    description: str,
    idempotency_key: str,
) -> SandboxCharge:
    """Charge the card saved by an earlier paid payment; the same idempotency key answers the same charge."""
    authenticate(api_key)
    _check_charge(
        amount=amount, currency=currency, merchant_reference=merchant_reference, idempotency_key=idempotency_key
    )
    try:
        async with db.transaction() as session:
            existing = await repository.find_by_idempotency_key(session, idempotency_key)
            if existing is not None:
                return _charge_of(existing)
            source = await repository.find_by_reference(session, payment_method)
            if source is None or source.status != rules.PaymentStatus.SUCCEEDED or not source.card_last4:
                raise NotFound("No saved card with that payment method.")
            earlier_failures = await repository.count_declined_for(session, merchant_reference)
            status, failure_code = rules.saved_card_outcome(source.card_last4, earlier_failures=earlier_failures)
            now = utc_now()
            payment = await repository.add_payment(
                session,
                SandboxPayment(
                    reference=f"pay_{secrets.token_hex(12)}",
                    merchant_reference=merchant_reference,
                    idempotency_key=idempotency_key,
                    amount=amount,
                    currency=currency,
                    description=description[:200],
                    return_url=source.return_url,
                    status=status,
                    failure_code=failure_code,
                    card_last4=source.card_last4,
                    fee=rules.fee_for(amount, currency) if status == rules.PaymentStatus.SUCCEEDED else 0,
                ),
            )
            await queue_webhook(session, payment, now_seconds=int(now.timestamp()))
            return _charge_of(payment)
    except IntegrityError:
        async with db.transaction() as session:
            existing = await repository.find_by_idempotency_key(session, idempotency_key)
        if existing is None:
            raise
        return _charge_of(existing)


def _charge_of(payment: SandboxPayment) -> SandboxCharge:
    return SandboxCharge(reference=payment.reference, status=payment.status, failure_code=payment.failure_code)
