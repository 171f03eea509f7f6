"""The sandbox gateway's refunds: give back part or all of a succeeded payment, once per idempotency key.

The gateway keeps no refund table: each refund IS its `refund.succeeded` webhook row, whose event id is
derived from the idempotency key, so the unique event id makes a repeated request the same refund.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.errors import CreatorlyError, InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.models import SandboxPayment, SandboxWebhook
from creatorly.observability import get_logger
from creatorly.services.sandbox_gateway import repository, rules
from creatorly.services.sandbox_gateway.errors import SandboxIdempotencyConflict
from creatorly.services.sandbox_gateway.service import DELIVER_JOB, MAX_AMOUNT, MAX_IDEMPOTENCY_KEY_LENGTH, authenticate

REFUND_SUCCEEDED = "refund.succeeded"
MAX_REASON_LENGTH = 200

logger = get_logger(__name__)


class SandboxPaymentNotRefundable(CreatorlyError):
    code = "payment_not_refundable"
    status = 409
    default_message = "Only a succeeded payment can be refunded."


class SandboxRefundExceedsPayment(CreatorlyError):
    code = "refund_exceeds_payment"
    status = 409
    default_message = "The refunds would be larger than the payment."


@dataclass(frozen=True, slots=True)
class SandboxRefund:
    reference: str
    payment_reference: str
    amount: int
    currency: str


def _digest(idempotency_key: str) -> str:
    return hashlib.sha256(idempotency_key.encode()).hexdigest()


def event_id_for(idempotency_key: str) -> str:
    return f"evt_rf_{_digest(idempotency_key)[:32]}"


def _check_request(*, amount: int, idempotency_key: str, reason: str) -> None:
    if isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidInput("amount must be a positive number of minor units.", field="amount")
    if not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key must be 1 to 80 characters.", field="idempotency_key")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput("reason is longer than 200 characters.", field="reason")


async def create_refund(
    *, api_key: str, payment_reference: str, amount: int, currency: str, idempotency_key: str, reason: str = ""
) -> SandboxRefund:
    """Refund a succeeded payment; the same key answers the same refund, and refunds never pass the payment."""
    authenticate(api_key)
    _check_request(amount=amount, idempotency_key=idempotency_key, reason=reason)
    try:
        async with db.transaction() as session:
            return await _refund_once(
                session, payment_reference=payment_reference, amount=amount, currency=currency, key=idempotency_key
            )
    except IntegrityError:
        # A concurrent request with the same key wrote the refund first: answer it.
        async with db.transaction() as session:
            existing = await repository.find_webhook_by_event_id(session, event_id_for(idempotency_key))
        if existing is None:
            raise
        return _replayed(existing, payment_reference=payment_reference, amount=amount)


async def _refund_once(
    session: AsyncSession, *, payment_reference: str, amount: int, currency: str, key: str
) -> SandboxRefund:
    payment = await repository.lock_payment(session, payment_reference)
    if payment is None:
        raise NotFound("No such payment.")
    existing = await repository.find_webhook_by_event_id(session, event_id_for(key))
    if existing is not None:
        return _replayed(existing, payment_reference=payment_reference, amount=amount)
    if payment.status != rules.PaymentStatus.SUCCEEDED:
        raise SandboxPaymentNotRefundable()
    if currency != payment.currency:
        raise InvalidInput("currency differs from the payment's.", field="currency")
    payloads = await repository.refund_payloads_of(
        session, event_type=REFUND_SUCCEEDED, payment_reference=payment.reference
    )
    if sum(_refund_of(payload)["amount"] for payload in payloads) + amount > payment.amount:
        raise SandboxRefundExceedsPayment()
    refund = SandboxRefund(
        reference=f"sbr_{_digest(key)[32:56]}", payment_reference=payment.reference, amount=amount, currency=currency
    )
    await _queue_refund_webhook(session, payment, refund, key=key)
    logger.info("sandbox_refund_succeeded", reference=refund.reference, payment=payment.reference)
    return refund


def _refund_of(payload: str) -> dict[str, Any]:
    refund: dict[str, Any] = json.loads(payload)["data"]["refund"]
    return refund


def _replayed(webhook: SandboxWebhook, *, payment_reference: str, amount: int) -> SandboxRefund:
    refund = _refund_of(webhook.payload)
    if refund["payment_reference"] != payment_reference or refund["amount"] != amount:
        raise SandboxIdempotencyConflict()
    return SandboxRefund(
        reference=refund["reference"],
        payment_reference=refund["payment_reference"],
        amount=refund["amount"],
        currency=refund["currency"],
    )


async def _queue_refund_webhook(
    session: AsyncSession, payment: SandboxPayment, refund: SandboxRefund, *, key: str
) -> None:
    event_id = event_id_for(key)
    payload: dict[str, Any] = {
        "id": event_id,
        "type": REFUND_SUCCEEDED,
        "created": int(utc_now().timestamp()),
        "data": {
            "refund": {
                "reference": refund.reference,
                "payment_reference": refund.payment_reference,
                "merchant_reference": payment.merchant_reference,
                "amount": refund.amount,
                "currency": refund.currency,
                "idempotency_key": key,
            }
        },
    }
    webhook = await repository.add_webhook(
        session,
        SandboxWebhook(
            event_id=event_id, event_type=REFUND_SUCCEEDED, payload=json.dumps(payload, separators=(",", ":"))
        ),
    )
    assert webhook.id is not None
    queue.enqueue_after_commit(session, DELIVER_JOB, webhook.id)
