"""Stripe through its official SDK: PaymentIntents paid on our own Elements page, and signed webhooks."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import stripe

from creatorly.errors import ProviderError
from creatorly.providers.payments.base import (
    CreatedPayment,
    CreatedRefund,
    PaymentRecord,
    PaymentRequest,
    PaymentState,
    RefundRequest,
)

STRIPE_PAGE_PATH = "/pay/stripe"
STRIPE_JS_URL = "https://js.stripe.com/v3/"
SIGNATURE_HEADER = "Stripe-Signature"
# Rate limiting and request timeouts are the 4xx answers that a later try can get past.
_RETRYABLE_CLIENT_ERRORS = frozenset({408, 409, 429})
# PaymentIntents read at once when listing: enough to be quick, few enough to stay inside Stripe's rate limit.
LIST_CONCURRENCY = 8


@dataclass(frozen=True, slots=True)
class CardConfirmation:
    """What confirming a PaymentIntent with the buyer's card gave.

    `succeeded` (or `processing`): the webhook will fulfil the order; `requires_action`: Stripe.js must run the
    card's authentication with `client_secret`, then we confirm again; `declined`: `message` is Stripe's text
    for the cardholder (safe to show: it never echoes card data).
    """

    status: Literal["succeeded", "processing", "requires_action", "declined"]
    client_secret: str = ""
    message: str = ""


class StripePaymentProvider:
    """Creates PaymentIntents; the buyer pays them with Stripe Elements on our page at /pay/stripe/{id}."""

    name = "stripe"

    def __init__(
        self,
        secret_key: str,
        api_base: str | None,
        *,
        public_url: str,
        timeout_seconds: float = 10,
        publishable_key: str = "",
    ) -> None:
        # A client per provider, never the SDK's global key or base: tests point several at localstripe.
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.HTTPXClient(timeout=timeout_seconds),
            max_network_retries=0,  # the caller decides about retries; the idempotency key makes them safe
        )
        self._public_url = public_url.rstrip("/")
        self._api_base = (api_base or "").rstrip("/")
        self.publishable_key = publishable_key

    @property
    def stripe_js_url(self) -> str:
        """Stripe.js; a Stripe-compatible server such as localstripe serves its own at /js.stripe.com/v3/."""
        return f"{self._api_base}/js.stripe.com/v3/" if self._api_base else STRIPE_JS_URL

    async def create_payment(self, request: PaymentRequest) -> CreatedPayment:
        params: dict[str, Any] = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "metadata": {"merchant_reference": request.merchant_reference},
        }
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            _raise_provider_error("create the payment", error)
        return CreatedPayment(provider_reference=intent.id, redirect_url=self.payment_page_url(intent.id))

    def payment_page_url(self, payment_intent_id: str) -> str:
        """Our page that will host Stripe Elements for this PaymentIntent."""
        return f"{self._public_url}{STRIPE_PAGE_PATH}/{payment_intent_id}"

    async def client_secret(self, payment_intent_id: str) -> str:
        """What Stripe.js needs to confirm the PaymentIntent in the browser; never log or store it."""
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(payment_intent_id)
        except stripe.StripeError as error:
            _raise_provider_error("read the payment", error)
        if not intent.client_secret:
            raise ProviderError("stripe answered a payment without a client secret", is_retryable=True)
        return intent.client_secret

    async def confirm_card(self, payment_intent_id: str, payment_method_id: str) -> CardConfirmation:
        """Attach the card Stripe.js collected and confirm on the server (Stripe's "finalize on the server" flow).

        An empty `payment_method_id` confirms again what is attached, after the card's authentication step.
        """
        try:
            if payment_method_id:
                await self._client.v1.payment_intents.update_async(
                    payment_intent_id,
                    params={"payment_method": payment_method_id},
                )
            intent = await self._client.v1.payment_intents.confirm_async(payment_intent_id)
        except stripe.CardError as error:
            return CardConfirmation(status="declined", message=error.user_message or "Your card was declined.")
        except stripe.StripeError as error:
            _raise_provider_error("confirm the payment", error)
        if intent.status in ("succeeded", "processing", "requires_capture"):
            return CardConfirmation(status="processing" if intent.status == "processing" else "succeeded")
        if intent.status == "requires_action":
            return CardConfirmation(status="requires_action", client_secret=intent.client_secret or "")
        last_error = intent.last_payment_error
        message = (last_error.message if last_error is not None else None) or "Your card was declined."
        return CardConfirmation(status="declined", message=message)

    async def payment_fee(self, payment_intent_id: str) -> int | None:
        """Stripe's fee on a succeeded PaymentIntent, from its charge's balance transaction, in minor units of
        the payment's currency; None while Stripe has not reported it yet (ask again later)."""
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(
                payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]}
            )
        except stripe.StripeError as error:
            _raise_provider_error("read the payment's fee", error)
        charge: Any = intent.latest_charge
        transaction: Any = getattr(charge, "balance_transaction", None) if charge is not None else None
        fee = (
            getattr(transaction, "fee", None) if transaction is not None and not isinstance(transaction, str) else None
        )
        if type(fee) is not int or fee < 0:
            return None
        if str(getattr(transaction, "currency", "")).lower() != str(intent.currency).lower():
            # Settled in another currency than the buyer paid: the fee is not in the order's units.
            raise ProviderError("stripe settled the payment in another currency", is_retryable=False)
        return fee

    async def refund_payment(self, request: RefundRequest) -> CreatedRefund:
        # The metadata comes back on the refund's webhooks: it names our order and our refund.
        metadata = {"merchant_reference": request.merchant_reference, "refund_key": request.idempotency_key}
        if request.reason:
            metadata["reason"] = request.reason
        params: dict[str, Any] = {
            "payment_intent": request.provider_reference,
            "amount": request.amount,
            "metadata": metadata,
        }
        try:
            refund = await self._client.v1.refunds.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            _raise_provider_error("refund the payment", error)
        return CreatedRefund(provider_reference=refund.id)

    async def list_payments(self, references: list[str]) -> list[PaymentRecord]:
        """Each PaymentIntent among `references` with its latest charge's refunds, read a few at a time; an id
        Stripe does not know is left out."""
        records: list[PaymentRecord] = []
        for start in range(0, len(references), LIST_CONCURRENCY):
            batch = references[start : start + LIST_CONCURRENCY]
            found = await asyncio.gather(*(self._payment_record(reference) for reference in batch))
            records.extend(record for record in found if record is not None)
        return records

    async def _payment_record(self, payment_intent_id: str) -> PaymentRecord | None:
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(
                payment_intent_id, params={"expand": ["latest_charge"]}
            )
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                return None
            _raise_provider_error("read the payment", error)
        except stripe.StripeError as error:
            _raise_provider_error("read the payment", error)
        data = intent.to_dict()
        charge = data.get("latest_charge")
        refunded = charge.get("amount_refunded") if isinstance(charge, dict) else 0
        metadata = data.get("metadata") or {}
        return PaymentRecord(
            provider_reference=intent.id,
            merchant_reference=str(metadata.get("merchant_reference") or ""),
            amount=int(data.get("amount") or 0),
            currency=str(data.get("currency") or "").upper(),
            status=_payment_state(str(data.get("status") or ""), has_error=bool(data.get("last_payment_error"))),
            amount_refunded=refunded if type(refunded) is int else 0,
        )


def _payment_state(status: str, *, has_error: bool) -> PaymentState:
    """Stripe's PaymentIntent status in three words: a canceled one, or one back to needing a card after a
    decline, failed; everything short of succeeded is pending."""
    if status == "succeeded":
        return "succeeded"
    if status == "canceled" or (status == "requires_payment_method" and has_error):
        return "failed"
    return "pending"


def _raise_provider_error(action: str, error: stripe.StripeError) -> NoReturn:
    status = error.http_status
    is_retryable = (
        isinstance(error, stripe.APIConnectionError)
        or status is None
        or status >= 500
        or status in _RETRYABLE_CLIENT_ERRORS
    )
    # The code (card_declined, parameter_invalid…) is safe to log; Stripe's message may echo input.
    raise ProviderError(
        f"stripe could not {action} ({status or 'no answer'}: {error.code or type(error).__name__})",
        is_retryable=is_retryable,
    ) from None


def verify_stripe_webhook(
    raw: bytes, signature_header: str, *, secret: str, tolerance_seconds: int, now: int
) -> dict[str, Any]:
    """The event of a Stripe-signed body; ValueError if forged, older or newer than the tolerance, or not JSON."""
    timestamp = _signed_timestamp(signature_header)
    if abs(now - timestamp) > tolerance_seconds:
        # The SDK only refuses old timestamps; one from the future is as suspect (a skewed or forged clock).
        raise ValueError("stripe signature timestamp outside the tolerance")
    try:
        # The SDK's signature check alone (construct_event would also build a StripeObject we don't use).
        stripe.WebhookSignature.verify_header(raw.decode("utf-8"), signature_header, secret, tolerance_seconds)
        event: Any = json.loads(raw)
    except stripe.SignatureVerificationError:
        raise ValueError("stripe signature does not match") from None
    except (ValueError, RecursionError):
        raise ValueError("stripe event is not JSON") from None
    if not isinstance(event, dict):
        raise ValueError("stripe event is not a JSON object")
    return event


def _signed_timestamp(signature_header: str) -> int:
    for part in signature_header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            if not value.isdigit():
                break
            return int(value)
    raise ValueError("stripe signature has no timestamp")
