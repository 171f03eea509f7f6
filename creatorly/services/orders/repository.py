"""Every query on orders."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Order


def _of_buyer(user_id: int, email: str) -> ColumnElement[bool]:
    return or_(col(Order.buyer_user_id) == user_id, col(Order.buyer_email) == email)


async def list_of_buyer(session: AsyncSession, user_id: int, email: str) -> Sequence[Order]:
    statement = select(Order).where(_of_buyer(user_id, email)).order_by(col(Order.id))
    return (await session.exec(statement)).all()


async def anonymize_buyer(session: AsyncSession, user_id: int, email: str, *, replacement_email: str) -> None:
    statement = update(Order).where(_of_buyer(user_id, email)).values(buyer_email=replacement_email, buyer_user_id=None)
    await session.exec(statement)
