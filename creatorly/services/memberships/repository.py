"""Every query of subscriptions: tiers and prices as they need them, subscriptions, their events and charges."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import Order
from creatorly.models.enums import OrderKind, OrderStatus, SubscriptionStatus
from creatorly.models.memberships import Subscription, SubscriptionEvent, Tier, TierPrice, TrialUse

LIVE_STATUSES = (
    SubscriptionStatus.INCOMPLETE,
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.PAUSED,
)
_PAID = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)


async def published_tier(
    session: AsyncSession, *, creator_id: int, public_id: str, for_update: bool = False
) -> Tier | None:
    statement = select(Tier).where(
        col(Tier.creator_id) == creator_id, col(Tier.public_id) == public_id, col(Tier.is_published).is_(True)
    )
    if for_update:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def hold_tier(session: AsyncSession, tier_id: int) -> None:
    """Take the tier row's write lock with a no-op update: joins of one tier then count places one at a time
    (a row lock on PostgreSQL; on SQLite the write lock, which SELECT … FOR UPDATE does not take)."""
    await session.exec(update(Tier).where(col(Tier.id) == tier_id).values(position=Tier.position))


async def get_tier(session: AsyncSession, tier_id: int) -> Tier | None:
    return await session.get(Tier, tier_id)


async def tiers_of(session: AsyncSession, creator_id: int) -> Sequence[Tier]:
    statement = select(Tier).where(col(Tier.creator_id) == creator_id).order_by(col(Tier.position), col(Tier.id))
    return (await session.exec(statement)).all()


async def active_price(session: AsyncSession, *, tier_id: int, interval: str) -> TierPrice | None:
    statement = select(TierPrice).where(
        col(TierPrice.tier_id) == tier_id, col(TierPrice.interval) == interval, col(TierPrice.is_active).is_(True)
    )
    return (await session.exec(statement)).first()


async def get_price(session: AsyncSession, price_id: int) -> TierPrice | None:
    return await session.get(TierPrice, price_id)


async def count_holding_places(session: AsyncSession, *, tier_id: int, incomplete_since: datetime) -> int:
    """Members who hold a place in the tier: live ones, and joins still paying (recent incomplete ones)."""
    statement = select(func.count()).where(
        col(Subscription.tier_id) == tier_id,
        or_(
            col(Subscription.status).in_(LIVE_STATUSES[1:]),
            (col(Subscription.status) == SubscriptionStatus.INCOMPLETE)
            & (col(Subscription.created_at) >= incomplete_since),
        ),
    )
    return int((await session.exec(statement)).one())


async def live_subscription_of(session: AsyncSession, *, creator_id: int, email: str) -> Subscription | None:
    statement = (
        select(Subscription)
        .where(
            col(Subscription.creator_id) == creator_id,
            col(Subscription.member_email) == email,
            col(Subscription.status).in_(LIVE_STATUSES),
        )
        .with_for_update(key_share=True)
    )
    return (await session.exec(statement)).first()


async def add(session: AsyncSession, row: Subscription | SubscriptionEvent | TrialUse) -> None:
    session.add(row)
    await session.flush()


async def lock(session: AsyncSession, subscription_id: int) -> Subscription | None:
    statement = select(Subscription).where(col(Subscription.id) == subscription_id).with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def by_public_id(session: AsyncSession, public_id: str, *, for_update: bool = False) -> Subscription | None:
    statement = select(Subscription).where(col(Subscription.public_id) == public_id)
    if for_update:
        statement = statement.with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def by_provider_reference(session: AsyncSession, provider: str, reference: str) -> Subscription | None:
    statement = (
        select(Subscription)
        .where(col(Subscription.provider) == provider, col(Subscription.provider_reference) == reference)
        .order_by(col(Subscription.id).desc())
        .with_for_update(key_share=True)
    )
    return (await session.exec(statement)).first()


async def trial_use(session: AsyncSession, *, creator_id: int, identity: str) -> TrialUse | None:
    statement = select(TrialUse).where(col(TrialUse.creator_id) == creator_id, col(TrialUse.identity) == identity)
    return (await session.exec(statement)).first()


async def has_event(session: AsyncSession, *, subscription_id: int, kind: str, detail: str) -> bool:
    statement = select(SubscriptionEvent.id).where(
        col(SubscriptionEvent.subscription_id) == subscription_id,
        col(SubscriptionEvent.kind) == kind,
        col(SubscriptionEvent.detail) == detail,
    )
    return (await session.exec(statement)).first() is not None


async def has_any_event(session: AsyncSession, *, subscription_id: int, kinds: Sequence[str], detail: str) -> bool:
    statement = select(SubscriptionEvent.id).where(
        col(SubscriptionEvent.subscription_id) == subscription_id,
        col(SubscriptionEvent.kind).in_(kinds),
        col(SubscriptionEvent.detail) == detail,
    )
    return (await session.exec(statement)).first() is not None


async def events_of(session: AsyncSession, subscription_id: int) -> Sequence[SubscriptionEvent]:
    statement = (
        select(SubscriptionEvent)
        .where(col(SubscriptionEvent.subscription_id) == subscription_id)
        .order_by(col(SubscriptionEvent.id))
    )
    return (await session.exec(statement)).all()


async def open_work(
    session: AsyncSession, *, due_kind: str, settled_kinds: Sequence[str], limit: int
) -> Sequence[SubscriptionEvent]:
    """Events of `due_kind` that no event of `settled_kinds` settles, oldest first. A settling event names the same
    work: its detail is the due one's, or the due one's first word (a due detail may add words after its key)."""
    settled = aliased(SubscriptionEvent)
    due_detail, settled_detail = col(SubscriptionEvent.detail), col(settled.detail)
    names_the_same_work = or_(
        settled_detail == due_detail,
        func.substr(due_detail, 1, func.length(settled_detail) + 1) == settled_detail + " ",
    )
    is_settled = (
        select(settled.id)
        .where(
            col(settled.kind).in_(settled_kinds),
            col(settled.subscription_id) == col(SubscriptionEvent.subscription_id),
            names_the_same_work,
        )
        .exists()
    )
    statement = (
        select(SubscriptionEvent)
        .where(col(SubscriptionEvent.kind) == due_kind, ~is_settled)
        .order_by(col(SubscriptionEvent.created_at), col(SubscriptionEvent.id))
        .limit(limit)
    )
    return (await session.exec(statement)).all()


async def latest_events(
    session: AsyncSession, *, subscription_ids: Sequence[int], kinds: Sequence[str]
) -> list[tuple[int, str, str, datetime]]:
    """(subscription id, kind, detail, when last recorded) of the subscriptions' events of these kinds."""
    if not subscription_ids:
        return []
    statement = (
        select(
            SubscriptionEvent.subscription_id,
            SubscriptionEvent.kind,
            SubscriptionEvent.detail,
            func.max(col(SubscriptionEvent.created_at)),
        )
        .where(col(SubscriptionEvent.subscription_id).in_(subscription_ids), col(SubscriptionEvent.kind).in_(kinds))
        .group_by(col(SubscriptionEvent.subscription_id), col(SubscriptionEvent.kind), col(SubscriptionEvent.detail))
    )
    return [(row[0], row[1], row[2], row[3]) for row in (await session.exec(statement)).all()]


async def subscriptions_by_id(session: AsyncSession, subscription_ids: Sequence[int]) -> dict[int, Subscription]:
    if not subscription_ids:
        return {}
    statement = select(Subscription).where(col(Subscription.id).in_(subscription_ids))
    return {row.id: row for row in (await session.exec(statement)).all() if row.id is not None}


async def due_for_renewal(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[int]:
    """Trialing or active subscriptions whose period has ended: renew, convert or end them."""
    statement = (
        select(Subscription.id)
        .where(
            col(Subscription.status).in_((SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE)),
            col(Subscription.current_period_end) <= now,
        )
        .order_by(col(Subscription.current_period_end))
        .limit(limit)
    )
    return [row for row in (await session.exec(statement)).all() if row is not None]


async def due_for_retry(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[int]:
    statement = (
        select(Subscription.id)
        .where(col(Subscription.status) == SubscriptionStatus.PAST_DUE, col(Subscription.next_retry_at) <= now)
        .order_by(col(Subscription.next_retry_at))
        .limit(limit)
    )
    return [row for row in (await session.exec(statement)).all() if row is not None]


async def past_grace(session: AsyncSession, *, now: datetime, limit: int) -> Sequence[int]:
    """Past-due subscriptions with no retry left whose grace period is over."""
    statement = (
        select(Subscription.id)
        .where(
            col(Subscription.status) == SubscriptionStatus.PAST_DUE,
            col(Subscription.next_retry_at).is_(None),
            col(Subscription.grace_until) <= now,
        )
        .limit(limit)
    )
    return [row for row in (await session.exec(statement)).all() if row is not None]


async def membership_order(session: AsyncSession, public_id: str) -> Order | None:
    statement = select(Order).where(col(Order.public_id) == public_id, col(Order.kind) == OrderKind.MEMBERSHIP)
    return (await session.exec(statement)).first()


async def orders_of(session: AsyncSession, subscription_id: int) -> Sequence[Order]:
    statement = (
        select(Order)
        .where(col(Order.subscription_id) == subscription_id, col(Order.kind) == OrderKind.MEMBERSHIP)
        .order_by(col(Order.id))
    )
    return (await session.exec(statement)).all()


async def subscriptions_of_email(session: AsyncSession, email: str) -> Sequence[Subscription]:
    statement = (
        select(Subscription).where(col(Subscription.member_email) == email).order_by(col(Subscription.id).desc())
    )
    return (await session.exec(statement)).all()


async def subscriptions_of_creator(session: AsyncSession, creator_id: int) -> Sequence[Subscription]:
    statement = (
        select(Subscription)
        .where(col(Subscription.creator_id) == creator_id, col(Subscription.status) != SubscriptionStatus.INCOMPLETE)
        .order_by(col(Subscription.created_at).desc())
    )
    return (await session.exec(statement)).all()


async def paid_totals(session: AsyncSession, creator_id: int) -> dict[int, int]:
    """Per subscription id: what its paid membership orders brought, less refunds."""
    statement = (
        select(Order.subscription_id, func.sum(col(Order.amount) - col(Order.refunded_amount)))
        .where(
            col(Order.creator_id) == creator_id,
            col(Order.kind) == OrderKind.MEMBERSHIP,
            col(Order.status).in_(_PAID),
        )
        .group_by(col(Order.subscription_id))
    )
    return {sub_id: int(total or 0) for sub_id, total in (await session.exec(statement)).all() if sub_id is not None}


async def prices_of(session: AsyncSession, price_ids: list[int]) -> dict[int, TierPrice]:
    if not price_ids:
        return {}
    statement = select(TierPrice).where(col(TierPrice.id).in_(price_ids))
    return {price.id: price for price in (await session.exec(statement)).all() if price.id is not None}
