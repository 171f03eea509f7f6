"""Stripe Connect payouts through the official SDK: a transfer to the creator's connected account, then a payout.

The transfer moves the money from the platform's balance to the connected account (tagged with our payout's
public id as its `transfer_group`); the payout, created on that account, sends it on to the creator's bank.
Its final outcome arrives later as a `payout.paid`, `payout.failed` or `payout.canceled` event on the connected
account, which Stripe sends to a Connect webhook endpoint (one that listens to events on connected accounts).

localstripe, our local stand-in, has /v1/payouts (EUR only; it ignores Stripe-Account and idempotency keys)
but neither /v1/transfers nor /v1/accounts: the tests front it with a stand-in for transfers, and sign
Stripe's documented payout.paid / payout.failed events themselves (tests/integration/test_payout_providers.py).
"""

from __future__ import annotations

from typing import Any, NoReturn

import stripe

from creatorly.errors import ProviderError
from creatorly.providers.payouts.base import CreatedPayout, PayoutOutcome, PayoutRecord, PayoutRequest

# Rate limiting, request timeouts and idempotency clashes of concurrent retries can pass on a later try.
_RETRYABLE_CLIENT_ERRORS = frozenset({408, 409, 429})
_OUTCOMES: dict[str, PayoutOutcome] = {"paid": "paid", "failed": "failed", "canceled": "failed"}
PAGE_SIZE = 100
MAX_PAGES = 20  # 2,000 payouts per connected account and reconciliation run


def outcome_of(stripe_status: str) -> PayoutOutcome:
    """Our outcome for a Stripe payout status: pending and in_transit are both still on the way."""
    return _OUTCOMES.get(stripe_status, "in_transit")


class StripePayoutProvider:
    """Pays creators who connected a Stripe account (`acct_…`); bank and UPI accounts go to other providers."""

    name = "stripe"

    def __init__(self, secret_key: str, api_base: str | None, timeout_seconds: float = 10) -> None:
        # A client per provider, never the SDK's global key or base: tests point several at localstripe.
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.HTTPXClient(timeout=timeout_seconds),
            max_network_retries=0,  # the caller decides about retries; the idempotency keys make them safe
        )

    async def create_payout(self, request: PayoutRequest) -> CreatedPayout:
        account = request.destination.stripe_account_id
        if request.destination.kind != "stripe" or not account.startswith("acct_"):
            raise ProviderError("stripe pays connected accounts (acct_…) only", is_retryable=False)
        metadata = {"merchant_reference": request.merchant_reference}
        transfer_params: dict[str, Any] = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "destination": account,
            "transfer_group": request.merchant_reference,
            "metadata": metadata,
        }
        try:
            # Each step has its own key: a retry after a failed payout replays the transfer, never repeats it.
            transfer = await self._client.v1.transfers.create_async(
                params=transfer_params,  # type: ignore[arg-type]
                options={"idempotency_key": f"{request.idempotency_key}:transfer"},
            )
        except stripe.StripeError as error:
            _raise_provider_error("transfer to the connected account", error)
        payout_params: dict[str, Any] = {
            "amount": request.amount,
            "currency": request.currency.lower(),
            "metadata": {**metadata, "transfer": transfer.id},
        }
        if request.description:
            payout_params["description"] = request.description
        try:
            payout = await self._client.v1.payouts.create_async(
                params=payout_params,  # type: ignore[arg-type]
                options={"idempotency_key": f"{request.idempotency_key}:payout", "stripe_account": account},
            )
        except stripe.StripeError as error:
            _raise_provider_error("pay out from the connected account", error)
        status = outcome_of(payout.status)
        return CreatedPayout(
            provider_reference=payout.id,
            status=status,
            failure_reason=(payout.failure_message or payout.failure_code or "") if status == "failed" else "",
        )

    async def list_payouts(self, *, merchant_references: list[str]) -> list[PayoutRecord]:
        """Find each payout through its transfer (filtered by transfer_group), then on the connected account."""
        transfers = {reference: await self._transfers_of(reference) for reference in merchant_references}
        accounts = {transfer.destination for found in transfers.values() for transfer in found if transfer.destination}
        payouts_by_reference: dict[str, list[stripe.Payout]] = {}
        for account in sorted(str(account) for account in accounts):
            for payout in await self._payouts_on(account):
                metadata = payout.to_dict().get("metadata") or {}  # a StripeObject is not a dict itself
                reference = metadata.get("merchant_reference")
                if reference in transfers:
                    payouts_by_reference.setdefault(reference, []).append(payout)
        records: list[PayoutRecord] = []
        for reference, found in transfers.items():
            payouts = payouts_by_reference.get(reference, [])
            records.extend(_record(payout, reference) for payout in payouts)
            if not payouts:
                # Transferred but never paid out: the money sits on the connected account, still on its way.
                records.extend(
                    PayoutRecord(
                        provider_reference=transfer.id,
                        merchant_reference=reference,
                        amount=transfer.amount,
                        currency=transfer.currency.upper(),
                        status="in_transit",
                    )
                    for transfer in found
                )
        return records

    async def _transfers_of(self, merchant_reference: str) -> list[stripe.Transfer]:
        try:
            page = await self._client.v1.transfers.list_async(
                params={"transfer_group": merchant_reference, "limit": PAGE_SIZE}
            )
        except stripe.StripeError as error:
            _raise_provider_error("list transfers", error)
        return list(page.data)

    async def _payouts_on(self, account: str) -> list[stripe.Payout]:
        payouts: list[stripe.Payout] = []
        params: dict[str, Any] = {"limit": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            try:
                page = await self._client.v1.payouts.list_async(
                    params=params,  # type: ignore[arg-type]
                    options={"stripe_account": account},
                )
            except stripe.StripeError as error:
                _raise_provider_error("list payouts", error)
            payouts.extend(page.data)
            if not page.has_more or not page.data:
                break
            params["starting_after"] = page.data[-1].id
        return payouts


def _record(payout: stripe.Payout, merchant_reference: str) -> PayoutRecord:
    return PayoutRecord(
        provider_reference=payout.id,
        merchant_reference=merchant_reference,
        amount=payout.amount,
        currency=payout.currency.upper(),
        status=outcome_of(payout.status),
    )


def _raise_provider_error(action: str, error: stripe.StripeError) -> NoReturn:
    status = error.http_status
    is_retryable = (
        isinstance(error, stripe.APIConnectionError)
        or status is None
        or status >= 500
        or status in _RETRYABLE_CLIENT_ERRORS
    )
    # The code (balance_insufficient, account_invalid…) is safe to log; Stripe's message may echo input.
    raise ProviderError(
        f"stripe could not {action} ({status or 'no answer'}: {error.code or type(error).__name__})",
        is_retryable=is_retryable,
    ) from None
