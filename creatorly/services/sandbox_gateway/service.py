"""The sandbox gateway's use cases: create a payment, show it, pay it with a test card, deliver its webhook."""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.money import CURRENCY_EXPONENTS, format_money
from creatorly.models import SandboxPayment, SandboxWebhook
from creatorly.observability import get_logger
from creatorly.providers import http
from creatorly.providers.payments import sandbox_signing
from creatorly.providers.registry import sandbox_api_key
from creatorly.services.external_events.service import sandbox_webhook_secret
from creatorly.services.sandbox_gateway import repository, rules
from creatorly.services.sandbox_gateway.errors import SandboxApiKeyInvalid, SandboxIdempotencyConflict
from creatorly.services.sandbox_gateway.schemas import (
    DeliveryOutcome,
    DeliveryResult,
    PayResult,
    SandboxCheckout,
    SandboxCheckoutView,
)

DELIVER_JOB = "sandbox_gateway.deliver_webhook"
HOSTED_PAGE_PATH = "/sandbox/pay/"
WEBHOOK_PATH = "/api/webhooks/sandbox"
DELIVERY_TIMEOUT_SECONDS = 10.0
CLAIM_LEASE = timedelta(minutes=2)
SWEEP_GRACE = timedelta(minutes=1)
MAX_AMOUNT = 10**12
MAX_MERCHANT_REFERENCE_LENGTH = 64
MAX_IDEMPOTENCY_KEY_LENGTH = 80
MAX_DESCRIPTION_LENGTH = 200
MAX_RETURN_URL_LENGTH = 500

logger = get_logger(__name__)


def authenticate(api_key: str) -> None:
    """Raise SandboxApiKeyInvalid unless this is the gateway's key (compared in constant time)."""
    if not hmac.compare_digest(api_key.encode("utf-8", "replace"), sandbox_api_key().encode()):
        raise SandboxApiKeyInvalid()


def _public_url() -> str:
    return settings.resolved_public_url.rstrip("/")


def _check_new_payment(
    *,
    merchant_reference: str,
    amount: int,
    currency: str,
    description: str,
    return_url: str,
    idempotency_key: str | None,
) -> None:
    if not 0 < len(merchant_reference) <= MAX_MERCHANT_REFERENCE_LENGTH:
        raise InvalidInput("merchant_reference must be 1 to 64 characters.", field="merchant_reference")
    if isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidInput("amount must be a positive number of minor units.", field="amount")
    if currency not in CURRENCY_EXPONENTS:
        raise InvalidInput("currency is not supported.", field="currency")
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput("description is longer than 200 characters.", field="description")
    # The hosted page redirects the buyer there: only absolute http(s) URLs, never javascript: or data:.
    parts = urlsplit(return_url)
    if len(return_url) > MAX_RETURN_URL_LENGTH or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("return_url must be an absolute http(s) URL.", field="return_url")
    if idempotency_key is not None and not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key must be 1 to 80 characters.", field="idempotency_key")


async def create_payment(
    *,
    api_key: str,
    merchant_reference: str,
    amount: int,
    currency: str,
    description: str,
    return_url: str,
    idempotency_key: str | None,
) -> SandboxCheckout:
    """Create a payment awaiting a card; the same idempotency key answers the same payment again."""
    authenticate(api_key)
    _check_new_payment(
        merchant_reference=merchant_reference,
        amount=amount,
        currency=currency,
        description=description,
        return_url=return_url,
        idempotency_key=idempotency_key,
    )
    payment = SandboxPayment(
        reference=f"pay_{secrets.token_hex(12)}",
        merchant_reference=merchant_reference,
        idempotency_key=idempotency_key,
        amount=amount,
        currency=currency,
        description=description,
        return_url=return_url,
        status=rules.PaymentStatus.REQUIRES_PAYMENT,
    )
    try:
        async with db.transaction() as session:
            if idempotency_key is None:
                existing = None
                await repository.add_payment(session, payment)
            elif await repository.add_payment_unless_key_used(session, payment):
                existing = None
            else:  # a replay (or a concurrent request with the same key, committed first): answer that payment
                existing = await _find_replay(session, idempotency_key)
    except IntegrityError:
        # A concurrent request with the same key inserted first: answer what it created.
        async with db.transaction() as session:
            existing = await _find_replay(session, idempotency_key)
        if existing is None:
            raise
    if existing is not None:
        _check_same_payment(existing, payment)
        payment = existing
    return SandboxCheckout(
        reference=payment.reference, redirect_url=f"{_public_url()}{HOSTED_PAGE_PATH}{payment.reference}"
    )


async def _find_replay(session: AsyncSession, idempotency_key: str | None) -> SandboxPayment | None:
    if idempotency_key is None:
        return None
    return await repository.find_by_idempotency_key(session, idempotency_key)


def _check_same_payment(existing: SandboxPayment, requested: SandboxPayment) -> None:
    fields = ("merchant_reference", "amount", "currency", "description", "return_url")
    if any(getattr(existing, name) != getattr(requested, name) for name in fields):
        raise SandboxIdempotencyConflict()


def _failure_message(failure_code: str | None) -> str:
    return rules.FAILURE_MESSAGES.get(failure_code or "", "")


async def get_checkout(*, reference: str) -> SandboxCheckoutView:
    """What the hosted payment page shows for this payment; NotFound for an unknown reference."""
    async with db.transaction() as session:
        payment = await repository.find_by_reference(session, reference)
    if payment is None:
        raise NotFound("This payment link is not valid.")
    return SandboxCheckoutView(
        reference=payment.reference,
        merchant_reference=payment.merchant_reference,
        description=payment.description,
        amount=payment.amount,
        currency=payment.currency,
        # A card setup (a membership trial) charges nothing now: say so rather than "$0.00".
        amount_label=format_money(payment.amount, payment.currency) if payment.amount else "No charge today",
        status=payment.status,
        is_payable=payment.status == rules.PaymentStatus.REQUIRES_PAYMENT,
        return_url=payment.return_url,
        # On an open payment this is the last refused card's reason: the page says so above the card form.
        failure_message=_failure_message(payment.failure_code),
    )


async def pay(*, reference: str, card_number: str, expiry: str, cvc: str, name: str) -> PayResult:
    """Charge a test card. A paid payment answers its first result; a refused card leaves the payment open so the
    buyer can try another card on the same page (as a PaymentIntent does), and each refusal is reported."""
    now = utc_now()
    outcome = rules.decide(card_number=card_number, expiry=expiry, cvc=cvc, name=name, now=now)
    is_refused = outcome.status != rules.PaymentStatus.SUCCEEDED
    async with db.transaction() as session:
        payment = await repository.find_by_reference(session, reference)
        if payment is None:
            raise NotFound("This payment link is not valid.")
        if is_refused:
            assert outcome.failure_code is not None
            is_changed_now = await repository.record_declined_attempt(
                session, reference, failure_code=outcome.failure_code, card_last4=outcome.card_last4, now=now
            )
        else:
            is_changed_now = await repository.settle(
                session,
                reference,
                status=outcome.status,
                failure_code=None,
                card_last4=outcome.card_last4,
                fee=rules.fee_for(payment.amount, payment.currency),
                now=now,
            )
        await session.refresh(payment)  # the UPDATE above bypassed the ORM: read what is stored now
        if is_changed_now:
            # A card setup (amount 0, a membership trial) tells the merchant the card's fingerprint.
            is_card_setup = payment.amount == 0 and not is_refused
            fingerprint = rules.card_fingerprint(rules.digits_of(card_number)) if is_card_setup else None
            await queue_webhook(session, payment, now_seconds=int(now.timestamp()), card_fingerprint=fingerprint)
    if is_changed_now:
        logger.info("sandbox_payment_attempt", reference=reference, status=payment.status, refused=is_refused)
    is_open = payment.status == rules.PaymentStatus.REQUIRES_PAYMENT
    return PayResult(
        status=payment.status,
        # This attempt's refusal; a payment paid meanwhile (another tab) answers its success instead.
        failure_message=_failure_message(outcome.failure_code) if is_refused and is_open else "",
        return_url=payment.return_url,
        is_payable=is_open,
    )


def event_payload(
    payment: SandboxPayment, *, event_id: str, created: int, card_fingerprint: str | None = None
) -> dict[str, Any]:
    """The event body agreed with checkout: `payment.succeeded` or `payment.failed` with the payment's facts."""
    is_succeeded = payment.status == rules.PaymentStatus.SUCCEEDED
    payload: dict[str, Any] = {
        "id": event_id,
        "type": "payment.succeeded" if is_succeeded else "payment.failed",
        "created": created,
        "data": {
            "payment": {
                "reference": payment.reference,
                "merchant_reference": payment.merchant_reference,
                "amount": payment.amount,
                "currency": payment.currency,
                "fee": payment.fee,
                "status": payment.status,
                "failure_code": payment.failure_code,
                "card_last4": payment.card_last4,
            }
        },
    }
    if card_fingerprint is not None:
        payload["data"]["payment"]["card_fingerprint"] = card_fingerprint
    return payload


async def queue_webhook(
    session: AsyncSession, payment: SandboxPayment, *, now_seconds: int, card_fingerprint: str | None = None
) -> None:
    """Store the payment's event and deliver it once the transaction commits."""
    payload = event_payload(
        payment, event_id=f"evt_{secrets.token_hex(12)}", created=now_seconds, card_fingerprint=card_fingerprint
    )
    webhook = await repository.add_webhook(
        session,
        SandboxWebhook(
            event_id=payload["id"],
            event_type=payload["type"],
            payload=json.dumps(payload, separators=(",", ":")),
        ),
    )
    assert webhook.id is not None
    queue.enqueue_after_commit(session, DELIVER_JOB, webhook.id)


# Sends one signed webhook (raw body, headers) and answers the receiver's HTTP status, None when unreachable.
WebhookPoster = Callable[[bytes, dict[str, str]], Awaitable[int | None]]


async def deliver_webhook(*, webhook_id: int, post: WebhookPoster | None = None) -> DeliveryOutcome:
    """POST one due webhook, signed afresh, to our webhook route; record the answer and when to try again.

    `post` replaces the HTTP request (the demo loader hands the signed event to the webhook route's use case)."""
    now = utc_now()
    async with db.transaction() as session:
        is_claimed = await repository.claim_webhook(
            session, webhook_id, now=now, lease_until=now + CLAIM_LEASE, max_attempts=rules.MAX_DELIVERY_ATTEMPTS
        )
        webhook = await repository.get_webhook(session, webhook_id) if is_claimed else None
    if webhook is None:
        return DeliveryOutcome(DeliveryResult.SKIPPED)
    status_code = await _post_signed(webhook.payload.encode("utf-8"), post=post)
    return await _record_attempt(webhook_id, attempts=webhook.attempts, status_code=status_code)


async def _post_signed(raw: bytes, *, post: WebhookPoster | None = None) -> int | None:
    """The receiver's HTTP status, or None when it could not be reached in time."""
    signature = sandbox_signing.sign(raw, secret=sandbox_webhook_secret(), timestamp=int(utc_now().timestamp()))
    headers = {"Content-Type": "application/json", sandbox_signing.SIGNATURE_HEADER: signature}
    if post is not None:
        return await post(raw, headers)
    try:
        async with http.async_client(timeout=DELIVERY_TIMEOUT_SECONDS) as client:
            response = await client.post(f"{_public_url()}{WEBHOOK_PATH}", content=raw, headers=headers)
    except httpx.HTTPError as error:
        logger.warning("sandbox_webhook_unreachable", error=type(error).__name__)
        return None
    return response.status_code


async def _record_attempt(webhook_id: int, *, attempts: int, status_code: int | None) -> DeliveryOutcome:
    now = utc_now()
    is_delivered = status_code is not None and 200 <= status_code < 300
    is_final = status_code is not None and rules.is_final_status(status_code)
    is_exhausted = not is_delivered and not is_final and attempts >= rules.MAX_DELIVERY_ATTEMPTS
    delay = rules.backoff_seconds(attempts)
    async with db.transaction() as session:
        webhook = await repository.get_webhook(session, webhook_id)
        assert webhook is not None
        webhook.last_status_code = status_code
        if is_delivered:
            webhook.delivered_at = now
        else:
            webhook.next_attempt_at = now + timedelta(seconds=delay)
    fields = {"webhook_id": webhook_id, "attempt": attempts, "status_code": status_code}
    if is_delivered:
        logger.info("sandbox_webhook_delivered", **fields)
        return DeliveryOutcome(DeliveryResult.DELIVERED, status_code=status_code)
    if is_final or is_exhausted:
        logger.warning("sandbox_webhook_gave_up", **fields)
        return DeliveryOutcome(DeliveryResult.GAVE_UP, status_code=status_code)
    logger.warning("sandbox_webhook_retry", **fields, retry_in_seconds=delay)
    return DeliveryOutcome(DeliveryResult.RETRY_LATER, retry_in_seconds=float(delay), status_code=status_code)


async def find_due_webhook_ids(*, limit: int = 500) -> list[int]:
    """Undelivered webhooks whose time came a while ago and that nobody holds: their job was lost."""
    async with db.transaction() as session:
        return list(
            await repository.due_webhook_ids(
                session, due_before=utc_now() - SWEEP_GRACE, max_attempts=rules.MAX_DELIVERY_ATTEMPTS, limit=limit
            )
        )
