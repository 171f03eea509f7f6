"""RazorpayX payouts in INR to an Indian bank account (IMPS) or a UPI id: contact, fund account, payout.

The razorpay SDK has no Payout, Contact or Fund Account resource, so these go through the SDK client's
generic `post`/`get`, which keep its auth, base URL and error translation. Razorpay answers an identical
contact or fund account with the existing one, so repeating the first two steps on a retry is harmless;
the payout itself carries the `X-Payout-Idempotency` key. The outcome arrives later as a
`payout.processed`, `payout.reversed`, `payout.failed` or `payout.rejected` webhook.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import razorpay
import requests
from razorpay.errors import BadRequestError, GatewayError, ServerError

from creatorly.errors import ProviderError
from creatorly.providers.payments.razorpay import _TimeoutSession
from creatorly.providers.payouts.base import (
    CreatedPayout,
    PayoutDestination,
    PayoutOutcome,
    PayoutRecord,
    PayoutRequest,
)

CURRENCY = "INR"
IDEMPOTENCY_HEADER = "X-Payout-Idempotency"
MAX_REFERENCE_LENGTH = 40  # Razorpay's limit on reference_id
MAX_CONTACT_NAME_LENGTH = 50
_OUTCOMES: dict[str, PayoutOutcome] = {
    "processed": "paid",
    "reversed": "failed",
    "failed": "failed",
    "rejected": "failed",
    "cancelled": "failed",
}
T = TypeVar("T")


def outcome_of(razorpay_status: str) -> PayoutOutcome:
    """Our outcome for a RazorpayX payout status: queued, pending and processing are all still on the way."""
    return _OUTCOMES.get(razorpay_status, "in_transit")


def failure_reason_of(payout: dict[str, Any]) -> str:
    """What Razorpay says went wrong: status_details.description, else its reason or failure_reason."""
    details = payout.get("status_details")
    if isinstance(details, dict):
        for name in ("description", "reason"):
            value = details.get(name)
            if isinstance(value, str) and value:
                return value
    reason = payout.get("failure_reason")
    return reason if isinstance(reason, str) else ""


class RazorpayPayoutProvider:
    """Sends INR payouts from the RazorpayX account `account_number` to a bank account or UPI id."""

    name = "razorpay"

    def __init__(
        self, key_id: str, key_secret: str, api_base: str | None, *, account_number: str, timeout_seconds: float = 10
    ) -> None:
        self._key_id = key_id
        self._key_secret = key_secret
        self._api_base = (api_base or "").rstrip("/") or None
        self._account_number = account_number
        self._timeout_seconds = timeout_seconds

    def _client(self) -> Any:
        # One client per call: the SDK client and its requests session are not shared across threads.
        options = {"base_url": self._api_base} if self._api_base else {}
        return razorpay.Client(
            session=_TimeoutSession(self._timeout_seconds), auth=(self._key_id, self._key_secret), **options
        )

    async def create_payout(self, request: PayoutRequest) -> CreatedPayout:
        if request.currency.upper() != CURRENCY:
            raise ProviderError(f"razorpay pays out INR only, not {request.currency}", is_retryable=False)
        if not 0 < len(request.merchant_reference) <= MAX_REFERENCE_LENGTH:
            raise ProviderError("razorpay takes a reference of at most 40 characters", is_retryable=False)
        account_type, details, mode = _fund_account_of(request.destination)
        answer = await asyncio.to_thread(self._call, partial(self._create, request, account_type, details, mode))
        payout = _payout_record(answer)
        status = outcome_of(payout["status"])
        return CreatedPayout(
            provider_reference=payout["id"],
            status=status,
            failure_reason=failure_reason_of(payout) if status == "failed" else "",
        )

    def _create(self, request: PayoutRequest, account_type: str, details: dict[str, str], mode: str) -> Any:
        client = self._client()
        contact = client.post(
            "/v1/contacts",
            {
                "name": (request.destination.holder_name or "Creatorly creator")[:MAX_CONTACT_NAME_LENGTH],
                "type": "vendor",
                "reference_id": request.merchant_reference,
            },
        )
        fund_account = client.post(
            "/v1/fund_accounts",
            {"contact_id": _id_of(contact, "contact"), "account_type": account_type, account_type: details},
        )
        body = {
            "account_number": self._account_number,
            "fund_account_id": _id_of(fund_account, "fund account"),
            "amount": request.amount,
            "currency": CURRENCY,
            "mode": mode,
            "purpose": "payout",
            "queue_if_low_balance": True,
            "reference_id": request.merchant_reference,
            "notes": {"merchant_reference": request.merchant_reference},
        }
        return client.post("/v1/payouts", body, headers={IDEMPOTENCY_HEADER: request.idempotency_key})

    async def list_payouts(self, *, merchant_references: list[str]) -> list[PayoutRecord]:
        records: list[PayoutRecord] = []
        for reference in merchant_references:
            params = {"account_number": self._account_number, "reference_id": reference}
            answer = await asyncio.to_thread(self._call, partial(self._list, params))
            items = answer.get("items") if isinstance(answer, dict) else None
            if not isinstance(items, list):
                raise ProviderError("razorpay answered a payout listing without items", is_retryable=True)
            for item in items:
                payout = _payout_record(item)
                records.append(
                    PayoutRecord(
                        provider_reference=payout["id"],
                        merchant_reference=reference,
                        amount=payout["amount"],
                        currency=payout["currency"].upper(),
                        status=outcome_of(payout["status"]),
                    )
                )
        return records

    def _list(self, params: dict[str, str]) -> Any:
        return self._client().get("/v1/payouts", params)

    @staticmethod
    def _call(action: Callable[[], T]) -> T:
        try:
            return action()
        except BadRequestError as error:
            raise ProviderError(f"razorpay refused the payout: {error}", is_retryable=False) from None
        except (GatewayError, ServerError) as error:
            raise ProviderError(f"razorpay failed: {type(error).__name__}", is_retryable=True) from None
        except (requests.RequestException, ValueError) as error:
            # Unreachable, timed out, or an answer that is not JSON: Razorpay may or may not have made it.
            raise ProviderError(f"razorpay unreachable: {type(error).__name__}", is_retryable=True) from None


def _fund_account_of(destination: PayoutDestination) -> tuple[str, dict[str, str], str]:
    """The fund account type, its details and the payout mode: IMPS to a bank account, UPI to a VPA."""
    if destination.kind == "bank" and destination.account_number and destination.routing_code:
        details = {
            "name": destination.holder_name,
            "ifsc": destination.routing_code,
            "account_number": destination.account_number,
        }
        return "bank_account", details, "IMPS"
    if destination.kind == "upi" and destination.upi_id:
        return "vpa", {"address": destination.upi_id}, "UPI"
    raise ProviderError("razorpay pays Indian bank accounts and UPI ids only", is_retryable=False)


def _id_of(answer: Any, what: str) -> str:
    identifier = answer.get("id") if isinstance(answer, dict) else None
    if not (isinstance(identifier, str) and identifier):
        raise ProviderError(f"razorpay answered a {what} without an id", is_retryable=True)
    return identifier


def _payout_record(answer: Any) -> dict[str, Any]:
    """The payout entity, checked for the fields we read; ProviderError when one is missing."""
    if not isinstance(answer, dict):
        raise ProviderError("razorpay answered a payout that is not an object", is_retryable=True)
    identifier, amount, currency, status = (answer.get(name) for name in ("id", "amount", "currency", "status"))
    if not (
        isinstance(identifier, str)
        and identifier
        and type(amount) is int
        and isinstance(currency, str)
        and isinstance(status, str)
    ):
        raise ProviderError("razorpay answered a payout without its fields", is_retryable=True)
    return answer
