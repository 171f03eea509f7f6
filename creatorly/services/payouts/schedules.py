"""Payout schedules: the creator's choice, the admin's review hold, and the scheduled run that pays out when due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.models import PayoutSettings
from creatorly.models.enums import PayoutSchedule
from creatorly.observability import get_logger
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import SYSTEM, Actor
from creatorly.services.creators import service as creators
from creatorly.services.payouts import balances, repository, rules, withdrawals
from creatorly.services.payouts.rules import PayoutRefused

MAX_REVIEW_NOTE_LENGTH = 300

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ScheduledRun:
    """What one scheduled run did: payouts opened, and creators or currencies skipped (each skip is logged)."""

    opened: int = 0
    skipped: int = 0


async def get_schedule(creator_id: int) -> str:
    """The creator's payout schedule: manual, daily, weekly or monthly."""
    async with db.transaction() as session:
        payout_settings = await repository.settings_of(session, creator_id)
    return str(payout_settings.schedule) if payout_settings is not None else str(PayoutSchedule.MANUAL)


async def set_schedule(creator_id: int, schedule: str) -> str:
    """Choose the schedule; the first automatic payout is at its next due moment, not at once."""
    chosen = rules.parsed_schedule(schedule)
    async with db.transaction() as session:
        payout_settings = await _settings_for_update(session, creator_id)
        if payout_settings.schedule != chosen:
            payout_settings.schedule, payout_settings.last_scheduled_run_at = chosen, utc_now()
        payout_settings.updated_at = utc_now()
        await repository.add(session, payout_settings)
    return str(chosen)


async def set_under_review(*, handle: str, under_review: bool, note: str = "", actor: Actor = SYSTEM) -> None:
    """Admin: hold (or release) a creator's payouts; the note is shown to the creator as the reason."""
    text = " ".join(note.split())[:MAX_REVIEW_NOTE_LENGTH]
    async with db.transaction() as session:
        creator = await creators.creator_by_handle(session, handle)
        if creator is None or creator.id is None:
            raise creators.CreatorNotFound()
        payout_settings = await _settings_for_update(session, creator.id)
        await audit.record(
            session,
            actor=actor,
            action="payouts.held" if under_review else "payouts.released",
            target_type="creator",
            target_id=creator.handle,
            creator_id=creator.id,
            before={"under_review": payout_settings.under_review},
            after={"under_review": under_review},
            reason=text,
        )
        payout_settings.under_review, payout_settings.review_note = under_review, text if under_review else ""
        payout_settings.updated_at = utc_now()
        await repository.add(session, payout_settings)


async def _settings_for_update(session: AsyncSession, creator_id: int) -> PayoutSettings:
    """The creator's settings row, made on first use (a concurrent maker's row wins)."""
    existing = await repository.settings_of(session, creator_id)
    if existing is not None:
        return existing
    try:
        async with session.begin_nested():
            created = PayoutSettings(creator_id=creator_id)
            await repository.add(session, created)
            return created
    except IntegrityError:
        found = await repository.settings_of(session, creator_id)
        if found is None:
            raise
        return found


async def run_scheduled_payouts(*, now: datetime | None = None) -> ScheduledRun:
    """Open a payout in each currency for every creator whose schedule is due; idempotent per due moment.

    Each creator's run is claimed by stamping `last_scheduled_run_at`, so a second run (or a second
    worker) opens nothing. A creator who cannot be paid now is skipped with the reason logged.
    """
    moment = now or utc_now()
    async with db.transaction() as session:
        candidates = await repository.scheduled_settings(session)
    opened = skipped = 0
    for payout_settings in candidates:
        due = rules.latest_due_moment(payout_settings.schedule, moment)
        if due is None or not rules.is_schedule_due(
            payout_settings.schedule, now=moment, last_run_at=payout_settings.last_scheduled_run_at
        ):
            continue
        made, missed = await _run_for(payout_settings.creator_id, str(payout_settings.schedule), due=due, now=moment)
        opened, skipped = opened + made, skipped + missed
    return ScheduledRun(opened=opened, skipped=skipped)


async def _run_for(creator_id: int, schedule: str, *, due: datetime, now: datetime) -> tuple[int, int]:
    async with db.transaction() as session:
        if not await repository.claim_scheduled_run(session, creator_id, due=due, now=now):
            return 0, 0
    opened = skipped = 0
    for balance in await balances.balances_of(creator_id):
        try:
            await withdrawals.withdraw(creator_id, balance.currency, trigger=schedule)
            opened += 1
        except PayoutRefused as refusal:
            skipped += 1
            logger.info(
                "scheduled_payout_skipped",
                creator_id=creator_id,
                currency=balance.currency,
                reason=refusal.reason_code,
                detail=refusal.message,
            )
    return opened, skipped
