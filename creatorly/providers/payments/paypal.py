"""PayPal Orders v2: create an order the buyer approves on PayPal, capture it on return, refund captures,
and verify webhooks with PayPal's verify-webhook-signature call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from creatorly.errors import ProviderError
from creatorly.kit.money import UnsupportedCurrency, from_decimal_string, to_decimal_string
from creatorly.providers.payments.base import (
    CreatedPayment,
    CreatedRefund,
    PaymentRecord,
    PaymentRequest,
    PaymentState,
    RefundRequest,
)
from creatorly.providers.payments.paypal_client import PayPalApiError, PayPalClient

RETURN_PATH = "/api/payments/paypal/return"
MAX_DESCRIPTION_LENGTH = 127  # PayPal's limit on purchase_units[].description
MAX_CUSTOM_ID_LENGTH = 127
ALREADY_CAPTURED = "ORDER_ALREADY_CAPTURED"
NOT_FOUND = 404
LIST_CONCURRENCY = 8  # orders read at once for reconciliation
_SUCCEEDED_CAPTURES = frozenset({"COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED"})
_FAILED_CAPTURES = frozenset({"DECLINED", "FAILED"})
# The headers PayPal signs a webhook delivery with, as verify-webhook-signature names their values.
TRANSMISSION_HEADERS = {
    "auth_algo": "paypal-auth-algo",
    "cert_url": "paypal-cert-url",
    "transmission_id": "paypal-transmission-id",
    "transmission_sig": "paypal-transmission-sig",
    "transmission_time": "paypal-transmission-time",
}


@dataclass(frozen=True, slots=True)
class PayPalCapture:
    """A PayPal order and its capture as PayPal reports them; amounts in minor units of `currency`."""

    paypal_order_id: str
    order_status: str  # CREATED, APPROVED, PAYER_ACTION_REQUIRED, COMPLETED, VOIDED
    merchant_reference: str | None
    capture_id: str | None
    capture_status: str | None  # COMPLETED, PENDING, DECLINED, FAILED, …
    amount: int | None
    currency: str | None
    fee: int
    amount_refunded: int = 0


def amount_of(currency: str, amount: int) -> dict[str, str]:
    """Minor units as PayPal's {currency_code, value} money object (exact decimal string)."""
    try:
        return {"currency_code": currency.upper(), "value": to_decimal_string(amount, currency)}
    except UnsupportedCurrency:
        raise ProviderError(f"paypal: {currency} is not a currency Creatorly handles", is_retryable=False) from None


def minor_units_of(money: Any) -> tuple[int, str] | None:
    """PayPal's money object ({currency_code, value}) in minor units, or None when it is not one."""
    if not isinstance(money, dict):
        return None
    currency, value = money.get("currency_code"), money.get("value")
    if not (isinstance(currency, str) and isinstance(value, str)):
        return None
    try:
        return from_decimal_string(value, currency), currency.upper()
    except (ValueError, UnsupportedCurrency):
        return None


def link_of(resource: Mapping[str, Any], *relations: str) -> str | None:
    """The href of the first HATEOAS link among `relations` (PayPal's `links` array)."""
    links = resource.get("links")
    for relation in relations:
        for link in links if isinstance(links, list) else []:
            if isinstance(link, dict) and link.get("rel") == relation and isinstance(link.get("href"), str):
                return str(link["href"])
    return None


class PayPalPaymentProvider:
    """Creates a PayPal order per payment and sends the buyer to PayPal to approve it; capture follows on return."""

    name = "paypal"

    def __init__(self, client: PayPalClient, *, public_url: str, webhook_id: str = "") -> None:
        self._client = client
        self._public_url = public_url.rstrip("/")
        self._webhook_id = webhook_id

    async def create_payment(self, request: PaymentRequest) -> CreatedPayment:
        unit: dict[str, Any] = {
            "reference_id": request.merchant_reference,
            "custom_id": request.merchant_reference,
            "description": request.description[:MAX_DESCRIPTION_LENGTH],
            "amount": amount_of(request.currency, request.amount),
        }
        body = {
            "intent": "CAPTURE",
            "purchase_units": [unit],
            "payment_source": {
                "paypal": {
                    "experience_context": {
                        "return_url": f"{self._public_url}{RETURN_PATH}",
                        "cancel_url": request.return_url,
                        "user_action": "PAY_NOW",
                        "shipping_preference": "NO_SHIPPING",
                    }
                }
            },
        }
        answer = await self._client.call(
            "POST", "/v2/checkout/orders", action="create the order", body=body, request_id=request.idempotency_key
        )
        order_id = answer.get("id")
        approve_url = link_of(answer, "payer-action", "approve")
        if not (isinstance(order_id, str) and order_id and approve_url):
            raise ProviderError("paypal answered an order without an id or an approval link", is_retryable=True)
        return CreatedPayment(provider_reference=order_id, redirect_url=approve_url)

    async def capture_order(self, paypal_order_id: str) -> PayPalCapture:
        """Capture an approved order; one captured before (a repeated return) is read back instead."""
        try:
            answer = await self._client.call(
                "POST",
                f"/v2/checkout/orders/{paypal_order_id}/capture",
                action="capture the order",
                body={},
                request_id=f"capture-{paypal_order_id}",
            )
        except PayPalApiError as error:
            if error.issue != ALREADY_CAPTURED:
                raise
            return await self.get_order(paypal_order_id)
        return capture_of(answer)

    async def get_order(self, paypal_order_id: str) -> PayPalCapture:
        """The order as PayPal holds it now (GET /v2/checkout/orders/{id}), for a return or reconciliation."""
        answer = await self._client.call("GET", f"/v2/checkout/orders/{paypal_order_id}", action="read the order")
        return capture_of(answer)

    async def list_payments(self, references: list[str]) -> list[PaymentRecord]:
        """The PayPal orders among `references` (PayPal order ids) with their capture, for reconciliation."""
        limit = asyncio.Semaphore(LIST_CONCURRENCY)

        async def read(reference: str) -> PaymentRecord | None:
            async with limit:
                try:
                    captured = await self.get_order(reference)
                except PayPalApiError as error:
                    if error.status_code == NOT_FOUND:
                        return None
                    raise
            return _record_of(captured)

        found = await asyncio.gather(*(read(reference) for reference in dict.fromkeys(references) if reference))
        return [record for record in found if record is not None]

    async def refund_payment(self, request: RefundRequest) -> CreatedRefund:
        """Refund part or all of a capture (`provider_reference` is the capture id); our key is the request id."""
        body: dict[str, Any] = {
            "amount": {
                "value": to_decimal_string(request.amount, request.currency),
                "currency_code": request.currency.upper(),
            },
            "custom_id": request.idempotency_key[:MAX_CUSTOM_ID_LENGTH],
        }
        if request.reason:
            body["note_to_payer"] = request.reason[:255]
        answer = await self._client.call(
            "POST",
            f"/v2/payments/captures/{request.provider_reference}/refund",
            action="refund the capture",
            body=body,
            request_id=request.idempotency_key,
        )
        refund_id = answer.get("id")
        if not (isinstance(refund_id, str) and refund_id):
            raise ProviderError("paypal answered a refund without an id", is_retryable=True)
        return CreatedRefund(provider_reference=refund_id)

    async def verify_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> None:
        """Ask PayPal whether it sent this delivery; ValueError unless it answers verification_status SUCCESS.

        `headers` are lower-cased. PayPal unreachable raises ProviderError (5xx: PayPal delivers it again)."""
        if not self._webhook_id:
            raise ValueError("paypal webhook id is not set")
        fields = {name: headers.get(header, "") for name, header in TRANSMISSION_HEADERS.items()}
        if not all(fields.values()):
            raise ValueError("paypal webhook lacks a transmission header")
        try:
            event: Any = json.loads(raw_body)
        except (ValueError, RecursionError):
            raise ValueError("paypal webhook body is not JSON") from None
        body = {**fields, "webhook_id": self._webhook_id, "webhook_event": event}
        try:
            answer = await self._client.call(
                "POST", "/v1/notifications/verify-webhook-signature", action="verify a webhook", body=body
            )
        except ProviderError as error:
            if error.is_retryable:
                raise
            raise ValueError(f"paypal would not verify the webhook: {error.message}") from None
        if answer.get("verification_status") != "SUCCESS":
            raise ValueError("paypal did not verify the webhook signature")


def capture_of(order: Mapping[str, Any]) -> PayPalCapture:
    """Our view of a PayPal order answer (create, capture or GET): its first purchase unit's first capture."""
    order_id, status = order.get("id"), order.get("status")
    if not (isinstance(order_id, str) and order_id and isinstance(status, str)):
        raise ProviderError("paypal answered an order without an id or status", is_retryable=True)
    units = order.get("purchase_units")
    unit = units[0] if isinstance(units, list) and units and isinstance(units[0], dict) else {}
    reference = unit.get("custom_id") or unit.get("reference_id")
    payments = unit.get("payments")
    captures = payments.get("captures") if isinstance(payments, dict) else None
    capture = captures[0] if isinstance(captures, list) and captures and isinstance(captures[0], dict) else None
    if capture is None:
        return PayPalCapture(
            order_id, status, reference if isinstance(reference, str) else None, None, None, None, None, 0
        )
    money = minor_units_of(capture.get("amount"))
    refunds = payments.get("refunds") if isinstance(payments, dict) else None
    capture_id = capture.get("id")
    capture_status = capture.get("status")
    return PayPalCapture(
        paypal_order_id=order_id,
        order_status=status,
        merchant_reference=_text_or_none(capture.get("custom_id")) or _text_or_none(reference),
        capture_id=_text_or_none(capture_id),
        capture_status=_text_or_none(capture_status),
        amount=money[0] if money else None,
        currency=money[1] if money else None,
        fee=paypal_fee_of(capture),
        amount_refunded=_refunded(refunds),
    )


def _refunded(refunds: Any) -> int:
    """The completed refunds of the purchase unit (purchase_units[].payments.refunds), in minor units."""
    total = 0
    for refund in refunds if isinstance(refunds, list) else []:
        money = minor_units_of(refund.get("amount")) if isinstance(refund, dict) else None
        if money is not None and refund.get("status") == "COMPLETED":
            total += money[0]
    return total


def _record_of(captured: PayPalCapture) -> PaymentRecord:
    status: PaymentState = "pending"
    if captured.capture_status in _SUCCEEDED_CAPTURES:
        status = "succeeded"
    elif captured.capture_status in _FAILED_CAPTURES or captured.order_status == "VOIDED":
        status = "failed"
    return PaymentRecord(
        provider_reference=captured.paypal_order_id,
        merchant_reference=captured.merchant_reference or "",
        amount=captured.amount or 0,
        currency=(captured.currency or "").upper(),
        status=status,
        amount_refunded=captured.amount_refunded,
    )


def paypal_fee_of(capture: Mapping[str, Any]) -> int:
    """seller_receivable_breakdown.paypal_fee in minor units; 0 when PayPal gives none (a pending capture)."""
    breakdown = capture.get("seller_receivable_breakdown")
    fee = minor_units_of(breakdown.get("paypal_fee")) if isinstance(breakdown, dict) else None
    return fee[0] if fee else 0


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
