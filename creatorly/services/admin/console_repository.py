"""Every query of the admin console's overview, lists and details: grouped by bucket in SQL, a fixed number a page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from typing import cast as cast_select

from sqlalchemy import Integer, and_, case, cast, distinct, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from creatorly.models import (
    Creator,
    ExternalEvent,
    LedgerEntry,
    LedgerTransaction,
    Order,
    Payout,
    PayoutAccount,
    PayoutEvent,
    PayoutSettings,
    User,
    UserSession,
)
from creatorly.models.enums import OrderStatus
from creatorly.services.admin.schemas import EventStatus, Granularity

PAID_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
# Ledger kinds that carry the platform's fee and the creators' share (payout movements do not).
EARNING_KINDS = ("sale", "refund", "provider_fee")
PLATFORM_REVENUE = "platform:revenue"
PAYOUT_MEMOS = ("payout", "payout returned")
# How the providers name a newly opened dispute (chargeback); stored like any event, with or without a handler.
DISPUTE_EVENT_TYPES = ("charge.dispute.created", "payment.dispute.created")


def _is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def bucket_start(session: AsyncSession, column: Any, granularity: Granularity) -> Any:
    """The UTC day, Monday or first of the month that `column` falls in, as 'YYYY-MM-DD' on both databases."""
    if _is_postgresql(session):
        return func.to_char(func.date_trunc(granularity.value, func.timezone("UTC", column)), "YYYY-MM-DD")
    if granularity is Granularity.WEEK:
        return func.date(column, "weekday 0", "-6 days")  # the Sunday ending the week, less six days
    if granularity is Granularity.MONTH:
        return func.strftime("%Y-%m-01", column)
    return func.date(column)


def _paid_since(since: datetime) -> Any:
    return and_(
        col(Order.paid_at) >= since,
        col(Order.status).in_(list(PAID_STATUSES)),
        col(Order.amount) > 0,
    )


async def order_money(
    session: AsyncSession, *, since: datetime, granularity: Granularity
) -> Sequence[tuple[str, str, int, int]]:
    """(bucket, currency, paid orders, gross) of the paid orders since `since`."""
    bucket = bucket_start(session, col(Order.paid_at), granularity).label("bucket")
    statement = (
        select(bucket, col(Order.currency), func.count(), func.sum(Order.amount))
        .where(_paid_since(since))
        .group_by(bucket, col(Order.currency))
    )
    return [
        (str(day), currency, int(count), int(gross or 0))
        for day, currency, count, gross in (await session.exec(statement)).all()
    ]


def _people_columns() -> tuple[Any, Any, Any, Any]:
    refunded = func.sum(cast(case((col(Order.refunded_amount) > 0, 1), else_=0), Integer))
    return (
        func.count(),
        refunded,
        func.count(distinct(func.lower(Order.buyer_email))),
        func.count(distinct(col(Order.creator_id))),
    )


async def order_people(
    session: AsyncSession, *, since: datetime, granularity: Granularity
) -> Sequence[tuple[str, int, int, int, int]]:
    """(bucket, paid orders, of them refunded, distinct buyers, distinct creators) since `since`."""
    bucket = bucket_start(session, col(Order.paid_at), granularity).label("bucket")
    orders, refunded, fans, creators = _people_columns()
    statement = cast_select(
        "Select[str, int, int, int, int]",
        select(bucket, orders, refunded, fans).add_columns(creators).where(_paid_since(since)).group_by(bucket),
    )
    return [
        (str(day), int(orders), int(refunded or 0), int(fans), int(creators))
        for day, orders, refunded, fans, creators in (await session.exec(statement)).all()
    ]


async def order_people_total(session: AsyncSession, *, since: datetime) -> tuple[int, int, int, int]:
    """The range's paid orders, refunded ones, distinct buyers and distinct creators (not sums of buckets)."""
    orders, refunded, fans, creators = _people_columns()
    statement = cast_select(
        "Select[int, int, int, int]", select(orders, refunded, fans, creators).where(_paid_since(since))
    )
    orders, refunded, fans, creators = (await session.exec(statement)).one()
    return int(orders), int(refunded or 0), int(fans), int(creators)


async def ledger_earnings(
    session: AsyncSession, *, since: datetime, granularity: Granularity
) -> Sequence[tuple[str, str, int, int]]:
    """(bucket, currency, platform fees, creators' share) posted since `since`, both as positive earnings."""
    bucket = bucket_start(session, col(LedgerTransaction.created_at), granularity).label("bucket")
    is_platform = col(LedgerEntry.account) == PLATFORM_REVENUE
    is_creator = and_(
        col(LedgerEntry.account).like("creator:%:earnings"), col(LedgerEntry.memo).not_in(list(PAYOUT_MEMOS))
    )
    statement = (
        select(
            bucket,
            col(LedgerEntry.currency),
            func.sum(case((is_platform, -col(LedgerEntry.amount)), else_=0)),
            func.sum(case((is_creator, -col(LedgerEntry.amount)), else_=0)),
        )
        .join(LedgerTransaction, col(LedgerTransaction.id) == col(LedgerEntry.transaction_id))
        .where(col(LedgerTransaction.created_at) >= since, col(LedgerTransaction.kind).in_(list(EARNING_KINDS)))
        .group_by(bucket, col(LedgerEntry.currency))
    )
    return [
        (str(day), currency, int(platform or 0), int(creator or 0))
        for day, currency, platform, creator in (await session.exec(statement)).all()
    ]


async def disputes(session: AsyncSession, *, since: datetime, granularity: Granularity) -> Sequence[tuple[str, int]]:
    bucket = bucket_start(session, col(ExternalEvent.received_at), granularity).label("bucket")
    statement = (
        select(bucket, func.count())
        .where(col(ExternalEvent.event_type).in_(list(DISPUTE_EVENT_TYPES)), col(ExternalEvent.received_at) >= since)
        .group_by(bucket)
    )
    return [(str(day), int(count)) for day, count in (await session.exec(statement)).all()]


async def payouts_in_flight(session: AsyncSession) -> Sequence[tuple[str, str, int, int]]:
    """(status, currency, count, amount) of the payouts not yet paid or failed."""
    statement = (
        select(col(Payout.status), col(Payout.currency), func.count(), func.sum(Payout.amount))
        .where(col(Payout.status).in_(["pending", "in_transit"]))
        .group_by(col(Payout.status), col(Payout.currency))
        .order_by(col(Payout.status), col(Payout.currency))
    )
    return [
        (str(status), currency, int(count), int(amount or 0))
        for status, currency, count, amount in (await session.exec(statement)).all()
    ]


# --- users ----------------------------------------------------------------------------------------------------------


def _user_columns() -> Any:
    return select(User, col(Creator.id), col(Creator.handle)).outerjoin(Creator, col(Creator.user_id) == col(User.id))


async def users_page(
    session: AsyncSession, *, email_contains: str, before_id: int | None, limit: int
) -> Sequence[tuple[User, int | None, str | None]]:
    """Newest first; `limit` rows (the caller asks one more to know whether a next page exists)."""
    statement = _user_columns()
    if email_contains:
        statement = statement.where(func.lower(User.email).contains(email_contains.lower(), autoescape=True))
    if before_id is not None:
        statement = statement.where(col(User.id) < before_id)
    rows = (await session.exec(statement.order_by(col(User.id).desc()).limit(limit))).all()
    return [(user, creator_id, handle) for user, creator_id, handle in rows]


async def user_with_creator(session: AsyncSession, user_id: int) -> tuple[User, int | None, str | None] | None:
    row = (await session.exec(_user_columns().where(col(User.id) == user_id))).first()
    return None if row is None else (row[0], row[1], row[2])


async def active_session_count(session: AsyncSession, user_id: int, *, now: datetime) -> int:
    statement = (
        select(func.count())
        .select_from(UserSession)
        .where(
            col(UserSession.user_id) == user_id,
            col(UserSession.revoked_at).is_(None),
            col(UserSession.expires_at) > now,
        )
    )
    return int((await session.exec(statement)).one())


async def order_count_of_buyer(session: AsyncSession, user_id: int) -> int:
    statement = select(func.count()).select_from(Order).where(col(Order.buyer_user_id) == user_id)
    return int((await session.exec(statement)).one())


async def payout_settings_of(session: AsyncSession, creator_id: int) -> PayoutSettings | None:
    return await session.get(PayoutSettings, creator_id)


async def creator_handle(session: AsyncSession, creator_id: int) -> str | None:
    return (await session.exec(select(Creator.handle).where(col(Creator.id) == creator_id))).first()


# --- payouts --------------------------------------------------------------------------------------------------------


async def payouts_page(
    session: AsyncSession, *, status: str, handle_contains: str, before_id: int | None, limit: int
) -> Sequence[tuple[Payout, str]]:
    statement = select(Payout, col(Creator.handle)).join(Creator, col(Creator.id) == col(Payout.creator_id))
    if status:
        statement = statement.where(col(Payout.status) == status)
    if handle_contains:
        needle = handle_contains.lower()
        statement = statement.where(
            or_(col(Creator.handle).contains(needle, autoescape=True), col(Payout.public_id) == handle_contains)
        )
    if before_id is not None:
        statement = statement.where(col(Payout.id) < before_id)
    rows = (await session.exec(statement.order_by(col(Payout.id).desc()).limit(limit))).all()
    return [(payout, handle) for payout, handle in rows]


async def payout_with_account(session: AsyncSession, payout_id: int) -> tuple[Payout, str, PayoutAccount] | None:
    statement = (
        select(Payout, col(Creator.handle), PayoutAccount)
        .join(Creator, col(Creator.id) == col(Payout.creator_id))
        .join(PayoutAccount, col(PayoutAccount.id) == col(Payout.payout_account_id))
        .where(col(Payout.id) == payout_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1], row[2])


async def payout_events(session: AsyncSession, payout_id: int) -> Sequence[PayoutEvent]:
    statement = select(PayoutEvent).where(col(PayoutEvent.payout_id) == payout_id).order_by(col(PayoutEvent.id))
    return (await session.exec(statement)).all()


async def ledger_lines_of_reference(session: AsyncSession, reference: str) -> Sequence[tuple[str, LedgerEntry]]:
    statement = (
        select(col(LedgerTransaction.kind), LedgerEntry)
        .join(LedgerTransaction, col(LedgerTransaction.id) == col(LedgerEntry.transaction_id))
        .where(col(LedgerTransaction.reference) == reference)
        .order_by(col(LedgerEntry.id))
    )
    return [(kind, entry) for kind, entry in (await session.exec(statement)).all()]


# --- webhook events -------------------------------------------------------------------------------------------------


def _status_condition(status: EventStatus, max_attempts: int) -> Any:
    unhandled = col(ExternalEvent.handled_at).is_(None)
    if status is EventStatus.HANDLED:
        return col(ExternalEvent.handled_at).is_not(None)
    if status is EventStatus.STUCK:
        return and_(unhandled, col(ExternalEvent.attempts) >= max_attempts)
    has_failed = col(ExternalEvent.last_error).is_not(None)
    if status is EventStatus.FAILED:
        return and_(unhandled, has_failed, col(ExternalEvent.attempts) < max_attempts)
    return and_(unhandled, ~has_failed, col(ExternalEvent.attempts) < max_attempts)


async def events_page(
    session: AsyncSession,
    *,
    status: EventStatus | None,
    text: str,
    max_attempts: int,
    before_id: int | None,
    limit: int,
) -> Sequence[ExternalEvent]:
    """Newest first; `text` is an exact event id or the start of an event type."""
    statement = select(ExternalEvent)
    if status is not None:
        statement = statement.where(_status_condition(status, max_attempts))
    if text:
        statement = statement.where(
            or_(col(ExternalEvent.event_id) == text, col(ExternalEvent.event_type).startswith(text, autoescape=True))
        )
    if before_id is not None:
        statement = statement.where(col(ExternalEvent.id) < before_id)
    return (await session.exec(statement.order_by(col(ExternalEvent.id).desc()).limit(limit))).all()


async def event(session: AsyncSession, external_event_id: int, *, for_update: bool = False) -> ExternalEvent | None:
    statement = select(ExternalEvent).where(col(ExternalEvent.id) == external_event_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()
