"""Every query on subscribers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from creatorly.models import Creator, Subscriber
from creatorly.models.enums import SubscriberStatus


async def get_by_email(session: AsyncSession, creator_id: int, email: str) -> Subscriber | None:
    statement = select(Subscriber).where(Subscriber.creator_id == creator_id, Subscriber.email == email)
    return (await session.exec(statement)).first()


async def get_with_creator(session: AsyncSession, subscriber_id: int) -> tuple[Subscriber, Creator] | None:
    statement = (
        select(Subscriber, Creator)
        .join(Creator, col(Creator.id) == col(Subscriber.creator_id))
        .where(Subscriber.id == subscriber_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1])


async def add(session: AsyncSession, subscriber: Subscriber) -> None:
    session.add(subscriber)
    await session.flush()


def _of_creator(creator_id: int, status: SubscriberStatus | None) -> SelectOfScalar[Subscriber]:
    statement = select(Subscriber).where(Subscriber.creator_id == creator_id)
    return statement if status is None else statement.where(Subscriber.status == status)


async def count(session: AsyncSession, creator_id: int, *, status: SubscriberStatus | None = None) -> int:
    statement = select(func.count()).select_from(_of_creator(creator_id, status).subquery())
    return int((await session.exec(statement)).one())


async def list_newest_first(
    session: AsyncSession,
    creator_id: int,
    *,
    status: SubscriberStatus | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Subscriber]:
    statement = (
        _of_creator(creator_id, status)
        .order_by(col(Subscriber.created_at).desc(), col(Subscriber.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def delete_of_creator(session: AsyncSession, creator_id: int, subscriber_id: int) -> bool:
    """Delete the subscriber only if it is on this creator's list; False when nothing matched."""
    statement = delete(Subscriber).where(col(Subscriber.creator_id) == creator_id, col(Subscriber.id) == subscriber_id)
    return bool((await session.exec(statement)).rowcount)
