"""Ledger helpers for paid sessions: hold the payment in escrow, settle it once, read the escrow balance.

Each posts one transaction per order exactly once, even when called concurrently (the unique (kind,
reference) insert decides), and takes the caller's `session` without committing: the sessions use case
that calls them owns the transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.config import settings
from creatorly.errors import CreatorlyError
from creatorly.models import LedgerTransaction
from creatorly.services.ledger import escrow_rules, repository, rules
from creatorly.services.ledger.escrow_rules import EscrowNotRecorded, SettlementMismatch, SettlementParts
from creatorly.services.ledger.rules import FeesExceedGross, LedgerInconsistent
from creatorly.services.ledger.service import _record_once

__all__ = [
    "EscrowNotRecorded",
    "FeesExceedGross",
    "SessionAlreadySettled",
    "SettlementMismatch",
    "escrow_balance",
    "escrowed_of_order",
    "post_session_escrow",
    "post_session_provider_fee",
    "post_session_settlement",
]


class SessionAlreadySettled(CreatorlyError):
    code = "session_already_settled"
    status = 409
    default_message = "This session was already settled differently."


async def post_session_escrow(
    session: AsyncSession,
    *,
    order_id: int,
    creator_id: int,
    provider: str,
    gross: int,
    provider_fee: int,
    currency: str,
    paid_at: datetime,
    platform_fee_percent: Decimal | None = None,
) -> int | None:
    """Hold a paid session's money in the creator's escrow, once per order; the transaction id (None: free).

    The platform fee is not charged here but at settlement, on what the creator keeps; the percent in force
    when the fan paid is written into the description so the settlement can be checked against it.
    """
    code = currency.upper()
    if paid_at.tzinfo is None:
        raise ValueError("paid_at must be timezone-aware")
    percent = settings.platform_fee_percent if platform_fee_percent is None else platform_fee_percent
    if not Decimal(0) <= percent <= rules.MAX_PLATFORM_FEE_PERCENT:
        raise ValueError(f"platform_fee_percent must be within 0..100, not {percent}")
    postings = escrow_rules.escrow_postings(
        provider=provider, creator_id=creator_id, gross=gross, provider_fee=provider_fee, currency=code
    )
    reference = rules.sale_reference(order_id)
    if not postings:
        return await repository.transaction_id_of(session, escrow_rules.SESSION_ESCROW, reference)
    transaction = LedgerTransaction(
        kind=escrow_rules.SESSION_ESCROW,
        reference=reference,
        currency=code,
        creator_id=creator_id,
        description=f"Session of order {order_id} held in escrow (platform fee {percent}% at settlement)"[:200],
    )
    return await _record_once(session, transaction, postings)


async def post_session_settlement(
    session: AsyncSession,
    *,
    order_id: int,
    creator_id: int,
    settlement: SettlementParts,
    currency: str,
    settled_at: datetime,
    hold_days: int | None = None,
) -> int:
    """Empty the order's escrow in one balanced transaction, once; the transaction id.

    Refused (EscrowNotRecorded) when no escrow was posted for the order; a settlement whose parts do not add
    up to the escrowed amount read from the ledger is a bug (SettlementMismatch). Settling again with the same
    parts writes nothing and answers the first id; with other parts it is refused (SessionAlreadySettled).
    """
    code = currency.upper()
    reference = rules.sale_reference(order_id)
    escrow = await _locked_escrow(session, reference, creator_id, code)
    postings = escrow_rules.settlement_postings(
        escrow=escrow,
        settlement=settlement,
        creator_id=creator_id,
        currency=code,
        settled_at=settled_at,
        hold=timedelta(days=settings.hold_period_days if hold_days is None else hold_days),
    )
    transaction = LedgerTransaction(
        kind=escrow_rules.SESSION_SETTLEMENT,
        reference=reference,
        currency=code,
        creator_id=creator_id,
        description=f"Settlement of the session of order {order_id}",
    )
    transaction_id = await _record_once(session, transaction, postings)
    entries = await repository.entries_of_transaction(session, transaction_id)
    wanted = (settlement.to_creator, settlement.platform_fee, settlement.to_fan_refund)
    if escrow_rules.settled_parts(entries, escrow=escrow, creator_id=creator_id) != wanted:
        raise SessionAlreadySettled()
    return transaction_id


async def post_session_provider_fee(session: AsyncSession, *, order_id: int, fee: int) -> int | None:
    """Record a provider fee reported after the payment (Stripe), once per order; None for a zero fee.

    Before settlement it lowers what is held, so the settlement splits what is left; after it, it comes out
    of the creator's earnings, from the settlement's hold first. The escrow row is locked first, so a fee and
    a settlement of one order are posted one after the other, never both against the same escrow.
    """
    reference = rules.sale_reference(order_id)
    held = await repository.lock_transaction(session, escrow_rules.SESSION_ESCROW, reference)
    if held is None or held.creator_id is None:
        raise EscrowNotRecorded()
    existing = await repository.transaction_id_of(session, escrow_rules.SESSION_PROVIDER_FEE, reference)
    if existing is not None or fee == 0:
        return existing
    escrow = await _escrow_of(session, held, reference)
    settlement = await repository.find_transaction(session, escrow_rules.SESSION_SETTLEMENT, reference)
    hold_end = None
    if settlement is not None and settlement.id is not None:
        settled = await repository.entries_of_transaction(session, settlement.id)
        hold_end = escrow_rules.settlement_hold_end(settled, creator_id=held.creator_id)
    postings = escrow_rules.late_provider_fee_postings(
        escrow=escrow,
        creator_id=held.creator_id,
        fee=fee,
        currency=held.currency,
        is_settled=settlement is not None,
        hold_end=hold_end,
    )
    transaction = LedgerTransaction(
        kind=escrow_rules.SESSION_PROVIDER_FEE,
        reference=reference,
        currency=held.currency,
        creator_id=held.creator_id,
        description=f"Provider fee of the session of order {order_id}",
    )
    return await _record_once(session, transaction, postings)


async def escrowed_of_order(session: AsyncSession, *, order_id: int) -> int:
    """What the order's escrow holds to settle (after any provider fee reported later): what a Settlement of
    the order must add up to. Refused (EscrowNotRecorded) when no escrow was posted for it."""
    reference = rules.sale_reference(order_id)
    held = await repository.find_transaction(session, escrow_rules.SESSION_ESCROW, reference)
    if held is None:
        raise EscrowNotRecorded()
    return (await _escrow_of(session, held, reference)).escrowed


async def escrow_balance(session: AsyncSession, creator_id: int, currency: str) -> int:
    """What is held in escrow for the creator's unsettled sessions (positive while held)."""
    return -await repository.sum_of_account(session, rules.creator_escrow_account(creator_id), currency.upper())


async def _locked_escrow(
    session: AsyncSession, reference: str, creator_id: int, currency: str
) -> escrow_rules.RecordedEscrow:
    """The order's escrow, its row locked until commit (see post_session_provider_fee), checked against the
    creator and currency the caller settles for."""
    held = await repository.lock_transaction(session, escrow_rules.SESSION_ESCROW, reference)
    if held is None:
        raise EscrowNotRecorded()
    if held.creator_id != creator_id or held.currency != currency:
        raise SettlementMismatch(f"the escrow of {reference} is for creator {held.creator_id} in {held.currency}")
    return await _escrow_of(session, held, reference)


async def _escrow_of(session: AsyncSession, held: LedgerTransaction, reference: str) -> escrow_rules.RecordedEscrow:
    """The escrow as posted, less a provider fee reported later."""
    if held.id is None or held.creator_id is None:
        raise LedgerInconsistent(f"the escrow of {reference} has no id or creator")
    entries = list(await repository.entries_of_transaction(session, held.id))
    fee_id = await repository.transaction_id_of(session, escrow_rules.SESSION_PROVIDER_FEE, reference)
    if fee_id is not None:
        entries += await repository.entries_of_transaction(session, fee_id)
    return escrow_rules.recorded_escrow(entries, creator_id=held.creator_id)
