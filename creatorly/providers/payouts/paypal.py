"""PayPal Payouts (v1): one batch of one EMAIL item per payout, sent to the creator's PayPal account.

The batch's sender_batch_id is our payout's idempotency key and the request carries it as PayPal-Request-Id, so a
retried submit answers the first batch instead of paying twice. The item's sender_item_id is our payout's public
id. The outcome arrives as a PAYMENT.PAYOUTS-ITEM.* webhook; `payout_batch` reads a batch back.
"""

from __future__ import annotations

from typing import Any

from creatorly.errors import ProviderError
from creatorly.kit.money import to_decimal_string
from creatorly.providers.payments.paypal import minor_units_of
from creatorly.providers.payments.paypal_client import PayPalClient
from creatorly.providers.payouts.base import CreatedPayout, PayoutOutcome, PayoutRecord, PayoutRequest

# PayPal's payout item transaction_status → ours; PENDING, UNCLAIMED (the receiver has 30 days), ONHOLD: on the way.
_ITEM_OUTCOMES: dict[str, PayoutOutcome] = {
    "SUCCESS": "paid",
    "FAILED": "failed",
    "RETURNED": "failed",
    "BLOCKED": "failed",
    "REFUNDED": "failed",
    "REVERSED": "failed",
    "DENIED": "failed",
    "CANCELED": "failed",
}
MAX_NOTE_LENGTH = 4000


def outcome_of(transaction_status: str) -> PayoutOutcome:
    return _ITEM_OUTCOMES.get(transaction_status.upper(), "in_transit")


class PayPalPayoutProvider:
    """Sends payouts from the platform's PayPal account to creators' PayPal emails."""

    name = "paypal"

    def __init__(self, client: PayPalClient) -> None:
        self._client = client

    async def create_payout(self, request: PayoutRequest) -> CreatedPayout:
        if request.destination.kind != "paypal" or not request.destination.paypal_email:
            raise ProviderError("paypal pays PayPal email accounts only", is_retryable=False)
        body = {
            "sender_batch_header": {
                "sender_batch_id": request.idempotency_key,
                "email_subject": "You have a payout from Creatorly",
                "email_message": request.description or "Your Creatorly earnings.",
            },
            "items": [
                {
                    "recipient_type": "EMAIL",
                    "amount": {
                        "value": to_decimal_string(request.amount, request.currency),
                        "currency": request.currency.upper(),
                    },
                    "note": (request.description or "Creatorly payout")[:MAX_NOTE_LENGTH],
                    "sender_item_id": request.merchant_reference,
                    "receiver": request.destination.paypal_email,
                }
            ],
        }
        answer = await self._client.call(
            "POST", "/v1/payments/payouts", action="send the payout", body=body, request_id=request.idempotency_key
        )
        header = answer.get("batch_header")
        batch_id = header.get("payout_batch_id") if isinstance(header, dict) else None
        if not (isinstance(batch_id, str) and batch_id):
            raise ProviderError("paypal answered a payout without a payout_batch_id", is_retryable=True)
        return CreatedPayout(provider_reference=batch_id, status="in_transit")

    async def payout_batch(self, batch_id: str) -> PayoutRecord | None:
        """The batch's single item as a payout record (GET /v1/payments/payouts/{id}); None if it has no item."""
        answer = await self._client.call("GET", f"/v1/payments/payouts/{batch_id}", action="read the payout")
        items = answer.get("items")
        item: Any = items[0] if isinstance(items, list) and items else None
        payout_item = item.get("payout_item") if isinstance(item, dict) else None
        if not isinstance(payout_item, dict):
            return None
        money = minor_units_of({"currency_code": _text(payout_item.get("amount"), "currency"), **_value(payout_item)})
        status = item.get("transaction_status")
        if money is None or not isinstance(status, str):
            return None
        return PayoutRecord(
            provider_reference=batch_id,
            merchant_reference=str(payout_item.get("sender_item_id") or ""),
            amount=money[0],
            currency=money[1],
            status=outcome_of(status),
        )

    async def list_payouts(self, *, merchant_references: list[str]) -> list[PayoutRecord]:
        """PayPal cannot find batches by our reference (only by its payout_batch_id, see `payout_batch`), so
        reconciliation reports PayPal payouts as not comparable rather than as missing. A lost submit is safe to
        repeat: the same sender_batch_id and PayPal-Request-Id answer the first batch."""
        raise ProviderError("paypal payouts cannot be listed by our reference", is_retryable=False)


def _text(value: Any, name: str) -> str:
    found = value.get(name) if isinstance(value, dict) else None
    return found if isinstance(found, str) else ""


def _value(payout_item: dict[str, Any]) -> dict[str, str]:
    return {"value": _text(payout_item.get("amount"), "value")}
