"""Client of the built-in sandbox payout gateway, spoken to over HTTP exactly like a real provider's API."""

from __future__ import annotations

from typing import Any

import httpx

from creatorly.errors import ProviderError
from creatorly.providers import http
from creatorly.providers.payouts.base import CreatedPayout, PayoutOutcome, PayoutRecord, PayoutRequest

PAYOUTS_PATH = "/sandbox/api/payouts"
# The gateway answers at most this many merchant references per listing request.
MAX_REFERENCES_PER_LIST = 100
# Rate limiting and request timeouts are the 4xx answers that a later try can get past.
_RETRYABLE_CLIENT_ERRORS = frozenset({408, 429})
_OUTCOMES: dict[str, PayoutOutcome] = {"in_transit": "in_transit", "paid": "paid", "failed": "failed"}


class SandboxPayoutProvider:
    """Sends payouts through the sandbox gateway at `base_url`; it settles them later and says so by webhook."""

    name = "sandbox"

    def __init__(self, base_url: str, api_key: str, timeout_seconds: float = 10) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout_seconds = timeout_seconds

    async def create_payout(self, request: PayoutRequest) -> CreatedPayout:
        destination = request.destination
        body = {
            "merchant_reference": request.merchant_reference,
            "amount": request.amount,
            "currency": request.currency,
            "description": request.description,
            "destination": {
                "kind": destination.kind,
                "holder_name": destination.holder_name,
                "routing_code": destination.routing_code,
                "account_number": destination.account_number,
                "upi_id": destination.upi_id,
                "stripe_account_id": destination.stripe_account_id,
                "paypal_email": destination.paypal_email,
            },
        }
        headers = {"Authorization": f"Bearer {self._api_key}", "Idempotency-Key": request.idempotency_key}
        try:
            async with http.async_client(timeout=self._timeout_seconds) as client:
                response = await client.post(f"{self._base_url}{PAYOUTS_PATH}", json=body, headers=headers)
        except httpx.HTTPError as error:
            # The idempotency key makes a retry safe even if the gateway did create the transfer.
            raise ProviderError(f"sandbox gateway unreachable: {type(error).__name__}", is_retryable=True) from None
        payload = _answer(response, action="the payout")
        record = _record_of(payload)
        failure_reason = payload.get("failure_message") if record.status == "failed" else ""
        return CreatedPayout(
            provider_reference=record.provider_reference,
            status=record.status,
            failure_reason=failure_reason if isinstance(failure_reason, str) else "",
        )

    async def list_payouts(self, *, merchant_references: list[str]) -> list[PayoutRecord]:
        records: list[PayoutRecord] = []
        headers = {"Authorization": f"Bearer {self._api_key}"}
        for start in range(0, len(merchant_references), MAX_REFERENCES_PER_LIST):
            batch = merchant_references[start : start + MAX_REFERENCES_PER_LIST]
            params: list[tuple[str, str | int | float | bool | None]] = [
                ("merchant_reference", reference) for reference in batch
            ]
            try:
                async with http.async_client(timeout=self._timeout_seconds) as client:
                    response = await client.get(f"{self._base_url}{PAYOUTS_PATH}", params=params, headers=headers)
            except httpx.HTTPError as error:
                raise ProviderError(f"sandbox gateway unreachable: {type(error).__name__}", is_retryable=True) from None
            payload = _answer(response, action="the listing")
            items = payload.get("data")
            if not isinstance(items, list):
                raise ProviderError("sandbox gateway answered a listing without data", is_retryable=True)
            records.extend(_record_of(item) for item in items)
        return records


def _answer(response: httpx.Response, *, action: str) -> dict[str, Any]:
    status = response.status_code
    if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
        raise ProviderError(f"sandbox gateway answered {status}", is_retryable=True)
    if status >= 400:
        raise ProviderError(f"sandbox gateway refused {action} ({status}: {_error_code(response)})", is_retryable=False)
    try:
        payload: Any = response.json()
    except ValueError:
        raise ProviderError("sandbox gateway answered garbled JSON", is_retryable=True) from None
    if not isinstance(payload, dict):
        raise ProviderError("sandbox gateway answered garbled JSON", is_retryable=True)
    return payload


def _record_of(item: Any) -> PayoutRecord:
    """One transfer as the gateway describes it; ProviderError if a field is missing or of the wrong type."""
    if not isinstance(item, dict):
        raise ProviderError("sandbox gateway answered a transfer that is not an object", is_retryable=True)
    reference, merchant_reference = item.get("reference"), item.get("merchant_reference")
    amount, currency, status = item.get("amount"), item.get("currency"), item.get("status")
    outcome = _OUTCOMES.get(status) if isinstance(status, str) else None
    if not (
        isinstance(reference, str)
        and reference
        and isinstance(merchant_reference, str)
        and type(amount) is int
        and isinstance(currency, str)
        and outcome is not None
    ):
        raise ProviderError("sandbox gateway answered a transfer without its fields", is_retryable=True)
    return PayoutRecord(
        provider_reference=reference,
        merchant_reference=merchant_reference,
        amount=amount,
        currency=currency,
        status=outcome,
    )


def _error_code(response: httpx.Response) -> str:
    try:
        payload: Any = response.json()
    except ValueError:
        return "unknown"
    code = payload.get("error") if isinstance(payload, dict) else None
    return code if isinstance(code, str) else "unknown"
