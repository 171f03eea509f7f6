"""Payout outcome events from the sandbox gateway, Stripe and RazorpayX: mark our payout paid or failed.

Importing this module registers the handlers (the web app's webhook route and the worker both import it).
Each handler reads only the fields it needs, defensively, and hands the outcome to
`payouts.apply_payout_outcome` in the transaction that stamps the event handled; that function is
idempotent and order-independent (a replayed or late event changes nothing), so the handlers are too.
A verified event without the fields of its contract raises PayoutEventGarbled: the event stays unhandled
(and is retried by the sweeper) so that someone looks at it, instead of being silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models.enums import PaymentProviderName
from creatorly.observability import get_logger
from creatorly.providers.payouts.base import PayoutOutcome
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.external_events.service import register_handler
from creatorly.services.payouts import service as payouts

SANDBOX = PaymentProviderName.SANDBOX
STRIPE = PaymentProviderName.STRIPE
RAZORPAY = PaymentProviderName.RAZORPAY
PAYPAL = PaymentProviderName.PAYPAL

SANDBOX_OUTCOMES: dict[str, PayoutOutcome] = {"payout.paid": "paid", "payout.failed": "failed"}
STRIPE_OUTCOMES: dict[str, PayoutOutcome] = {
    "payout.paid": "paid",
    "payout.failed": "failed",
    "payout.canceled": "failed",
}
RAZORPAY_OUTCOMES: dict[str, PayoutOutcome] = {
    "payout.processed": "paid",
    "payout.reversed": "failed",
    "payout.failed": "failed",
    "payout.rejected": "failed",
}
PAYPAL_OUTCOMES: dict[str, PayoutOutcome] = {
    "PAYMENT.PAYOUTS-ITEM.SUCCEEDED": "paid",
    "PAYMENT.PAYOUTS-ITEM.FAILED": "failed",
    "PAYMENT.PAYOUTS-ITEM.RETURNED": "failed",
    "PAYMENT.PAYOUTS-ITEM.BLOCKED": "failed",
    "PAYMENT.PAYOUTS-ITEM.DENIED": "failed",
    "PAYMENT.PAYOUTS-ITEM.CANCELED": "failed",
    "PAYMENT.PAYOUTS-ITEM.REFUNDED": "failed",
}
STRIPE_CANCELED_REASON = "The payout was canceled."
MAX_REFERENCE_LENGTH = 255

logger = get_logger(__name__)


class PayoutEventGarbled(ValueError):
    """A verified payout event without the fields of the contract: left unhandled so someone looks at it."""


@dataclass(frozen=True, slots=True)
class PayoutNotice:
    """What a payout event says: which payout (by the provider's id and/or ours), how it ended, and why."""

    provider_reference: str | None
    merchant_reference: str | None
    outcome: PayoutOutcome
    reason: str


def _object(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _reference(value: Any) -> str | None:
    """A usable id: a non-empty string of sensible length, else None."""
    return value if isinstance(value, str) and 0 < len(value) <= MAX_REFERENCE_LENGTH else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# --- sandbox: {"data": {"payout": {"reference", "merchant_reference", "failure_code", "failure_message"}}} ----


def sandbox_notice(event: InboundEvent) -> PayoutNotice:
    data = _object(event.payload.get("data")) or {}
    payout = _object(data.get("payout"))
    if payout is None:
        raise PayoutEventGarbled(f"event {event.event_id} has no data.payout")
    reference, merchant_reference = _reference(payout.get("reference")), _reference(payout.get("merchant_reference"))
    if reference is None or merchant_reference is None:
        raise PayoutEventGarbled(f"event {event.event_id} has no usable reference or merchant_reference")
    outcome = SANDBOX_OUTCOMES[event.event_type]
    reason = (_text(payout.get("failure_message")) or _text(payout.get("failure_code"))) if outcome == "failed" else ""
    return PayoutNotice(reference, merchant_reference, outcome, reason)


# --- Stripe: {"data": {"object": <payout>}}, our payout's public id in metadata.merchant_reference -------------


def stripe_notice(event: InboundEvent) -> PayoutNotice | None:
    """The payout event as a notice; None for a payout Creatorly did not make (the platform's own, say)."""
    data = _object(event.payload.get("data")) or {}
    payout = _object(data.get("object"))
    if payout is None or payout.get("object") != "payout":
        raise PayoutEventGarbled(f"event {event.event_id} has no data.object payout")
    reference = _reference(payout.get("id"))
    if reference is None:
        raise PayoutEventGarbled(f"event {event.event_id} has no usable payout id")
    metadata = _object(payout.get("metadata")) or {}
    merchant_reference = _reference(metadata.get("merchant_reference"))
    if merchant_reference is None:
        return None
    outcome = STRIPE_OUTCOMES[event.event_type]
    reason = ""
    if event.event_type == "payout.canceled":
        reason = STRIPE_CANCELED_REASON
    elif outcome == "failed":
        reason = _text(payout.get("failure_message")) or _text(payout.get("failure_code"))
    return PayoutNotice(reference, merchant_reference, outcome, reason)


# --- Razorpay: {"payload": {"payout": {"entity": <payout>}}}, our id in reference_id (or notes) -------------------


def razorpay_notice(event: InboundEvent) -> PayoutNotice:
    payload = _object(event.payload.get("payload")) or {}
    part = _object(payload.get("payout")) or {}
    payout = _object(part.get("entity"))
    if payout is None:
        raise PayoutEventGarbled(f"event {event.event_id} has no payload.payout.entity")
    reference = _reference(payout.get("id"))
    if reference is None:
        raise PayoutEventGarbled(f"event {event.event_id} has no usable payout id")
    # Razorpay sends empty notes as [] rather than {}.
    notes = _object(payout.get("notes")) or {}
    merchant_reference = _reference(payout.get("reference_id")) or _reference(notes.get("merchant_reference"))
    outcome = RAZORPAY_OUTCOMES[event.event_type]
    return PayoutNotice(reference, merchant_reference, outcome, _razorpay_reason(payout) if outcome == "failed" else "")


def _razorpay_reason(payout: dict[str, Any]) -> str:
    """status_details.description (what Razorpay shows), else its reason code, else the legacy failure_reason."""
    details = _object(payout.get("status_details")) or {}
    return _text(details.get("description")) or _text(details.get("reason")) or _text(payout.get("failure_reason"))


def paypal_notice(event: InboundEvent) -> PayoutNotice:
    """A PayPal payout item: the batch is PayPal's id for our payout, sender_item_id our public id."""
    item = _object(event.payload.get("resource"))
    payout_item = _object(item.get("payout_item")) if item is not None else None
    if item is None or payout_item is None:
        raise PayoutEventGarbled(f"event {event.event_id} has no resource.payout_item")
    provider_reference = _reference(item.get("payout_batch_id"))
    merchant_reference = _reference(payout_item.get("sender_item_id"))
    if provider_reference is None and merchant_reference is None:
        raise PayoutEventGarbled(f"event {event.event_id} names no payout")
    errors = _object(item.get("errors"))
    reason = _text(errors.get("message")) if errors is not None else ""
    outcome = PAYPAL_OUTCOMES[event.event_type]
    return PayoutNotice(
        provider_reference=provider_reference,
        merchant_reference=merchant_reference,
        outcome=outcome,
        reason=reason or ("" if outcome == "paid" else f"PayPal: {_text(item.get('transaction_status'))}"),
    )


# --- applying ------------------------------------------------------------------------------------------------------


async def _apply(session: AsyncSession, event: InboundEvent, notice: PayoutNotice) -> None:
    is_changed = await payouts.apply_payout_outcome(
        session,
        provider=event.provider,
        provider_reference=notice.provider_reference,
        merchant_reference=notice.merchant_reference,
        outcome=notice.outcome,
        reason=notice.reason,
        cause=f"{event.event_type} {event.event_id}",
    )
    logger.info(
        "payout_event_applied" if is_changed else "payout_event_changed_nothing",
        provider=event.provider,
        event_id=event.event_id,
        event_type=event.event_type,
        payout=notice.merchant_reference,
    )


async def handle_sandbox_payout(session: AsyncSession, event: InboundEvent) -> None:
    """The sandbox gateway settled a transfer: paid, or failed with the test account's reason."""
    await _apply(session, event, sandbox_notice(event))


async def handle_stripe_payout(session: AsyncSession, event: InboundEvent) -> None:
    """A payout on a creator's connected account was paid, failed or canceled (the last two return the funds)."""
    notice = stripe_notice(event)
    if notice is None:
        logger.info("stripe_payout_not_ours", event_id=event.event_id, event_type=event.event_type)
        return
    await _apply(session, event, notice)


async def handle_razorpay_payout(session: AsyncSession, event: InboundEvent) -> None:
    """A RazorpayX payout was processed (paid), or reversed, failed or rejected (funds return)."""
    await _apply(session, event, razorpay_notice(event))


async def handle_paypal_payout(session: AsyncSession, event: InboundEvent) -> None:
    """A PayPal payout item succeeded (paid), or failed, was returned, blocked, denied or canceled (funds return)."""
    await _apply(session, event, paypal_notice(event))


for _event_type in PAYPAL_OUTCOMES:
    register_handler(PAYPAL, _event_type, handle_paypal_payout)
for _event_type in SANDBOX_OUTCOMES:
    register_handler(SANDBOX, _event_type, handle_sandbox_payout)
for _event_type in STRIPE_OUTCOMES:
    register_handler(STRIPE, _event_type, handle_stripe_payout)
for _event_type in RAZORPAY_OUTCOMES:
    register_handler(RAZORPAY, _event_type, handle_razorpay_payout)
