"""Every query on users."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.exec(select(User).where(User.email == email))).first()


async def add(session: AsyncSession, user: User) -> User:
    session.add(user)
    await session.flush()
    return user
