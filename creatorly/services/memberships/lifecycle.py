"""What a member does with a membership (cancel, resume, pause, change tier, library) and the creator's reads.

Member use cases take the subscription's public id and the member's email and refuse when they do not match;
the UI layer authenticates the member (session or library link) before calling them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.errors import CreatorlyError, InvalidInput, ProviderError
from creatorly.models import Order
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription, TierPrice
from creatorly.providers.payments.base import RecurringPaymentProvider, SavedCardChargeRequest
from creatorly.providers.registry import get_payment_provider
from creatorly.services.memberships import (
    clock,
    provider_changes,
    razorpay_resume,
    razorpay_upgrades,
    repository,
    rules,
    subscriptions,
)
from creatorly.services.memberships.creator_reads import active_members_by_tier as active_members_by_tier
from creatorly.services.memberships.creator_reads import members_of as members_of
from creatorly.services.memberships.creator_reads import mrr_by_tier as mrr_by_tier
from creatorly.services.memberships.member_reads import CHARGING, members_own, view
from creatorly.services.memberships.member_reads import SubscriptionNotFound as SubscriptionNotFound
from creatorly.services.memberships.member_reads import history as history
from creatorly.services.memberships.member_reads import list_member_subscriptions as list_member_subscriptions
from creatorly.services.memberships.provider_changes import BillingChangeFailed as BillingChangeFailed
from creatorly.services.memberships.provider_changes import UpgradeChargeFailed as UpgradeChargeFailed
from creatorly.services.memberships.renewals import RUN_DUE_JOB
from creatorly.services.memberships.schemas import MemberSubscription, TierChange
from creatorly.services.orders import service as orders


class SubscriptionChangeRefused(CreatorlyError):
    code = "subscription_change_refused"
    status = 409
    default_message = "This membership can't be changed that way now."


async def cancel_at_period_end(*, subscription_public_id: str, member_email: str) -> MemberSubscription:
    """Stop renewing: access lasts until the period (or trial) ends, then the membership ends."""

    def is_needed(subscription: Subscription) -> bool:
        if subscription.status not in (*CHARGING, SubscriptionStatus.PAUSED):
            raise SubscriptionChangeRefused()
        return not subscription.cancel_at_period_end

    async def apply(session: AsyncSession, subscription: Subscription) -> None:
        subscription.cancel_at_period_end = True
        session.add(subscription)
        await subscriptions.record(session, subscription, "cancel_scheduled", from_status=subscription.status)

    async def push(target: provider_changes.BillingTarget) -> None:
        await provider_changes.set_canceling(target, is_canceling=True)

    return await _change_membership(subscription_public_id, member_email, is_needed=is_needed, apply=apply, push=push)


async def resume(*, subscription_public_id: str, member_email: str) -> MemberSubscription:
    """Undo a scheduled cancellation while the period lasts. A Razorpay membership answers a `ResumeToAuthorise`:
    the member authorises a new Razorpay subscription from the period's end, whose webhook resumes it."""

    def is_needed(subscription: Subscription) -> bool:
        if subscription.status == SubscriptionStatus.CANCELED:
            raise SubscriptionChangeRefused("This membership has ended. Join again from the creator's page.")
        return subscription.cancel_at_period_end

    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        is_on_razorpay = is_needed(subscription) and razorpay_resume.is_resumed_on_razorpay(subscription)
        refused = razorpay_resume.refusal(subscription) if is_on_razorpay else ""
    if refused:
        raise SubscriptionChangeRefused(refused)
    if is_on_razorpay:
        return await razorpay_resume.resume(subscription_public_id=subscription_public_id, member_email=member_email)

    async def apply(session: AsyncSession, subscription: Subscription) -> None:
        subscription.cancel_at_period_end = False
        session.add(subscription)
        await subscriptions.record(session, subscription, "cancel_undone", from_status=subscription.status)

    async def push(target: provider_changes.BillingTarget) -> None:
        await provider_changes.set_canceling(target, is_canceling=False)

    return await _change_membership(subscription_public_id, member_email, is_needed=is_needed, apply=apply, push=push)


async def pause(*, subscription_public_id: str, member_email: str) -> MemberSubscription:
    """No charges and no access while paused."""

    def is_needed(subscription: Subscription) -> bool:
        if subscription.status == SubscriptionStatus.PAUSED:
            return False
        if subscription.status != SubscriptionStatus.ACTIVE:
            raise SubscriptionChangeRefused("Only an active membership can be paused.")
        return True

    async def apply(session: AsyncSession, subscription: Subscription) -> None:
        subscription.paused_at = clock.now()
        await subscriptions.move(session, subscription, SubscriptionStatus.PAUSED, kind="paused")

    async def push(target: provider_changes.BillingTarget) -> None:
        await provider_changes.set_paused(target, is_paused=True)

    return await _change_membership(subscription_public_id, member_email, is_needed=is_needed, apply=apply, push=push)


async def unpause(*, subscription_public_id: str, member_email: str) -> MemberSubscription:
    """Active again; a period that ended while paused is charged at the next renewal run (due now)."""

    def is_needed(subscription: Subscription) -> bool:
        if subscription.status not in (SubscriptionStatus.PAUSED, SubscriptionStatus.ACTIVE):
            raise SubscriptionChangeRefused()
        return subscription.status == SubscriptionStatus.PAUSED

    async def apply(session: AsyncSession, subscription: Subscription) -> None:
        now = clock.now()
        if subscription.current_period_end is not None and subscription.current_period_end < now:
            subscription.current_period_start = subscription.current_period_end = now
            queue.enqueue_after_commit(session, RUN_DUE_JOB)  # charge it now, not at the next sweep
        subscription.paused_at = None
        await subscriptions.move(session, subscription, SubscriptionStatus.ACTIVE, kind="unpaused")

    async def push(target: provider_changes.BillingTarget) -> None:
        await provider_changes.set_paused(target, is_paused=False)

    return await _change_membership(subscription_public_id, member_email, is_needed=is_needed, apply=apply, push=push)


async def _change_membership(
    subscription_public_id: str,
    member_email: str,
    *,
    is_needed: Callable[[Subscription], bool],
    apply: Callable[[AsyncSession, Subscription], Awaitable[None]],
    push: Callable[[provider_changes.BillingTarget], Awaitable[None]],
) -> MemberSubscription:
    """Check, ask the billing provider outside any transaction, then write our rows only once it said yes.

    `is_needed` refuses (raises) or says whether anything is to change; it runs again after the provider call,
    as the provider's own webhook may have written the change meanwhile. A sandbox membership is changed at once.
    """
    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        target = await provider_changes.target_of(session, subscription) if is_needed(subscription) else None
        if target is None:
            if is_needed(subscription):
                await apply(session, subscription)
            return await view(session, subscription)
    await push(target)
    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        if is_needed(subscription):
            await apply(session, subscription)
        return await view(session, subscription)


# --- Changing tier ---------------------------------------------------------------------------------


async def change_tier(
    *, subscription_public_id: str, member_email: str, tier_public_id: str, interval: str = ""
) -> TierChange:
    """Upgrade now, charging the prorated difference to the saved card; downgrade at the next renewal.

    The upgrade applies when its charge's webhook pays the order (at once when nothing is due). A membership
    billed by Stripe or Razorpay is changed there first (see `_change_billed_tier`); a Razorpay upgrade owing
    something answers a `TierChangeToPay`, whose `payment_url` is where the member pays it.
    """
    async with db.transaction() as session:
        target = await provider_changes.target_of(
            session, await members_own(session, subscription_public_id, member_email)
        )
    if target is not None:
        return await _change_billed_tier(
            target,
            subscription_public_id=subscription_public_id,
            member_email=member_email,
            tier_public_id=tier_public_id,
            interval=interval,
        )
    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        if subscription.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
            raise SubscriptionChangeRefused("Only an active membership can change tier.")
        price, is_upgrade = await _target(session, subscription, tier_public_id, interval or subscription.interval)
        assert price.id is not None
        now = clock.now()
        if not is_upgrade:
            subscription.pending_tier_price_id = price.id
            session.add(subscription)
            await subscriptions.record(session, subscription, "downgrade_scheduled", from_status=subscription.status)
            return _change(subscription, False, 0, "", subscription.current_period_end or now)
        amount = _proration(subscription, price, now)
        if amount == 0:
            await subscriptions.apply_price(
                session, subscription, price.id, kind="upgraded", detail="nothing to charge"
            )
            return _change(subscription, True, 0, "", now)
        if not subscription.provider_reference or not isinstance(
            get_payment_provider(subscription.provider), RecurringPaymentProvider
        ):
            raise SubscriptionChangeRefused("Upgrading now isn't available for this payment method yet.")
        order = await _upgrade_order(session, subscription, price, amount)
        payment_method, provider = subscription.provider_reference, subscription.provider
    await _charge_upgrade(order, payment_method=payment_method, provider=provider)
    return _change(subscription, True, amount, order.public_id, now)


async def _change_billed_tier(
    target: provider_changes.BillingTarget,
    *,
    subscription_public_id: str,
    member_email: str,
    tier_public_id: str,
    interval: str,
) -> TierChange:
    """Stripe's subscription moves to the new price first (no proration there) and an upgrade then charges our
    prorated difference; a Razorpay upgrade is an order the member pays on Razorpay's page (razorpay_upgrades).
    Either payment's webhook applies the upgrade; otherwise our rows follow once the provider said yes."""
    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        if subscription.status not in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING):
            raise SubscriptionChangeRefused("Only an active membership can change tier.")
        price, is_upgrade = await _target(session, subscription, tier_public_id, interval or subscription.interval)
        plan = await provider_changes.plan_change(session, subscription, price)
        now = clock.now()
        amount = _proration(subscription, price, now) if is_upgrade else 0
        if amount > 0 and not target.is_stripe:
            assert price.id is not None
            order = await razorpay_upgrades.reusable_order(
                session, subscription, price_id=price.id, amount=amount
            ) or await _upgrade_order(session, subscription, price, amount)
    if amount > 0 and not target.is_stripe:
        # Razorpay can't charge off-session: the member pays on its page; that payment's webhook upgrades.
        page = await razorpay_upgrades.payment_url(order)
        return razorpay_upgrades.to_pay(_change(subscription, True, amount, order.public_id, now), page)
    if amount > 0:
        previous_plan = await provider_changes.move_for_upgrade(target, plan)
        async with db.transaction() as session:
            subscription = await members_own(session, subscription_public_id, member_email)
            order = await _upgrade_order(session, subscription, price, amount)
        try:
            await provider_changes.charge_upgrade(target, order, previous_plan=previous_plan)
        except CreatorlyError:
            await _fail_upgrade_order(order.public_id)
            raise
        return _change(subscription, True, amount, order.public_id, now)
    await provider_changes.change_plan(target, plan)
    async with db.transaction() as session:
        subscription = await members_own(session, subscription_public_id, member_email)
        assert price.id is not None
        if is_upgrade:
            await subscriptions.apply_price(
                session, subscription, price.id, kind="upgraded", detail="nothing to charge"
            )
        else:
            subscription.pending_tier_price_id = price.id
            session.add(subscription)
            await subscriptions.record(session, subscription, "downgrade_scheduled", from_status=subscription.status)
    return _change(subscription, is_upgrade, 0, "", now if is_upgrade else subscription.current_period_end or now)


async def _fail_upgrade_order(order_public_id: str) -> None:
    async with db.transaction() as session:
        order = await orders.find_by_public_id(session, order_public_id, for_update=True)
        if order is not None and order.status in (OrderStatus.CREATED, OrderStatus.PENDING):
            await orders.transition(session, order, OrderStatus.FAILED, cause="upgrade charge failed")


def _change(subscription: Subscription, is_upgrade: bool, amount: int, order_id: str, at: datetime) -> TierChange:
    return TierChange(
        subscription_public_id=subscription.public_id,
        is_upgrade=is_upgrade,
        charged_amount=amount,
        currency=subscription.currency,
        order_public_id=order_id,
        effective_at=at,
    )


def _proration(subscription: Subscription, price: TierPrice, now: datetime) -> int:
    if subscription.status == SubscriptionStatus.TRIALING:
        return 0  # nothing was paid for the trial: the new price applies from its end
    assert subscription.current_period_start is not None and subscription.current_period_end is not None
    return rules.prorated_charge(
        old_amount=subscription.amount,
        new_amount=price.amount,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
        now=now,
    )


async def _target(
    session: AsyncSession, subscription: Subscription, tier_public_id: str, interval: str
) -> tuple[TierPrice, bool]:
    tier = await repository.published_tier(session, creator_id=subscription.creator_id, public_id=tier_public_id)
    current = await repository.get_tier(session, subscription.tier_id)
    if tier is None or tier.id is None or current is None:
        raise SubscriptionNotFound("This tier is not available.")
    if interval != subscription.interval:
        raise InvalidInput("Change tier within the same billing period.", field="interval")
    price = await repository.active_price(session, tier_id=tier.id, interval=interval)
    if price is None or price.id == subscription.tier_price_id:
        raise SubscriptionChangeRefused("You are already on this tier.")
    is_upgrade = rules.is_upgrade(
        old_position=current.position,
        old_monthly=rules.monthly_amount(subscription.amount, subscription.interval),
        new_position=tier.position,
        new_monthly=rules.monthly_amount(price.amount, price.interval),
    )
    return price, is_upgrade


async def _upgrade_order(session: AsyncSession, subscription: Subscription, price: TierPrice, amount: int) -> Order:
    assert subscription.id is not None and price.id is not None
    order = await orders.add_order(
        session,
        Order(
            public_id=subscriptions.upgrade_order_id(subscription, price.id),
            creator_id=subscription.creator_id,
            kind=OrderKind.MEMBERSHIP,
            subscription_id=subscription.id,
            buyer_user_id=subscription.member_user_id,
            buyer_email=subscription.member_email,
            amount=amount,
            currency=subscription.currency,
            status=OrderStatus.CREATED,
            provider=PaymentProviderName(subscription.provider),
        ),
    )
    await orders.transition(session, order, OrderStatus.PENDING, cause="membership upgrade")
    await subscriptions.record(
        session, subscription, "upgrade_requested", from_status=subscription.status, detail=order.public_id
    )
    return order


async def _charge_upgrade(order: Order, *, payment_method: str | None, provider: str) -> None:
    payment_provider = get_payment_provider(provider)
    if not payment_method or not isinstance(payment_provider, RecurringPaymentProvider):
        raise UpgradeChargeFailed()
    request = SavedCardChargeRequest(
        payment_method=payment_method,
        merchant_reference=order.public_id,
        amount=order.amount,
        currency=order.currency,
        description="Membership upgrade",
        idempotency_key=f"{order.public_id}-a1",
    )
    try:
        result = await payment_provider.charge_saved_card(request)
    except ProviderError as error:
        raise UpgradeChargeFailed() from error
    if not result.is_succeeded:
        raise UpgradeChargeFailed()
