"""A payout's life after it is opened: hand it to its provider, then apply what the provider says, once.

Submission never holds a transaction open across the provider call: read, commit, call, record.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import ProviderError
from creatorly.kit.clock import utc_now
from creatorly.models import Payout, PayoutAccount, PayoutEvent
from creatorly.models.enums import PayoutStatus
from creatorly.observability import get_logger
from creatorly.providers.payouts.base import CreatedPayout, PayoutOutcome, PayoutRequest
from creatorly.providers.registry import get_payout_provider
from creatorly.services.ledger import service as ledger
from creatorly.services.payouts import accounts, repository, rules

LOST_AFTER = timedelta(minutes=1)
MAX_LOST_PER_SWEEP = 100
UNREADABLE_ACCOUNT = "We couldn't read the payout account's details. Please add the account again."

logger = get_logger(__name__)


async def submit_payout(public_id: str) -> str:
    """Ask the payout's provider to send it (idempotency key "payout-{public_id}"); the payout's status after.

    Idempotent: a payout already handed over (it has a provider reference) or no longer pending is left
    alone. A retryable provider error leaves it pending for the sweeper; a final one fails it and returns
    the funds with the provider's reason.
    """
    async with db.transaction() as session:
        found = await repository.payout_with_account(session, public_id)
    if found is None:
        logger.warning("payout_submit_unknown", payout=public_id)
        return "missing"
    payout, account = found
    if payout.status != PayoutStatus.PENDING or payout.provider_reference is not None:
        return str(payout.status)
    try:
        request = _request_of(payout, account)
    except ValueError:
        return await _record(payout, "failed", reason=UNREADABLE_ACCOUNT, cause="payout account unreadable")
    try:
        created = await get_payout_provider(payout.provider).create_payout(request)
    except (ProviderError, LookupError) as error:
        return await _record_error(payout, error)
    return await _record_created(payout, created)


def _request_of(payout: Payout, account: PayoutAccount) -> PayoutRequest:
    return PayoutRequest(
        merchant_reference=payout.public_id,
        amount=payout.amount,
        currency=payout.currency,
        destination=accounts.destination_of(account),
        idempotency_key=f"payout-{payout.public_id}",
        description=f"Creatorly payout {payout.public_id}",
    )


async def _record_error(payout: Payout, error: ProviderError | LookupError) -> str:
    if isinstance(error, LookupError) or error.is_retryable:
        # The sweeper submits it again with the same idempotency key, so the provider pays it once.
        logger.warning("payout_submit_retry_later", payout=payout.public_id, error=str(error))
        return str(PayoutStatus.PENDING)
    return await _record(payout, "failed", reason=error.message, cause="payout provider refused")


async def _record_created(payout: Payout, created: CreatedPayout) -> str:
    return await _record(
        payout,
        created.status,
        reason=created.failure_reason,
        cause="sent to the payout provider",
        provider_reference=created.provider_reference,
    )


async def _record(
    payout: Payout, outcome: PayoutOutcome, *, reason: str, cause: str, provider_reference: str | None = None
) -> str:
    async with db.transaction() as session:
        await apply_payout_outcome(
            session,
            provider=payout.provider,
            provider_reference=provider_reference,
            merchant_reference=payout.public_id,
            outcome=outcome,
            reason=reason,
            cause=cause,
        )
        found = await repository.payout_with_account(session, payout.public_id)
    return str(found[0].status) if found is not None else "missing"


async def apply_payout_outcome(
    session: AsyncSession,
    *,
    provider: str,
    provider_reference: str | None,
    merchant_reference: str | None,
    outcome: PayoutOutcome,
    reason: str,
    cause: str,
) -> bool:
    """Move the payout to `outcome` in the caller's transaction, under its row lock; True when it changed.

    Idempotent and order-independent: a repeated event, or one arriving after a final state (paid or
    failed), changes nothing. Paid posts the money as disbursed by the provider; failed returns it to the
    creator's available earnings and keeps the provider's reason.
    """
    payout = await repository.lock_payout(
        session, merchant_reference=merchant_reference, provider=provider, provider_reference=provider_reference
    )
    if payout is None or payout.provider != provider:
        logger.warning("payout_outcome_unknown_payout", provider=provider, payout=merchant_reference)
        return False
    if not _matches_reference(payout, provider_reference):
        return False
    target = PayoutStatus(outcome)
    if payout.status == PayoutStatus.PAID and target == PayoutStatus.FAILED:
        return await _reverse(session, payout, reason=reason, cause=cause)
    if not rules.can_transition(payout.status, target):
        return False
    await _transition(session, payout, target, reason=reason, cause=cause)
    return True


# Providers whose paid payouts can come back to the platform's own account (a bank reversal). Stripe pays out
# from the creator's connected account: a late failure there returns the money to that account, not to us.
_REVERSIBLE_PROVIDERS = frozenset({"sandbox", "razorpay"})


async def _reverse(session: AsyncSession, payout: Payout, *, reason: str, cause: str) -> bool:
    """A paid payout failed afterwards (RazorpayX `payout.reversed`): the funds return to available, once."""
    assert payout.id is not None
    if payout.provider not in _REVERSIBLE_PROVIDERS:
        logger.warning("payout_failed_after_paid_left_with_provider", payout=payout.public_id, provider=payout.provider)
        event = PayoutEvent(
            payout_id=payout.id,
            from_status=str(payout.status),
            to_status=str(payout.status),
            cause=rules.clipped_reason(f"{cause}: returned to your {payout.provider} account: {reason}"),
        )
        await repository.add(session, event)
        return False
    now = utc_now()
    payout.status, payout.updated_at, payout.failed_at = PayoutStatus.FAILED, now, now
    payout.failure_reason = rules.clipped_reason(reason) or "The bank returned the payout."
    await ledger.post_payout_reversed(
        session,
        payout_public_id=payout.public_id,
        creator_id=payout.creator_id,
        provider=payout.provider,
        amount=payout.amount,
        currency=payout.currency,
    )
    await repository.add(session, payout)
    detail = rules.clipped_reason(f"{cause}: reversed after it was paid: {payout.failure_reason}")
    await repository.add(
        session, PayoutEvent(payout_id=payout.id, from_status="paid", to_status="failed", cause=detail)
    )
    logger.info("payout_reversed", payout=payout.public_id)
    return True


def _matches_reference(payout: Payout, provider_reference: str | None) -> bool:
    """Record the provider's id the first time it is seen; refuse an event about a different provider payout."""
    if provider_reference is None or payout.provider_reference == provider_reference:
        return True
    if payout.provider_reference is None:
        payout.provider_reference = provider_reference
        return True
    logger.warning(
        "payout_outcome_reference_mismatch",
        payout=payout.public_id,
        recorded=payout.provider_reference,
        received=provider_reference,
    )
    return False


async def _transition(session: AsyncSession, payout: Payout, target: PayoutStatus, *, reason: str, cause: str) -> None:
    assert payout.id is not None
    now, previous = utc_now(), str(payout.status)
    payout.status, payout.updated_at = target, now
    if target == PayoutStatus.IN_TRANSIT:
        payout.in_transit_at = now
    elif target == PayoutStatus.PAID:
        payout.paid_at = now
        await ledger.post_payout_paid(
            session,
            payout_public_id=payout.public_id,
            creator_id=payout.creator_id,
            provider=payout.provider,
            amount=payout.amount,
            currency=payout.currency,
        )
    else:
        payout.failed_at = now
        payout.failure_reason = rules.clipped_reason(reason) or "The payout provider did not give a reason."
        await ledger.post_payout_failed(
            session,
            payout_public_id=payout.public_id,
            creator_id=payout.creator_id,
            amount=payout.amount,
            currency=payout.currency,
        )
    await repository.add(session, payout)
    detail = f"{cause}: {payout.failure_reason}" if target == PayoutStatus.FAILED else cause
    event = PayoutEvent(payout_id=payout.id, from_status=previous, to_status=target, cause=rules.clipped_reason(detail))
    await repository.add(session, event)
    logger.info("payout_transition", payout=payout.public_id, from_status=previous, to_status=str(target))


async def find_lost_payouts() -> list[str]:
    """Public ids of pending payouts never handed to their provider for a while (lost job or retryable error)."""
    async with db.transaction() as session:
        return list(
            await repository.lost_payout_ids(session, created_before=utc_now() - LOST_AFTER, limit=MAX_LOST_PER_SWEEP)
        )
