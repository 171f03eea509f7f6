"""Every query of tips: the wall, the goal's progress, the creator's list and totals, the tip jar's settings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Creator, Order, Tip, TipSettings, User
from creatorly.models.enums import OrderKind, OrderStatus

# A tip counts (wall, goal) while its money is with the creator; a full refund takes it off.
COUNTED_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
# The creator's list shows every tip whose money was taken, refunded ones included.
LISTED_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)


async def add_tip(session: AsyncSession, tip: Tip) -> Tip:
    session.add(tip)
    await session.flush()
    return tip


async def tip_of_order(session: AsyncSession, order_id: int) -> Tip | None:
    return (await session.exec(select(Tip).where(col(Tip.order_id) == order_id))).first()


async def settings_of(session: AsyncSession, creator_id: int, *, for_update: bool = False) -> TipSettings | None:
    statement = select(TipSettings).where(col(TipSettings.creator_id) == creator_id)
    if for_update:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def save_settings(session: AsyncSession, settings: TipSettings) -> None:
    session.add(settings)
    await session.flush()


async def wall_of_creator(
    session: AsyncSession, creator_id: int, *, offset: int, limit: int
) -> Sequence[tuple[Tip, Order]]:
    """Public tips whose order is paid, newest first."""
    statement = (
        select(Tip, Order)
        .join(Order, col(Order.id) == col(Tip.order_id))
        .where(
            col(Tip.creator_id) == creator_id,
            col(Tip.is_public).is_(True),
            col(Order.kind) == OrderKind.TIP,
            col(Order.status).in_(COUNTED_STATUSES),
        )
        .order_by(col(Order.paid_at).desc(), col(Tip.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return [(tip, order) for tip, order in (await session.exec(statement)).all()]


async def raised_in(session: AsyncSession, creator_id: int, currency: str) -> int:
    """Paid tips in `currency`, net of refunds, in minor units."""
    statement = select(func.coalesce(func.sum(col(Order.amount) - col(Order.refunded_amount)), 0)).where(
        col(Order.creator_id) == creator_id,
        col(Order.kind) == OrderKind.TIP,
        col(Order.currency) == currency,
        col(Order.status).in_(COUNTED_STATUSES),
    )
    return int((await session.exec(statement)).one())


def _listed(creator_id: int) -> list[object]:
    return [
        col(Tip.creator_id) == creator_id,
        col(Order.creator_id) == creator_id,
        col(Order.status).in_(LISTED_STATUSES),
    ]


async def count_listed(session: AsyncSession, creator_id: int) -> int:
    statement = select(func.count()).select_from(Tip).join(Order, col(Order.id) == col(Tip.order_id))
    return int((await session.exec(statement.where(*_listed(creator_id)))).one())  # type: ignore[arg-type]


async def page_listed(
    session: AsyncSession, creator_id: int, *, offset: int = 0, limit: int | None = None
) -> Sequence[tuple[Tip, Order]]:
    """The creator's tips with their orders, newest first."""
    statement = (
        select(Tip, Order)
        .join(Order, col(Order.id) == col(Tip.order_id))
        .where(*_listed(creator_id))  # type: ignore[arg-type]
        .order_by(col(Order.created_at).desc(), col(Tip.id).desc())
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [(tip, order) for tip, order in (await session.exec(statement)).all()]


async def totals_of_creator(session: AsyncSession, creator_id: int) -> Sequence[tuple[str, int, int]]:
    """(currency, tips counted, received net of refunds) per currency."""
    statement = (
        select(Order.currency, func.count(), func.sum(col(Order.amount) - col(Order.refunded_amount)))
        .where(
            col(Order.creator_id) == creator_id,
            col(Order.kind) == OrderKind.TIP,
            col(Order.status).in_(COUNTED_STATUSES),
        )
        .group_by(col(Order.currency))
        .order_by(col(Order.currency))
    )
    return [(currency, int(count), int(total or 0)) for currency, count, total in (await session.exec(statement)).all()]


async def tip_order(session: AsyncSession, order_public_id: str) -> tuple[Order, Tip, Creator] | None:
    statement = (
        select(Order, Tip, Creator)
        .join(Tip, col(Tip.order_id) == col(Order.id))
        .join(Creator, col(Creator.id) == col(Order.creator_id))
        .where(col(Order.public_id) == order_public_id, col(Order.kind) == OrderKind.TIP)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1], row[2])


async def order_with_creator(session: AsyncSession, order_public_id: str) -> tuple[Order, Creator] | None:
    statement = (
        select(Order, Creator)
        .join(Creator, col(Creator.id) == col(Order.creator_id))
        .where(col(Order.public_id) == order_public_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1])


async def creator_with_email(session: AsyncSession, creator_id: int) -> tuple[Creator, str] | None:
    """The creator and their account's email, where tip notices go."""
    statement = (
        select(Creator, User.email)
        .join(User, col(User.id) == col(Creator.user_id))
        .where(col(Creator.id) == creator_id)
    )
    row = (await session.exec(statement)).first()
    return None if row is None else (row[0], row[1])


async def tip_order_references(session: AsyncSession, order_ids: set[int]) -> dict[int, str]:
    """Order id → public id, for the ones among `order_ids` that are tips."""
    if not order_ids:
        return {}
    statement = select(Order.id, Order.public_id).where(col(Order.id).in_(order_ids), col(Order.kind) == OrderKind.TIP)
    return {
        order_id: public_id for order_id, public_id in (await session.exec(statement)).all() if order_id is not None
    }


async def sent_by(
    session: AsyncSession, *, email: str | None, user_id: int | None = None
) -> Sequence[tuple[Tip, Order, Creator]]:
    """The tips a fan sent (to `email`, or while signed in as `user_id`) whose money was taken, newest first."""
    conditions = []
    if email:
        conditions.append(col(Order.buyer_email) == email)
    if user_id is not None:
        conditions.append(col(Order.buyer_user_id) == user_id)
    if not conditions:
        return []
    statement = (
        select(Tip, Order, Creator)
        .join(Order, col(Order.id) == col(Tip.order_id))
        .join(Creator, col(Creator.id) == col(Order.creator_id))
        .where(or_(*conditions), col(Order.kind) == OrderKind.TIP, col(Order.status).in_(LISTED_STATUSES))
        .order_by(col(Order.created_at).desc(), col(Tip.id).desc())
    )
    return [(tip, order, creator) for tip, order, creator in (await session.exec(statement)).all()]
