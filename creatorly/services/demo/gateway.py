"""The sandbox gateway reached in this process while the demo loads: the same gateway use cases its HTTP routes
call, the same webhook use case our webhook route calls, and the jobs they queue run at once, in order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from creatorly import queue
from creatorly.errors import CreatorlyError, ProviderError
from creatorly.providers.payments.base import (
    CreatedPayment,
    CreatedRefund,
    PaymentRequest,
    RefundRequest,
    SavedCardCharge,
    SavedCardChargeRequest,
)
from creatorly.providers.payouts.base import CreatedPayout, PayoutRecord, PayoutRequest
from creatorly.providers.registry import sandbox_api_key, sandbox_in_process
from creatorly.services.external_events import service as external_events
from creatorly.services.payouts import service as payouts
from creatorly.services.payouts.withdrawals import SUBMIT_JOB
from creatorly.services.sandbox_gateway import payouts as sandbox_payouts
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.sandbox_gateway import subscriptions as sandbox_subscriptions

SANDBOX = "sandbox"
TEST_CARD = "4242424242424242"
# The jobs the demo runs itself as soon as they are queued; the rest (emails…) go to the queue as usual.
RUN_AT_ONCE = (gateway.DELIVER_JOB, sandbox_payouts.SETTLE_JOB, SUBMIT_JOB)


def _refused(error: CreatorlyError) -> ProviderError:
    return ProviderError(f"sandbox gateway refused: {error.code}", is_retryable=False)


class InProcessPayments:
    """The sandbox payment provider without HTTP: what `SandboxPaymentProvider` asks the gateway's routes for."""

    name = SANDBOX

    async def create_payment(self, request: PaymentRequest) -> CreatedPayment:
        try:
            checkout = await gateway.create_payment(
                api_key=sandbox_api_key(),
                merchant_reference=request.merchant_reference,
                amount=request.amount,
                currency=request.currency,
                description=request.description,
                return_url=request.return_url,
                idempotency_key=request.idempotency_key,
            )
        except CreatorlyError as error:
            raise _refused(error) from error
        return CreatedPayment(provider_reference=checkout.reference, redirect_url=checkout.redirect_url)

    async def refund_payment(self, request: RefundRequest) -> CreatedRefund:
        raise ProviderError("the demo loader makes no refunds", is_retryable=False)

    async def create_card_setup(self, request: PaymentRequest) -> CreatedPayment:
        try:
            checkout = await sandbox_subscriptions.create_setup(
                api_key=sandbox_api_key(),
                merchant_reference=request.merchant_reference,
                currency=request.currency,
                description=request.description,
                return_url=request.return_url,
                idempotency_key=request.idempotency_key,
            )
        except CreatorlyError as error:
            raise _refused(error) from error
        return CreatedPayment(provider_reference=checkout.reference, redirect_url=checkout.redirect_url)

    async def charge_saved_card(self, request: SavedCardChargeRequest) -> SavedCardCharge:
        try:
            charge = await sandbox_subscriptions.charge_saved_card(
                api_key=sandbox_api_key(),
                payment_method=request.payment_method,
                merchant_reference=request.merchant_reference,
                amount=request.amount,
                currency=request.currency,
                description=request.description,
                idempotency_key=request.idempotency_key,
            )
        except CreatorlyError as error:
            raise _refused(error) from error
        return SavedCardCharge(
            provider_reference=charge.reference,
            is_succeeded=charge.status == "succeeded",
            failure_code=charge.failure_code,
        )


class InProcessPayouts:
    """The sandbox payout provider without HTTP."""

    name = SANDBOX

    async def create_payout(self, request: PayoutRequest) -> CreatedPayout:
        destination = request.destination
        try:
            transfer = await sandbox_payouts.create_transfer(
                api_key=sandbox_api_key(),
                merchant_reference=request.merchant_reference,
                amount=request.amount,
                currency=request.currency,
                destination=sandbox_payouts.SandboxPayoutDestination(
                    kind=destination.kind,
                    account_number=destination.account_number,
                    upi_id=destination.upi_id,
                    stripe_account_id=destination.stripe_account_id,
                ),
                idempotency_key=request.idempotency_key,
            )
        except CreatorlyError as error:
            raise _refused(error) from error
        return CreatedPayout(
            provider_reference=transfer.reference,
            status="failed" if transfer.status == "failed" else "in_transit",
            failure_reason=transfer.failure_message,
        )

    async def list_payouts(self, *, merchant_references: list[str]) -> list[PayoutRecord]:
        raise ProviderError("the demo loader lists no payouts", is_retryable=False)


async def _post_to_our_webhook_route(raw: bytes, headers: dict[str, str]) -> int | None:
    """What our webhook route does with a delivery: verify, store once, handle; its HTTP status."""
    try:
        await external_events.receive(provider=SANDBOX, raw_body=raw, headers=headers)
    except CreatorlyError as error:
        return error.status
    return 200


class InProcessSandbox:
    """While active, the sandbox providers talk to the gateway in this process and `run_jobs` runs what they queued."""

    def __init__(self, collected: list[tuple[str, tuple[Any, ...]]]) -> None:
        self._collected = collected
        self._transfers_in_transit: list[int] = []

    async def run_jobs(self) -> None:
        """Run the queued gateway and payout jobs (and those they queue in turn) until none is left; a payout
        transfer not due yet is settled by a later call, once the clock has passed its time (as its job retries)."""
        waiting, self._transfers_in_transit = self._transfers_in_transit, []
        for transfer_id in waiting:
            await self._settle(transfer_id)
        while self._collected:
            name, arguments = self._collected.pop(0)
            if name == gateway.DELIVER_JOB:
                await gateway.deliver_webhook(webhook_id=int(arguments[0]), post=_post_to_our_webhook_route)
            elif name == sandbox_payouts.SETTLE_JOB:
                await self._settle(int(arguments[0]))
            elif name == SUBMIT_JOB:
                await payouts.submit_payout(str(arguments[0]))

    async def _settle(self, transfer_id: int) -> None:
        if await sandbox_payouts.settle_transfer(transfer_id=transfer_id) is not None:
            self._transfers_in_transit.append(transfer_id)


@contextmanager
def sandbox_in_this_process() -> Iterator[InProcessSandbox]:
    with queue.intercepting(*RUN_AT_ONCE) as collected, sandbox_in_process(InProcessPayments(), InProcessPayouts()):
        yield InProcessSandbox(collected)
