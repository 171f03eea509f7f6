"""A member's own memberships: finding one by its public id and email, the views the library shows and history."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import NotFound
from creatorly.kit.clock import as_utc
from creatorly.models.enums import SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.services.accounts.rules import normalize_email
from creatorly.services.memberships import repository, subscriptions
from creatorly.services.memberships.schemas import HistoryEntry, MemberSubscription
from creatorly.services.orders.rules import PAID_STATUSES

CHARGING = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)


class SubscriptionNotFound(NotFound):
    code = "subscription_not_found"
    default_message = "We couldn't find that membership."


async def members_own(session: AsyncSession, subscription_public_id: str, member_email: str) -> Subscription:
    subscription = await repository.by_public_id(session, subscription_public_id, for_update=True)
    if subscription is None or subscription.member_email != normalize_email(member_email):
        raise SubscriptionNotFound()
    return subscription


async def list_member_subscriptions(*, email: str) -> list[MemberSubscription]:
    """Every membership of this email, newest first, with status, next charge date and amount."""
    async with db.transaction() as session:
        return [
            await view(session, row) for row in await repository.subscriptions_of_email(session, normalize_email(email))
        ]


async def history(*, subscription_public_id: str, member_email: str) -> list[HistoryEntry]:
    """The membership's changes and its receipts (paid membership orders), oldest first."""
    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        assert subscription.id is not None
        entries = [
            HistoryEntry(at=event.created_at, kind=event.kind, detail=event.detail)
            for event in await repository.events_of(session, subscription.id)
        ]
        for order in await repository.orders_of(session, subscription.id):
            if order.status in PAID_STATUSES and order.paid_at is not None:
                entries.append(
                    HistoryEntry(
                        at=order.paid_at,
                        kind="receipt",
                        detail=subscriptions.purpose_of(order.public_id).kind,
                        order_public_id=order.public_id,
                        amount=order.amount,
                        currency=order.currency,
                    )
                )
    return sorted(entries, key=lambda entry: as_utc(entry.at))


async def view(session: AsyncSession, subscription: Subscription) -> MemberSubscription:
    tier = await repository.get_tier(session, subscription.tier_id)
    pending = (
        await repository.get_price(session, subscription.pending_tier_price_id)
        if subscription.pending_tier_price_id is not None
        else None
    )
    pending_tier = await repository.get_tier(session, pending.tier_id) if pending is not None else None
    is_charging = subscription.status in CHARGING and not subscription.cancel_at_period_end
    next_at = (
        subscription.next_retry_at
        if subscription.status == SubscriptionStatus.PAST_DUE
        else subscription.current_period_end
    )
    return MemberSubscription(
        public_id=subscription.public_id,
        creator_id=subscription.creator_id,
        tier_public_id=tier.public_id if tier is not None else "",
        tier_name=tier.name if tier is not None else "",
        status=subscription.status,
        interval=subscription.interval,
        amount=subscription.amount,
        currency=subscription.currency,
        current_period_end=subscription.current_period_end,
        next_charge_at=next_at if is_charging else None,
        next_charge_amount=(pending.amount if pending is not None else subscription.amount) if is_charging else 0,
        cancel_at_period_end=subscription.cancel_at_period_end,
        pending_tier_name=pending_tier.name if pending_tier is not None else "",
        trial_end=subscription.trial_end,
        grace_until=subscription.grace_until,
    )
