"""Every query on payout accounts, payouts, their events and payout settings; no decisions here."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Payout, PayoutAccount, PayoutEvent, PayoutSettings
from creatorly.models.enums import PayoutSchedule, PayoutStatus
from creatorly.models.payouts import OPEN_PAYOUT_STATUSES


async def add(session: AsyncSession, row: Payout | PayoutAccount | PayoutEvent | PayoutSettings) -> None:
    session.add(row)
    await session.flush()


def _is_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def advisory_key(creator_id: int, currency: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory lock on one creator's payouts in one currency."""
    digest = hashlib.sha256(f"creatorly:payouts:{creator_id}:{currency}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def lock_payouts_of(session: AsyncSession, creator_id: int, currency: str) -> None:
    """Serialize withdrawals of one creator and currency until commit; call it before reading anything.

    PostgreSQL takes a transaction-scoped advisory lock. SQLite has no row locks and reads outside a
    write transaction, so a no-op update takes its database-wide write lock first.
    """
    if _is_sqlite(session):
        touch = (
            update(PayoutSettings)
            .where(col(PayoutSettings.creator_id) == creator_id)
            .values(creator_id=col(PayoutSettings.creator_id))
        )
        await session.exec(touch)
        return
    await session.exec(
        text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=advisory_key(creator_id, currency))  # type: ignore[call-overload]
    )


async def settings_of(session: AsyncSession, creator_id: int) -> PayoutSettings | None:
    return await session.get(PayoutSettings, creator_id)


async def scheduled_settings(session: AsyncSession) -> Sequence[PayoutSettings]:
    """Settings of every creator on an automatic schedule."""
    statement = (
        select(PayoutSettings)
        .where(col(PayoutSettings.schedule) != PayoutSchedule.MANUAL)
        .order_by(col(PayoutSettings.creator_id))
    )
    return (await session.exec(statement)).all()


async def claim_scheduled_run(session: AsyncSession, creator_id: int, *, due: datetime, now: datetime) -> bool:
    """Stamp the run unless one already ran since `due`; True for the one caller that stamped it."""
    statement = (
        update(PayoutSettings)
        .where(
            col(PayoutSettings.creator_id) == creator_id,
            or_(col(PayoutSettings.last_scheduled_run_at).is_(None), col(PayoutSettings.last_scheduled_run_at) < due),
        )
        .values(last_scheduled_run_at=now)
    )
    result = await session.exec(statement)
    return bool(result.rowcount == 1)


def _active_accounts_of(creator_id: int) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return col(PayoutAccount.creator_id) == creator_id, col(PayoutAccount.removed_at).is_(None)


async def accounts_of(session: AsyncSession, creator_id: int) -> Sequence[PayoutAccount]:
    statement = (
        select(PayoutAccount)
        .where(*_active_accounts_of(creator_id))
        .order_by(col(PayoutAccount.currency), col(PayoutAccount.id))
    )
    return (await session.exec(statement)).all()


async def account_of_creator(session: AsyncSession, creator_id: int, public_id: str) -> PayoutAccount | None:
    statement = select(PayoutAccount).where(*_active_accounts_of(creator_id), PayoutAccount.public_id == public_id)
    return (await session.exec(statement)).first()


async def default_account(session: AsyncSession, creator_id: int, currency: str) -> PayoutAccount | None:
    statement = select(PayoutAccount).where(
        *_active_accounts_of(creator_id), PayoutAccount.currency == currency, col(PayoutAccount.is_default)
    )
    return (await session.exec(statement)).first()


async def latest_other_account(
    session: AsyncSession, creator_id: int, currency: str, *, except_id: int
) -> PayoutAccount | None:
    statement = (
        select(PayoutAccount)
        .where(*_active_accounts_of(creator_id), PayoutAccount.currency == currency, PayoutAccount.id != except_id)
        .order_by(col(PayoutAccount.id).desc())
    )
    return (await session.exec(statement)).first()


async def clear_default(session: AsyncSession, creator_id: int, currency: str) -> None:
    statement = (
        update(PayoutAccount)
        .where(*_active_accounts_of(creator_id), col(PayoutAccount.currency) == currency, col(PayoutAccount.is_default))
        .values(is_default=False)
    )
    await session.exec(statement)


async def account_by_id(session: AsyncSession, account_id: int) -> PayoutAccount | None:
    return await session.get(PayoutAccount, account_id)


async def has_open_payout(session: AsyncSession, creator_id: int, currency: str) -> bool:
    statement = select(Payout.id).where(
        Payout.creator_id == creator_id,
        Payout.currency == currency,
        col(Payout.status).in_(OPEN_PAYOUT_STATUSES),
    )
    return (await session.exec(statement)).first() is not None


async def payouts_of(session: AsyncSession, creator_id: int, *, limit: int) -> Sequence[tuple[Payout, PayoutAccount]]:
    """The creator's payouts with their accounts, newest first."""
    statement = (
        select(Payout, PayoutAccount)
        .join(PayoutAccount, col(PayoutAccount.id) == col(Payout.payout_account_id))
        .where(Payout.creator_id == creator_id)
        .order_by(col(Payout.created_at).desc(), col(Payout.id).desc())
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def payout_with_account(session: AsyncSession, public_id: str) -> tuple[Payout, PayoutAccount] | None:
    statement = (
        select(Payout, PayoutAccount)
        .join(PayoutAccount, col(PayoutAccount.id) == col(Payout.payout_account_id))
        .where(Payout.public_id == public_id)
    )
    return (await session.exec(statement)).first()


def _payout_matching(
    merchant_reference: str | None, provider: str, provider_reference: str | None
) -> ColumnElement[bool] | None:
    if merchant_reference:
        return col(Payout.public_id) == merchant_reference
    if provider_reference:
        return (col(Payout.provider) == provider) & (col(Payout.provider_reference) == provider_reference)
    return None


async def lock_payout(
    session: AsyncSession, *, merchant_reference: str | None, provider: str, provider_reference: str | None
) -> Payout | None:
    """The payout by our public id (else by the provider's reference), locked until commit.

    PostgreSQL locks the row; SQLite takes its write lock with a no-op update before reading.
    """
    condition = _payout_matching(merchant_reference, provider, provider_reference)
    if condition is None:
        return None
    statement = select(Payout).where(condition)
    if _is_sqlite(session):
        await session.exec(update(Payout).where(condition).values(status=col(Payout.status)))
    else:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def events_of(session: AsyncSession, payout_ids: list[int]) -> Sequence[PayoutEvent]:
    """The timeline of each payout, oldest step first, in one query."""
    if not payout_ids:
        return []
    statement = (
        select(PayoutEvent)
        .where(col(PayoutEvent.payout_id).in_(payout_ids))
        .order_by(col(PayoutEvent.payout_id), col(PayoutEvent.created_at), col(PayoutEvent.id))
    )
    return (await session.exec(statement)).all()


async def lost_payout_ids(session: AsyncSession, *, created_before: datetime, limit: int) -> Sequence[str]:
    """Pending payouts never handed to their provider (a lost job or a retryable provider error)."""
    statement = (
        select(Payout.public_id)
        .where(
            Payout.status == PayoutStatus.PENDING,
            col(Payout.provider_reference).is_(None),
            col(Payout.created_at) < created_before,
        )
        .order_by(col(Payout.created_at))
        .limit(limit)
    )
    return (await session.exec(statement)).all()
