"""Receive provider webhooks: verify the raw body, store it once, dispatch by type, stamp it handled."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import CreatorlyError, NotFound
from creatorly.kit.clock import utc_now
from creatorly.observability import count_webhook, get_logger
from creatorly.providers.payments import razorpay as razorpay_payments
from creatorly.providers.payments import sandbox_signing
from creatorly.providers.payments import stripe as stripe_payments
from creatorly.providers.registry import get_paypal_provider
from creatorly.services.external_events import repository
from creatorly.services.external_events.schemas import (
    ClaimedEvent,
    EventHandler,
    HandleOutcome,
    InboundEvent,
    ReceiveResult,
    StuckEvent,
    WebhookVerifier,
)

SANDBOX = "sandbox"
RAZORPAY = "razorpay"
STRIPE = "stripe"
PAYPAL = "paypal"
CLAIM_LEASE = timedelta(minutes=2)  # keeps the sweeper off an attempt that may still be running
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out
MAX_ERROR_LENGTH = 500
MAX_EVENT_ID_LENGTH = 255
MAX_EVENT_TYPE_LENGTH = 100
_SANDBOX_SECRET_LABEL = b"creatorly:payments:sandbox:webhook-secret"

logger = get_logger(__name__)


class WebhookRejected(CreatorlyError):
    """The body failed verification or is not an event: nothing was stored, and a retry will not help."""

    code = "webhook_rejected"
    status = 400
    default_message = "Webhook rejected."


class WebhookBusy(CreatorlyError):
    """Another attempt at this event is still running: answer 503 so the provider delivers it again."""

    code = "webhook_busy"
    status = 503
    default_message = "The event is being handled; deliver it again shortly."


class WebhookHandlingFailed(CreatorlyError):
    """The event is stored but its handler failed: answer 5xx so the provider delivers it again."""

    code = "webhook_handling_failed"
    status = 500
    default_message = "The event could not be handled; it will be retried."


_handlers: dict[tuple[str, str], EventHandler] = {}


def register_handler(provider: str, event_type: str, handler: EventHandler) -> None:
    """Route events of this provider and type to `handler` (replacing any earlier one); it must be idempotent."""
    _handlers[(provider, event_type)] = handler


def sandbox_webhook_secret() -> str:
    """The sandbox provider's signing secret, derived from the app secret so it needs no setting of its own."""
    return hmac.new(settings.resolved_secret_key.encode(), _SANDBOX_SECRET_LABEL, hashlib.sha256).hexdigest()


def _verify_sandbox(raw_body: bytes, headers: Mapping[str, str]) -> None:
    sandbox_signing.verify(
        raw_body,
        headers.get(sandbox_signing.SIGNATURE_HEADER.lower(), ""),
        secret=sandbox_webhook_secret(),
        now=int(utc_now().timestamp()),
        tolerance_seconds=settings.webhook_tolerance_seconds,
    )


def _verify_razorpay(raw_body: bytes, headers: Mapping[str, str]) -> None:
    razorpay_payments.verify_razorpay_webhook(
        raw_body,
        headers.get(razorpay_payments.SIGNATURE_HEADER.lower(), ""),
        secret=settings.razorpay_webhook_secret.get_secret_value(),
    )


def _verify_stripe(raw_body: bytes, headers: Mapping[str, str]) -> None:
    stripe_payments.verify_stripe_webhook(
        raw_body,
        headers.get(stripe_payments.SIGNATURE_HEADER.lower(), ""),
        secret=settings.stripe_webhook_secret.get_secret_value(),
        tolerance_seconds=settings.webhook_tolerance_seconds,
        now=int(utc_now().timestamp()),
    )


async def _verify_paypal(raw_body: bytes, headers: Mapping[str, str]) -> None:
    provider = get_paypal_provider()
    if provider is None:
        raise ValueError("paypal is not configured")
    await provider.verify_webhook(raw_body, headers)


_verifiers: dict[str, WebhookVerifier] = {
    SANDBOX: _verify_sandbox,
    RAZORPAY: _verify_razorpay,
    STRIPE: _verify_stripe,
    PAYPAL: _verify_paypal,
}
# Providers switched on by settings: while off, their webhook URL does not exist.
_enabled: dict[str, Callable[[], bool]] = {
    RAZORPAY: lambda: settings.is_razorpay_enabled,
    STRIPE: lambda: settings.is_stripe_enabled,
    PAYPAL: lambda: settings.is_paypal_enabled,
}


async def receive(*, provider: str, raw_body: bytes, headers: Mapping[str, str]) -> ReceiveResult:
    """Verify, store once and handle one delivery; a duplicate of a handled event changes nothing."""
    verifier = _verifiers.get(provider)
    if verifier is None or not _enabled.get(provider, lambda: True)():
        raise NotFound()
    lowered_headers = {name.lower(): value for name, value in headers.items()}
    try:
        verified = verifier(raw_body, lowered_headers)
        if inspect.isawaitable(verified):  # PayPal's verification is a call to PayPal
            await verified
    except ValueError as error:
        raise _rejected(provider, str(error)) from None
    event, payload_text = _parse_event(provider, raw_body, lowered_headers)
    outcome = await _store_and_apply_new(event, payload_text)
    is_new = outcome is not None
    if outcome is None:  # stored before: a redelivery, or a retry of an attempt that failed or was cut off
        external_event_id, is_new = await _store(event, payload_text)
        outcome = await handle_stored(external_event_id=external_event_id, is_delivery=True)
    return ReceiveResult(
        provider=provider,
        event_id=event.event_id,
        event_type=event.event_type,
        is_duplicate=not is_new,
        outcome=outcome,
    )


async def _store_and_apply_new(event: InboundEvent, payload_text: str) -> HandleOutcome | None:
    """The common case, a new event, in one transaction: store it stamped handled and apply it; None when it is
    stored already (the claim path takes over). If applying fails, nothing of it is committed, so the event is
    then stored unhandled with its error, for the provider's retry and the sweeper."""
    handler = _handlers.get((event.provider, event.event_type))
    stored = {
        "provider": event.provider,
        "event_id": event.event_id,
        "event_type": event.event_type,
        "payload": payload_text,
    }

    async def store_and_apply(session: AsyncSession) -> HandleOutcome | None:
        await repository.limit_lock_waits(session, seconds=settings.webhook_lock_wait_seconds)
        stored_id = await repository.insert_new_as_handled(await session.connection(), **stored, now=utc_now())
        if stored_id is None:
            return None
        assert handler is not None
        await handler(session, event)
        return HandleOutcome.HANDLED

    async def store_unhandled_type() -> HandleOutcome | None:
        async with db.single_statements() as connection:
            stored_id = await repository.insert_new_as_handled(connection, **stored, now=utc_now())
        return None if stored_id is None else HandleOutcome.IGNORED

    first = ClaimedEvent(id=0, provider=event.provider, event_id=event.event_id, event_type=event.event_type, attempt=1)
    try:
        # A type nobody handles is stored (already handled) by one statement; otherwise store and apply together
        outcome = await (store_unhandled_type() if handler is None else db.in_transaction_retrying(store_and_apply))
    except Exception as error:
        description = _describe(error)
        async with db.transaction() as session:
            await repository.insert_if_new(session, **stored, received_at=utc_now(), attempts=1, last_error=description)
        logger.warning("webhook_attempt", **_log_fields(first), outcome="failed", error=description)
        refusal = _busy_or(error)
        count_webhook(event.provider, event.event_type, "busy" if isinstance(refusal, WebhookBusy) else "failed")
        raise refusal from error
    if outcome is not None:
        logger.info("webhook_attempt", **_log_fields(first), outcome=outcome.value)
        count_webhook(event.provider, event.event_type, outcome.value)
    return outcome


def _describe(error: Exception) -> str:
    """Only the class and message, cut short: never the payload, which may hold personal or card data."""
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]


def _identity(provider: str, payload: dict[str, Any], headers: Mapping[str, str]) -> tuple[Any, Any]:
    """The event's id and type; Razorpay puts no id in the body, only in its x-razorpay-event-id header."""
    if provider == RAZORPAY:
        return headers.get(razorpay_payments.EVENT_ID_HEADER.lower()), payload.get("event")
    if provider == PAYPAL:
        return payload.get("id"), payload.get("event_type")
    return payload.get("id"), payload.get("type")


def _parse_event(provider: str, raw_body: bytes, headers: Mapping[str, str]) -> tuple[InboundEvent, str]:
    try:
        text = raw_body.decode("utf-8")
        payload: Any = json.loads(text)
    except (ValueError, RecursionError):
        raise _rejected(provider, "body is not UTF-8 JSON") from None
    if not isinstance(payload, dict):
        raise _rejected(provider, "body is not a JSON object")
    event_id, event_type = _identity(provider, payload, headers)
    if not (isinstance(event_id, str) and 0 < len(event_id) <= MAX_EVENT_ID_LENGTH):
        raise _rejected(provider, "event has no usable string id")
    if not (isinstance(event_type, str) and 0 < len(event_type) <= MAX_EVENT_TYPE_LENGTH):
        raise _rejected(provider, "event has no usable string type")
    return InboundEvent(provider=provider, event_id=event_id, event_type=event_type, payload=payload), text


def _rejected(provider: str, reason: str) -> WebhookRejected:
    logger.warning("webhook_rejected", provider=provider, reason=reason)
    count_webhook(provider, "unverified", "rejected")
    return WebhookRejected()


async def _store(event: InboundEvent, payload_text: str) -> tuple[int, bool]:
    async with db.transaction() as session:
        is_new = await repository.insert_if_new(
            session,
            provider=event.provider,
            event_id=event.event_id,
            event_type=event.event_type,
            payload=payload_text,
            received_at=utc_now(),
        )
        external_event_id = await repository.find_id(session, provider=event.provider, event_id=event.event_id)
    assert external_event_id is not None
    return external_event_id, is_new


async def handle_stored(*, external_event_id: int, is_delivery: bool = False) -> HandleOutcome:
    """Claim a stored event and apply it once; raise WebhookHandlingFailed (after recording why) if it fails.

    A provider's delivery (`is_delivery`) never returns before the event is applied: it steals the claim of
    an attempt that stopped (a crashed or stopped process), waits for one still running, and raises
    WebhookBusy (503, the provider retries) if that takes longer than `CREATORLY_WEBHOOK_LOCK_WAIT_SECONDS`.
    The sweeper does not wait: it leaves an event to the attempt whose lease runs.
    """
    now = utc_now()
    try:
        async with db.transaction() as session:
            await repository.limit_lock_waits(session, seconds=settings.webhook_lock_wait_seconds)
            claimed = await repository.claim(
                session, external_event_id, now=now, lease_until=now + CLAIM_LEASE, steal=is_delivery
            )
    except DBAPIError as error:
        raise _busy_or(error) from error
    if claimed is None:
        return HandleOutcome.SKIPPED  # handled already (a delivery only gets here then) or, for the sweeper, held
    try:
        outcome = await db.in_transaction_retrying(lambda session: _apply(session, claimed))
    except Exception as error:
        await _record_failure(claimed, error)
        refusal = _busy_or(error)
        count_webhook(claimed.provider, claimed.event_type, "busy" if isinstance(refusal, WebhookBusy) else "failed")
        raise refusal from error
    logger.info("webhook_attempt", **_log_fields(claimed), outcome=outcome.value)
    count_webhook(claimed.provider, claimed.event_type, outcome.value)
    return outcome


def _busy_or(error: Exception) -> CreatorlyError:
    """503 when another attempt held the event past the wait (it may still succeed); otherwise a failure."""
    if isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return WebhookBusy()
    return WebhookHandlingFailed()


async def _apply(session: AsyncSession, claimed: ClaimedEvent) -> HandleOutcome:
    await repository.limit_lock_waits(session, seconds=settings.webhook_lock_wait_seconds)
    # Stamping first locks the row until commit: another attempt at this event waits here, then finds it
    # handled (or, if this one rolls back or its process dies, stamps and applies it itself).
    if not await repository.mark_handled(session, claimed.id, handled_at=utc_now()):
        return HandleOutcome.SKIPPED
    handler = _handlers.get((claimed.provider, claimed.event_type))
    if handler is None:
        return HandleOutcome.IGNORED
    stored = await repository.get(session, claimed.id)
    assert stored is not None
    event = InboundEvent(
        provider=claimed.provider,
        event_id=claimed.event_id,
        event_type=claimed.event_type,
        payload=json.loads(stored.payload),
    )
    await handler(session, event)
    return HandleOutcome.HANDLED


async def _record_failure(claimed: ClaimedEvent, error: Exception) -> None:
    description = _describe(error)
    async with db.transaction() as session:
        await repository.record_failure(session, claimed.id, error=description)
    logger.warning("webhook_attempt", **_log_fields(claimed), outcome="failed", error=description)
    if claimed.attempt == settings.webhook_max_attempts:
        logger.error("webhook_gave_up", **_log_fields(claimed), error=description)


def _log_fields(claimed: ClaimedEvent) -> dict[str, str | int]:
    """What identifies an attempt in the logs; never the payload."""
    return {
        "provider": claimed.provider,
        "event_id": claimed.event_id,
        "event_type": claimed.event_type,
        "attempt": claimed.attempt,
    }


async def handle_unhandled(*, older_than_seconds: int = 60, limit: int = 100) -> int:
    """Retry events stored a while ago but never handled (a crash, or a failed handler); return how many now are."""
    now = utc_now()
    async with db.transaction() as session:
        stale_ids = await repository.stale_unhandled_ids(
            session,
            received_before=now - timedelta(seconds=older_than_seconds),
            now=now,
            limit=limit,
            max_attempts=settings.webhook_max_attempts,
        )
    completed = 0
    for external_event_id in stale_ids:
        try:
            outcome = await handle_stored(external_event_id=external_event_id)
        except WebhookHandlingFailed:
            continue  # recorded and logged; the next sweep tries again
        if outcome is not HandleOutcome.SKIPPED:
            completed += 1
    return completed


async def stuck_events(*, limit: int = 500) -> list[StuckEvent]:
    """Events the sweeper gave up on after `CREATORLY_WEBHOOK_MAX_ATTEMPTS` failures, oldest first."""
    async with db.transaction() as session:
        rows = await repository.exhausted(session, max_attempts=settings.webhook_max_attempts, limit=limit)
        return [
            StuckEvent(
                id=row.id or 0,
                provider=row.provider,
                event_id=row.event_id,
                event_type=row.event_type,
                received_at=row.received_at,
                attempts=row.attempts,
                last_error=row.last_error or "",
            )
            for row in rows
        ]


async def reset_for_retry(session: AsyncSession, *, external_event_id: int) -> bool:
    """In the caller's transaction (an audited admin retry): fresh sweeper attempts for an unhandled event;
    False when it is unknown or already handled. Follow the commit with `handle_stored` for the attempt now."""
    return await repository.reset_attempts(session, external_event_id)


async def retry_stuck(*, external_event_id: int) -> HandleOutcome:
    """An operator's retry once the cause is fixed: fresh sweeper attempts, and one attempt right now."""
    async with db.transaction() as session:
        if not await repository.reset_attempts(session, external_event_id):
            raise NotFound("No unhandled event with that id.")
    return await handle_stored(external_event_id=external_event_id)
