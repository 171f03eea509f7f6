"""Every query of the creator's members dashboard: counts by status, recurring amounts and a page of members."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_columns  # five columns: past sqlmodel's typed overloads
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Order
from creatorly.models.enums import OrderKind, OrderStatus, SubscriptionStatus
from creatorly.models.memberships import Subscription, Tier

# Orders whose money came in; a refund is subtracted through `refunded_amount`.
_PAID = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)


def _lifetime_values(creator_id: int) -> Any:
    """Per subscription: its paid membership orders less refunds, as a subquery to join the members to."""
    return (
        select(
            col(Order.subscription_id).label("subscription_id"),
            func.sum(col(Order.amount) - col(Order.refunded_amount)).label("lifetime_value"),
        )
        .where(
            col(Order.creator_id) == creator_id,
            col(Order.kind) == OrderKind.MEMBERSHIP,
            col(Order.status).in_(_PAID),
            col(Order.subscription_id).is_not(None),
        )
        .group_by(col(Order.subscription_id))
        .subquery("lifetime_values")
    )


def _members_filtered(
    statement: Any, creator_id: int, *, tier_id: int | None, status: SubscriptionStatus | None, text: str
) -> Any:
    # A join still paying its first charge is not a member yet.
    statement = statement.where(
        col(Subscription.creator_id) == creator_id, col(Subscription.status) != SubscriptionStatus.INCOMPLETE
    )
    if tier_id is not None:
        statement = statement.where(col(Subscription.tier_id) == tier_id)
    if status is not None:
        statement = statement.where(col(Subscription.status) == status)
    if text:
        statement = statement.where(col(Subscription.member_email).contains(text.lower(), autoescape=True))
    return statement


async def count_members(
    session: AsyncSession, creator_id: int, *, tier_id: int | None, status: SubscriptionStatus | None, text: str
) -> int:
    statement = select(func.count()).select_from(Subscription)
    statement = _members_filtered(statement, creator_id, tier_id=tier_id, status=status, text=text)
    return int((await session.exec(statement)).one())


async def page_of_members(
    session: AsyncSession,
    creator_id: int,
    *,
    tier_id: int | None = None,
    status: SubscriptionStatus | None = None,
    text: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[tuple[Subscription, str, int]]:
    """Members newest first, each with its tier's name and lifetime value, in one query."""
    values = _lifetime_values(creator_id)
    statement: Any = (
        select(Subscription, col(Tier.name), func.coalesce(values.c.lifetime_value, 0))
        .join(Tier, col(Tier.id) == col(Subscription.tier_id))
        .outerjoin(values, values.c.subscription_id == col(Subscription.id))
    )
    statement = _members_filtered(statement, creator_id, tier_id=tier_id, status=status, text=text)
    statement = statement.order_by(col(Subscription.created_at).desc(), col(Subscription.id).desc()).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return [(row, str(name), int(value)) for row, name, value in (await session.exec(statement)).all()]


async def status_counts(session: AsyncSession, creator_id: int) -> dict[str, int]:
    statement = (
        select(col(Subscription.status), func.count())
        .where(col(Subscription.creator_id) == creator_id)
        .group_by(col(Subscription.status))
    )
    return {str(status): int(count) for status, count in (await session.exec(statement)).all()}


async def recurring_groups(
    session: AsyncSession, creator_id: int, *, statuses: Sequence[SubscriptionStatus]
) -> Sequence[tuple[int, str, str, int, int]]:
    """(tier id, currency, interval, amount, members) of memberships in `statuses` that will renew."""
    statement: Any = (
        select_columns(
            col(Subscription.tier_id),
            col(Subscription.currency),
            col(Subscription.interval),
            col(Subscription.amount),
            func.count(),
        )
        .where(
            col(Subscription.creator_id) == creator_id,
            col(Subscription.status).in_(statuses),
            col(Subscription.cancel_at_period_end).is_(False),
        )
        .group_by(
            col(Subscription.tier_id), col(Subscription.currency), col(Subscription.interval), col(Subscription.amount)
        )
    )
    return [
        (int(tier_id), str(currency), str(interval), int(amount), int(count))
        for tier_id, currency, interval, amount, count in (await session.exec(statement)).all()
    ]


async def counts_by_tier(
    session: AsyncSession, creator_id: int, *, statuses: Sequence[SubscriptionStatus]
) -> dict[int, int]:
    statement = (
        select(col(Subscription.tier_id), func.count())
        .where(col(Subscription.creator_id) == creator_id, col(Subscription.status).in_(statuses))
        .group_by(col(Subscription.tier_id))
    )
    return {int(tier_id): int(count) for tier_id, count in (await session.exec(statement)).all()}


async def tier_of_creator(session: AsyncSession, creator_id: int, public_id: str) -> Tier | None:
    statement = select(Tier).where(col(Tier.creator_id) == creator_id, col(Tier.public_id) == public_id)
    return (await session.exec(statement)).first()
