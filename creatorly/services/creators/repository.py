"""Every query on creators."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Creator


async def get_by_user(session: AsyncSession, user_id: int) -> Creator | None:
    return (await session.exec(select(Creator).where(Creator.user_id == user_id))).first()


async def get_by_handle(session: AsyncSession, handle: str) -> Creator | None:
    return (await session.exec(select(Creator).where(Creator.handle == handle))).first()


async def is_skeleton_taken(session: AsyncSession, skeleton: str, *, except_creator_id: int | None = None) -> bool:
    statement = select(Creator.id).where(Creator.handle_skeleton == skeleton)
    if except_creator_id is not None:
        statement = statement.where(Creator.id != except_creator_id)
    return (await session.exec(statement)).first() is not None


async def add(session: AsyncSession, creator: Creator) -> Creator:
    session.add(creator)
    await session.flush()
    return creator
