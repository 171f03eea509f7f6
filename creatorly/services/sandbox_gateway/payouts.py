"""The sandbox gateway's payouts: take a transfer, settle it after a delay, say how it ended by signed webhook.

Like a real bank the gateway answers at once that the transfer is on its way (`in_transit`); it decides the
test account's fate when it takes the transfer but only applies it at `settles_at`
(now + settings.sandbox_payout_settle_seconds). Settling queues a `payout.paid` or `payout.failed` event
through the same SandboxWebhook delivery as payments (same signature, same retries). Its event id is derived
from the transfer, so a transfer can never be announced twice.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput
from creatorly.kit.clock import as_utc, utc_now
from creatorly.kit.money import CURRENCY_EXPONENTS
from creatorly.models import SandboxPayoutTransfer, SandboxWebhook
from creatorly.observability import get_logger
from creatorly.services.sandbox_gateway import repository
from creatorly.services.sandbox_gateway.errors import SandboxIdempotencyConflict
from creatorly.services.sandbox_gateway.service import (
    DELIVER_JOB,
    MAX_AMOUNT,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    MAX_MERCHANT_REFERENCE_LENGTH,
    SWEEP_GRACE,
    authenticate,
)

SETTLE_JOB = "sandbox_gateway.settle_payout"
PAYOUT_PAID = "payout.paid"
PAYOUT_FAILED = "payout.failed"
IN_TRANSIT, PAID, FAILED = "in_transit", "paid", "failed"
MAX_LISTED_REFERENCES = 100
DESTINATION_KINDS = ("bank", "upi", "stripe", "paypal")

# Test bank account numbers (Stripe's, so the same numbers work against both): these fail when they settle.
NO_ACCOUNT_NUMBER = "000111111116"
CLOSED_ACCOUNT_NUMBER = "000111111113"
FAILURE_MESSAGES: dict[str, str] = {
    "no_account": "The bank account doesn't exist.",
    "account_closed": "The bank account has been closed.",
}
_FAILING_ACCOUNTS = {NO_ACCOUNT_NUMBER: "no_account", CLOSED_ACCOUNT_NUMBER: "account_closed"}

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SandboxPayoutDestination:
    """Where the sandbox sends the money; only the last 4 digits of an account number are ever stored."""

    kind: str
    account_number: str = ""
    upi_id: str = ""
    stripe_account_id: str = ""
    paypal_email: str = ""


@dataclass(frozen=True, slots=True)
class SandboxTransferView:
    """What the gateway's API answers about one transfer."""

    reference: str
    merchant_reference: str
    amount: int
    currency: str
    status: str
    failure_code: str | None
    failure_message: str
    settles_at: datetime


def failure_code_for(destination: SandboxPayoutDestination) -> str | None:
    """The scripted failure of a test bank account, None for every account that the sandbox pays."""
    if destination.kind != "bank":
        return None
    return _FAILING_ACCOUNTS.get(destination.account_number.replace(" ", ""))


def _check_new_transfer(
    *, merchant_reference: str, amount: int, currency: str, destination: SandboxPayoutDestination, key: str
) -> None:
    if not 0 < len(merchant_reference) <= MAX_MERCHANT_REFERENCE_LENGTH:
        raise InvalidInput("merchant_reference must be 1 to 64 characters.", field="merchant_reference")
    if isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidInput("amount must be a positive number of minor units.", field="amount")
    if currency not in CURRENCY_EXPONENTS:
        raise InvalidInput("currency is not supported.", field="currency")
    if destination.kind not in DESTINATION_KINDS:
        raise InvalidInput("destination.kind must be bank, upi, stripe or paypal.", field="destination.kind")
    has_target = {
        "bank": destination.account_number,
        "upi": destination.upi_id,
        "stripe": destination.stripe_account_id,
        "paypal": destination.paypal_email,
    }[destination.kind]
    if not has_target:
        raise InvalidInput("The destination names no account.", field="destination")
    if not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidInput("Idempotency-Key must be 1 to 80 characters.", field="idempotency_key")


def _view(transfer: SandboxPayoutTransfer) -> SandboxTransferView:
    return SandboxTransferView(
        reference=transfer.reference,
        merchant_reference=transfer.merchant_reference,
        amount=transfer.amount,
        currency=transfer.currency,
        status=transfer.status,
        failure_code=transfer.failure_code if transfer.status == FAILED else None,
        failure_message=FAILURE_MESSAGES.get(transfer.failure_code or "", "") if transfer.status == FAILED else "",
        settles_at=as_utc(transfer.settles_at),
    )


async def create_transfer(
    *,
    api_key: str,
    merchant_reference: str,
    amount: int,
    currency: str,
    destination: SandboxPayoutDestination,
    idempotency_key: str,
) -> SandboxTransferView:
    """Take a transfer, in transit until it settles; the same key answers it again, with other fields it is a 409."""
    authenticate(api_key)
    _check_new_transfer(
        merchant_reference=merchant_reference,
        amount=amount,
        currency=currency,
        destination=destination,
        key=idempotency_key,
    )
    now = utc_now()
    digits = destination.account_number.replace(" ", "")
    transfer = SandboxPayoutTransfer(
        reference=f"po_{secrets.token_hex(12)}",
        idempotency_key=idempotency_key,
        merchant_reference=merchant_reference,
        amount=amount,
        currency=currency,
        destination_last4=digits[-4:] if destination.kind == "bank" else "",
        status=IN_TRANSIT,
        failure_code=failure_code_for(destination),
        settles_at=now + timedelta(seconds=settings.sandbox_payout_settle_seconds),
    )
    try:
        async with db.transaction() as session:
            existing = await repository.find_transfer_by_idempotency_key(session, idempotency_key)
            if existing is None:
                await repository.add_transfer(session, transfer)
                assert transfer.id is not None
                queue.enqueue_after_commit(session, SETTLE_JOB, transfer.id)
    except IntegrityError:
        # A concurrent request with the same key inserted first: answer what it created.
        async with db.transaction() as session:
            existing = await repository.find_transfer_by_idempotency_key(session, idempotency_key)
        if existing is None:
            raise
    if existing is not None:
        if (existing.merchant_reference, existing.amount, existing.currency) != (merchant_reference, amount, currency):
            raise SandboxIdempotencyConflict()
        return _view(existing)
    logger.info("sandbox_payout_taken", reference=transfer.reference, settles_at=transfer.settles_at.isoformat())
    return _view(transfer)


async def list_transfers(*, api_key: str, merchant_references: Sequence[str]) -> list[SandboxTransferView]:
    """The transfers made for these merchant references (at most 100 per call), oldest first."""
    authenticate(api_key)
    if not 0 < len(merchant_references) <= MAX_LISTED_REFERENCES:
        raise InvalidInput("Name 1 to 100 merchant references.", field="merchant_reference")
    async with db.transaction() as session:
        transfers = await repository.transfers_of(session, merchant_references=list(merchant_references))
    return [_view(transfer) for transfer in transfers]


def payout_event(transfer: SandboxPayoutTransfer, *, created: int) -> dict[str, Any]:
    """`payout.paid` or `payout.failed` with the transfer's facts; its id is the transfer's, so it is sent once."""
    is_paid = transfer.status == PAID
    return {
        "id": f"evt_{transfer.reference}",
        "type": PAYOUT_PAID if is_paid else PAYOUT_FAILED,
        "created": created,
        "data": {
            "payout": {
                "reference": transfer.reference,
                "merchant_reference": transfer.merchant_reference,
                "amount": transfer.amount,
                "currency": transfer.currency,
                "status": transfer.status,
                "failure_code": None if is_paid else transfer.failure_code,
                "failure_message": "" if is_paid else FAILURE_MESSAGES.get(transfer.failure_code or "", ""),
                "destination_last4": transfer.destination_last4,
            }
        },
    }


async def settle_transfer(*, transfer_id: int) -> float | None:
    """Settle one due transfer once and queue its webhook; seconds still to wait if it is not due yet, else None."""
    now = utc_now()
    async with db.transaction() as session:
        transfer = await repository.get_transfer(session, transfer_id)
        if transfer is None or transfer.status != IN_TRANSIT:
            return None
        remaining = (as_utc(transfer.settles_at) - now).total_seconds()
        if remaining > 0:
            return remaining
        outcome = FAILED if transfer.failure_code else PAID
        if not await repository.settle_transfer(session, transfer_id, status=outcome, now=now):
            return None  # another worker settled it first
        await session.refresh(transfer)  # the UPDATE above bypassed the ORM: read what is stored now
        await _queue_payout_webhook(session, transfer, now_seconds=int(now.timestamp()))
    logger.info("sandbox_payout_settled", reference=transfer.reference, status=outcome)
    return None


async def _queue_payout_webhook(session: AsyncSession, transfer: SandboxPayoutTransfer, *, now_seconds: int) -> None:
    payload = payout_event(transfer, created=now_seconds)
    webhook = await repository.add_webhook(
        session,
        SandboxWebhook(
            event_id=payload["id"], event_type=payload["type"], payload=json.dumps(payload, separators=(",", ":"))
        ),
    )
    assert webhook.id is not None
    queue.enqueue_after_commit(session, DELIVER_JOB, webhook.id)


async def find_due_transfer_ids(*, limit: int = 500) -> list[int]:
    """Transfers in transit that were due a while ago: their settle job was lost."""
    async with db.transaction() as session:
        return list(await repository.due_transfer_ids(session, due_before=utc_now() - SWEEP_GRACE, limit=limit))
