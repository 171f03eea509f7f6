"""Client of the built-in sandbox gateway, spoken to over HTTP exactly like a real provider's SDK."""

from __future__ import annotations

from typing import Any

import httpx

from creatorly.errors import ProviderError
from creatorly.providers import http
from creatorly.providers.payments.base import (
    CreatedPayment,
    CreatedRefund,
    PaymentRecord,
    PaymentRequest,
    PaymentState,
    RefundRequest,
    SavedCardCharge,
    SavedCardChargeRequest,
)

PAYMENTS_PATH = "/sandbox/api/payments"
REFUNDS_PATH = "/sandbox/api/refunds"
SETUPS_PATH = "/sandbox/api/setups"
CHARGES_PATH = "/sandbox/api/charges"
# Rate limiting and request timeouts are the 4xx answers that a later try can get past.
_RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})
# The gateway answers at most this many payment references per listing request.
MAX_REFERENCES_PER_LIST = 100
_PAYMENT_STATES: dict[str, PaymentState] = {
    "succeeded": "succeeded",
    "declined": "failed",
    "failed": "failed",
    "requires_payment": "pending",
}


class SandboxPaymentProvider:
    """Creates payments on the sandbox gateway at `base_url`; the buyer then pays on its hosted page."""

    name = "sandbox"

    def __init__(self, base_url: str, api_key: str, timeout_seconds: float = 10) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout_seconds = timeout_seconds

    async def create_payment(self, request: PaymentRequest) -> CreatedPayment:
        body = {
            "merchant_reference": request.merchant_reference,
            "amount": request.amount,
            "currency": request.currency,
            "description": request.description,
            "buyer_email": request.buyer_email,
            "return_url": request.return_url,
        }
        headers = {"Authorization": f"Bearer {self._api_key}", "Idempotency-Key": request.idempotency_key}
        try:
            async with http.async_client(timeout=self._timeout_seconds) as client:
                response = await client.post(f"{self._base_url}{PAYMENTS_PATH}", json=body, headers=headers)
        except httpx.HTTPError as error:
            # The idempotency key makes a retry safe even if the gateway did create the payment.
            raise ProviderError(f"sandbox gateway unreachable: {type(error).__name__}", is_retryable=True) from None
        return _created_payment(response)

    async def refund_payment(self, request: RefundRequest) -> CreatedRefund:
        body = {
            "payment_reference": request.provider_reference,
            "amount": request.amount,
            "currency": request.currency,
            "reason": request.reason,
        }
        headers = {"Authorization": f"Bearer {self._api_key}", "Idempotency-Key": request.idempotency_key}
        try:
            async with http.async_client(timeout=self._timeout_seconds) as client:
                response = await client.post(f"{self._base_url}{REFUNDS_PATH}", json=body, headers=headers)
        except httpx.HTTPError as error:
            # The idempotency key makes a retry safe even if the gateway did make the refund.
            raise ProviderError(f"sandbox gateway unreachable: {type(error).__name__}", is_retryable=True) from None
        return _created_refund(response)

    async def create_card_setup(self, request: PaymentRequest) -> CreatedPayment:
        """A hosted page that only saves the buyer's card (amount 0): a membership trial."""
        body = {
            "merchant_reference": request.merchant_reference,
            "currency": request.currency,
            "description": request.description,
            "return_url": request.return_url,
        }
        response = await self._post(SETUPS_PATH, body, idempotency_key=request.idempotency_key)
        return _created_payment(response)

    async def charge_saved_card(self, request: SavedCardChargeRequest) -> SavedCardCharge:
        """Charge a saved card now; a decline is an answer (is_succeeded False), not an error."""
        body = {
            "payment_method": request.payment_method,
            "merchant_reference": request.merchant_reference,
            "amount": request.amount,
            "currency": request.currency,
            "description": request.description,
        }
        response = await self._post(CHARGES_PATH, body, idempotency_key=request.idempotency_key)
        status = response.status_code
        if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
            raise ProviderError(f"sandbox gateway answered {status}", is_retryable=True)
        if status >= 400:
            raise ProviderError(
                f"sandbox gateway refused the charge ({status}: {_error_code(response)})", is_retryable=False
            )
        try:
            payload: Any = response.json()
            reference, outcome, failure_code = payload["reference"], payload["status"], payload.get("failure_code")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ProviderError("sandbox gateway answered garbled JSON", is_retryable=True) from None
        if not (isinstance(reference, str) and reference and isinstance(outcome, str)):
            raise ProviderError("sandbox gateway answered a charge without its fields", is_retryable=True)
        return SavedCardCharge(
            provider_reference=reference,
            is_succeeded=outcome == "succeeded",
            failure_code=failure_code if isinstance(failure_code, str) else None,
        )

    async def _post(self, path: str, body: dict[str, Any], *, idempotency_key: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._api_key}", "Idempotency-Key": idempotency_key}
        try:
            async with http.async_client(timeout=self._timeout_seconds) as client:
                return await client.post(f"{self._base_url}{path}", json=body, headers=headers)
        except httpx.HTTPError as error:
            raise ProviderError(f"sandbox gateway unreachable: {type(error).__name__}", is_retryable=True) from None

    async def list_payments(self, references: list[str]) -> list[PaymentRecord]:
        """The gateway's payments among `references`, with what was refunded of each; unknown ones are left out."""
        records: list[PaymentRecord] = []
        headers = {"Authorization": f"Bearer {self._api_key}"}
        for start in range(0, len(references), MAX_REFERENCES_PER_LIST):
            batch = references[start : start + MAX_REFERENCES_PER_LIST]
            params: list[tuple[str, str | int | float | bool | None]] = [
                ("reference", reference) for reference in batch
            ]
            try:
                async with http.async_client(timeout=self._timeout_seconds) as client:
                    response = await client.get(f"{self._base_url}{PAYMENTS_PATH}", params=params, headers=headers)
            except httpx.HTTPError as error:
                raise ProviderError(f"sandbox gateway unreachable: {type(error).__name__}", is_retryable=True) from None
            records.extend(_payment_records(response))
        return records


def _created_payment(response: httpx.Response) -> CreatedPayment:
    status = response.status_code
    if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
        raise ProviderError(f"sandbox gateway answered {status}", is_retryable=True)
    if status >= 400:
        raise ProviderError(
            f"sandbox gateway refused the payment ({status}: {_error_code(response)})", is_retryable=False
        )
    try:
        payload: Any = response.json()
        reference, redirect_url = payload["reference"], payload["redirect_url"]
    except (ValueError, KeyError, TypeError):
        raise ProviderError("sandbox gateway answered garbled JSON", is_retryable=True) from None
    if not (isinstance(reference, str) and isinstance(redirect_url, str) and reference and redirect_url):
        raise ProviderError("sandbox gateway answered without a reference", is_retryable=True)
    return CreatedPayment(provider_reference=reference, redirect_url=redirect_url)


def _error_code(response: httpx.Response) -> str:
    try:
        payload: Any = response.json()
    except ValueError:
        return "unknown"
    code = payload.get("error") if isinstance(payload, dict) else None
    return code if isinstance(code, str) else "unknown"


def _created_refund(response: httpx.Response) -> CreatedRefund:
    status = response.status_code
    if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
        raise ProviderError(f"sandbox gateway answered {status}", is_retryable=True)
    if status >= 400:
        raise ProviderError(
            f"sandbox gateway refused the refund ({status}: {_error_code(response)})", is_retryable=False
        )
    try:
        payload: Any = response.json()
        reference = payload["reference"]
    except (ValueError, KeyError, TypeError):
        raise ProviderError("sandbox gateway answered garbled JSON", is_retryable=True) from None
    if not (isinstance(reference, str) and reference):
        raise ProviderError("sandbox gateway answered without a reference", is_retryable=True)
    return CreatedRefund(provider_reference=reference)


def _payment_records(response: httpx.Response) -> list[PaymentRecord]:
    status = response.status_code
    if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
        raise ProviderError(f"sandbox gateway answered {status}", is_retryable=True)
    if status >= 400:
        raise ProviderError(
            f"sandbox gateway refused the listing ({status}: {_error_code(response)})", is_retryable=False
        )
    try:
        payload: Any = response.json()
        items = payload["data"]
    except (ValueError, KeyError, TypeError):
        raise ProviderError("sandbox gateway answered garbled JSON", is_retryable=True) from None
    if not isinstance(items, list):
        raise ProviderError("sandbox gateway answered a listing without data", is_retryable=True)
    return [_payment_record(item) for item in items]


def _payment_record(item: Any) -> PaymentRecord:
    """One payment as the gateway describes it; ProviderError if a field is missing or of the wrong type."""
    if not isinstance(item, dict):
        raise ProviderError("sandbox gateway answered a payment that is not an object", is_retryable=True)
    reference, merchant_reference = item.get("reference"), item.get("merchant_reference")
    amount, currency, refunded = item.get("amount"), item.get("currency"), item.get("amount_refunded")
    raw_status = item.get("status")
    state = _PAYMENT_STATES.get(raw_status) if isinstance(raw_status, str) else None
    if not (
        isinstance(reference, str)
        and reference
        and isinstance(merchant_reference, str)
        and type(amount) is int
        and type(refunded) is int
        and isinstance(currency, str)
        and state is not None
    ):
        raise ProviderError("sandbox gateway answered a payment without its fields", is_retryable=True)
    return PaymentRecord(
        provider_reference=reference,
        merchant_reference=merchant_reference,
        amount=amount,
        currency=currency.upper(),
        status=state,
        amount_refunded=refunded,
    )
