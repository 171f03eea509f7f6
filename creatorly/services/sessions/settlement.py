"""Settling paid sessions: the outcome from the booking's facts, the escrow split by the rules the creator
saw, one balanced ledger posting, the fan's refund asked of the provider, and both sides told.

`settle_booking` is idempotent (the booking row is locked and the ledger posts once per order); the batch
`settle_due_sessions` settles whatever is due and is also the sweeper for a lost per-booking job. An admin
closes a dispute with `decide_dispute`, which settles at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.errors import InvalidInput
from creatorly.kit.clock import as_utc, utc_now
from creatorly.kit.money import format_money
from creatorly.models import Order, SessionBooking, SessionType
from creatorly.models.enums import BookingStatus
from creatorly.observability import get_logger
from creatorly.services.analytics import tracking
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor
from creatorly.services.creators import service as creators
from creatorly.services.ledger import escrow
from creatorly.services.refunds import service as refunds
from creatorly.services.sessions import notices, repository
from creatorly.services.sessions.booking import BookingNotFound
from creatorly.services.sessions.settlement_rules import (
    AdminDecision,
    CancellationPolicy,
    CreatorMark,
    DisputeSplit,
    Outcome,
    Party,
    SessionFacts,
    Settlement,
    SettlementInput,
    outcome_of,
    settle,
)

SEND_REFUND_JOB = "send_session_refund"
MAX_DECISION_REASON = 500

logger = get_logger(__name__)


def policy_of(session_type: SessionType) -> CancellationPolicy:
    return CancellationPolicy(
        free_until_hours=session_type.free_cancel_hours, late_fee_percent=session_type.late_fee_percent
    )


def _decision(booking: SessionBooking) -> AdminDecision | None:
    if booking.status == BookingStatus.CONFLICTED:
        # Paid for a slot another fan's payment took first: refunded in full, nobody at fault.
        return AdminDecision(outcome=Outcome.CREATOR_CANCELLED)
    if booking.creator_report == "creator_no_show":  # the creator says they missed it themselves
        return AdminDecision(outcome=Outcome.CREATOR_NO_SHOW)
    if booking.admin_creator_percent is not None:
        return AdminDecision(
            outcome=Outcome.DISPUTE_SPLIT, split=DisputeSplit(creator_percent=booking.admin_creator_percent)
        )
    return None


def facts_of(booking: SessionBooking, *, now: datetime) -> SessionFacts:
    mark = {"completed": CreatorMark.COMPLETED, "fan_no_show": CreatorMark.FAN_NO_SHOW}.get(
        booking.creator_report or ""
    )
    cancelled = booking.status == BookingStatus.CANCELLED and booking.cancelled_at is not None
    return SessionFacts(
        starts_at=as_utc(booking.starts_at),
        ends_at=as_utc(booking.ends_at),
        now=now,
        cancelled_by=Party(booking.cancelled_by) if cancelled and booking.cancelled_by else None,
        cancelled_at=as_utc(booking.cancelled_at) if cancelled and booking.cancelled_at else None,
        creator_marked=mark,
        fan_confirmed=booking.fan_confirmed_at is not None,
        fan_satisfaction=booking.satisfaction,
        dispute_open=booking.status == BookingStatus.DISPUTED and booking.admin_creator_percent is None,
        admin_decision=_decision(booking),
    )


async def settle_booking(*, booking_id: int) -> str:
    """Settle one booking if it is due: its outcome, or "not_due" / "settled" (before) / "unpaid"."""
    now = utc_now()
    async with db.transaction() as session:
        booking = await session.get(SessionBooking, booking_id, with_for_update=True)
        if booking is None or booking.status in (BookingStatus.REQUESTED, BookingStatus.EXPIRED):
            return "unpaid"
        if booking.settled_at is not None:
            return "settled"
        session_type = await repository.type_by_id(session, booking.session_type_id)
        order = await session.get(Order, booking.order_id)
        assert session_type is not None and order is not None and order.id is not None
        policy = policy_of(session_type)
        facts = facts_of(booking, now=now)
        outcome = outcome_of(facts, policy)
        if outcome is None:
            return "not_due"
        split = facts.admin_decision.split if facts.admin_decision is not None else None
        await _post(session, booking, order, policy, outcome, split, now=now)
        logger.info("session_settled", booking=booking.public_id, outcome=str(outcome))
        return str(outcome)


async def _post(
    session: AsyncSession,
    booking: SessionBooking,
    order: Order,
    policy: CancellationPolicy,
    outcome: Outcome,
    split: DisputeSplit | None,
    *,
    now: datetime,
) -> Settlement:
    assert order.id is not None and booking.id is not None
    terms = await creators.sale_terms(session, order.creator_id)
    held = await escrow.escrowed_of_order(session, order_id=order.id)
    # The split is of the price the fan paid, so "a full refund" gives back all of it; the provider's fee
    # (what the escrow holds less than the price) is the creator's cost, as on a refunded sale.
    priced = settle(
        SettlementInput(
            escrowed=order.amount,
            currency=order.currency,
            price=order.amount,
            platform_fee_percent=terms.platform_fee_percent,
            policy=policy,
            outcome=outcome,
            split=split,
        )
    )
    settlement = replace(priced, to_creator=priced.to_creator - (order.amount - held))
    await escrow.post_session_settlement(
        session,
        order_id=order.id,
        creator_id=order.creator_id,
        settlement=settlement,
        currency=order.currency,
        settled_at=now,
        hold_days=terms.hold_days,
    )
    booking.status, booking.outcome, booking.settled_at, booking.updated_at = (
        BookingStatus.SETTLED,
        str(outcome),
        now,
        now,
    )
    booking.penalty = settlement.penalty
    session.add(booking)
    await tracking.record_session_settled(session, order, net_amount=settlement.to_creator, at=now)
    if settlement.to_fan_refund > 0:
        refund = await refunds.add_settlement_refund(
            session, order, amount=settlement.to_fan_refund, reason=f"Session settled: {outcome}"
        )
        assert refund.id is not None
        queue.enqueue_after_commit(session, SEND_REFUND_JOB, refund.id)
    await notices.send_settled(
        session, booking, fan_text=_fan_text(settlement, order), creator_text=_creator_text(settlement, order)
    )
    return settlement


def _fan_text(settlement: Settlement, order: Order) -> str:
    refund = format_money(settlement.to_fan_refund, order.currency)
    if settlement.to_fan_refund == 0:
        return f"Your session is settled: the {format_money(order.amount, order.currency)} went to the creator."
    return f"Your session is settled: {refund} is refunded to you. {settlement.reason}"


def _creator_text(settlement: Settlement, order: Order) -> str:
    earned = format_money(settlement.to_creator, order.currency)
    text = f"A session was settled ({settlement.outcome}): {earned} added to your pending balance. {settlement.reason}"
    if settlement.penalty:
        text += f" A penalty of {format_money(settlement.penalty, order.currency)} is recorded against your account."
    return text


async def settle_due_sessions(*, limit: int = 500) -> dict[str, int]:
    """The batch: every unsettled paid booking that may be due is settled (or left for later); counts by result."""
    async with db.transaction() as session:
        ids = await repository.unsettled_ids(session, now=utc_now(), limit=limit)
    counts: dict[str, int] = {}
    for booking_id in ids:
        result = await settle_booking(booking_id=booking_id)
        counts[result] = counts.get(result, 0) + 1
    return counts


async def decide_dispute(*, actor: Actor, booking_public_id: str, creator_percent: int, reason: str) -> str:
    """An admin's split of a disputed session (the creator's percent of the escrow), audited, settled at once."""
    text = " ".join(reason.split())
    if not text:
        raise InvalidInput("Give the reason for the decision.", field="reason")
    if len(text) > MAX_DECISION_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_DECISION_REASON} characters.", field="reason")
    if not 0 <= creator_percent <= 100:
        raise InvalidInput("The creator's part is a percent from 0 to 100.", field="creator_percent")
    async with db.transaction() as session:
        booking = await repository.booking_by_public_id(session, booking_public_id.strip(), for_update=True)
        if booking is None or booking.status != BookingStatus.DISPUTED:
            raise BookingNotFound("No open dispute has that booking id.")
        booking.admin_creator_percent, booking.admin_decision_reason = creator_percent, text
        session.add(booking)
        await audit.record(
            session,
            actor=actor,
            action="session.dispute_decided",
            target_type="session_booking",
            target_id=booking.public_id,
            creator_id=booking.creator_id,
            before={"admin_creator_percent": None},
            after={"admin_creator_percent": creator_percent},
            reason=text,
        )
        assert booking.id is not None
        booking_id = booking.id
    return await settle_booking(booking_id=booking_id)
