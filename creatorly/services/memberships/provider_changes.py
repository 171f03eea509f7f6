"""A member's changes pushed to the provider that bills the membership: Stripe Billing or Razorpay Subscriptions.

lifecycle calls these between its transactions, never inside one: it reads the membership and its billing target,
commits, asks the provider here, then writes our rows only once the provider said yes. A sandbox membership has
no target: our rows are its billing, so nothing is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.errors import CreatorlyError, ProviderError
from creatorly.kit.clock import as_utc
from creatorly.models import Order
from creatorly.models.enums import PaymentProviderName
from creatorly.models.memberships import Subscription, TierPrice
from creatorly.observability import get_logger
from creatorly.providers.payments.razorpay import RazorpaySubscriptions
from creatorly.providers.payments.stripe_subscriptions import StripePlan, StripeSubscriptions
from creatorly.providers.registry import get_razorpay_subscriptions, get_stripe_subscriptions
from creatorly.services.memberships import repository

STRIPE, RAZORPAY = PaymentProviderName.STRIPE, PaymentProviderName.RAZORPAY
# The SubscriptionEvent that names the Stripe subscription (sub_…) billing a membership.
STRIPE_SUBSCRIPTION = "stripe_subscription"
# In a Razorpay subscription's notes (beside merchant_reference): it carries a resumed membership on.
RESUME_PURPOSE = "resume"

logger = get_logger(__name__)


class BillingChangeFailed(CreatorlyError):
    code = "billing_change_failed"
    status = 502
    default_message = "We couldn't reach the payment provider to change your membership. Nothing was changed."


class UpgradeChargeFailed(CreatorlyError):
    code = "upgrade_charge_failed"
    status = 402
    default_message = "We couldn't charge your card for the upgrade. Your membership is unchanged."


@dataclass(frozen=True, slots=True)
class BillingTarget:
    """Where a membership is billed: the provider, its subscription id and (Stripe) the customer."""

    provider: str
    subscription_id: str
    customer_id: str = ""

    @property
    def is_stripe(self) -> bool:
        return self.provider == STRIPE


@dataclass(frozen=True, slots=True)
class PlanChange:
    """The price to bill from now on (a plan made for it at the provider), named by our ids."""

    amount: int
    currency: str
    interval: str
    product_name: str
    reference: str  # idempotency and merchant reference: our subscription and the new price


@dataclass(frozen=True, slots=True)
class ResumePlan:
    """A new Razorpay subscription that carries a cancelling membership on from its period's end."""

    amount: int
    interval: str
    product_name: str
    subscription_public_id: str
    start_at: datetime


async def stripe_subscription_id(session: AsyncSession, subscription: Subscription) -> str:
    """The Stripe subscription billing this membership (the latest one made for it), or '' when none was."""
    if subscription.id is None:
        return ""
    events = await repository.events_of(session, subscription.id)
    made = [event.detail for event in events if event.kind == STRIPE_SUBSCRIPTION and event.detail]
    return made[-1] if made else ""


async def target_of(session: AsyncSession, subscription: Subscription) -> BillingTarget | None:
    """The provider subscription to change with ours; None when our rows are the billing (sandbox, or a
    membership with no provider subscription yet)."""
    if subscription.provider == STRIPE:
        stripe_id = await stripe_subscription_id(session, subscription)
        if stripe_id and subscription.provider_reference:
            return BillingTarget(STRIPE, stripe_id, customer_id=subscription.provider_reference)
    if subscription.provider == RAZORPAY and subscription.provider_reference:
        return BillingTarget(RAZORPAY, subscription.provider_reference)
    return None


async def plan_change(session: AsyncSession, subscription: Subscription, price: TierPrice) -> PlanChange:
    tier = await repository.get_tier(session, price.tier_id)
    return PlanChange(
        amount=price.amount,
        currency=price.currency,
        interval=price.interval,
        product_name=f"{tier.name if tier else 'Membership'} membership",
        reference=f"{subscription.public_id}-price-{price.id}",
    )


async def resume_plan(session: AsyncSession, subscription: Subscription) -> ResumePlan:
    """The price the membership renews at (a scheduled downgrade's, if any), from the period's end."""
    assert subscription.current_period_end is not None
    pending = (
        await repository.get_price(session, subscription.pending_tier_price_id)
        if subscription.pending_tier_price_id is not None
        else None
    )
    tier = await repository.get_tier(session, pending.tier_id if pending is not None else subscription.tier_id)
    return ResumePlan(
        amount=pending.amount if pending is not None else subscription.amount,
        interval=pending.interval if pending is not None else subscription.interval,
        product_name=f"{tier.name if tier else 'Membership'} membership",
        subscription_public_id=subscription.public_id,
        start_at=as_utc(subscription.current_period_end),
    )


def _stripe() -> StripeSubscriptions:
    billing = get_stripe_subscriptions()
    if billing is None:
        raise BillingChangeFailed("Stripe is not available right now. Nothing was changed.")
    return billing


def _razorpay() -> RazorpaySubscriptions:
    billing = get_razorpay_subscriptions()
    if billing is None:
        raise BillingChangeFailed("Razorpay is not available right now. Nothing was changed.")
    return billing


def _failed(target: BillingTarget, action: str, error: ProviderError) -> BillingChangeFailed:
    logger.warning("billing_change_failed", provider=target.provider, action=action, is_retryable=error.is_retryable)
    return BillingChangeFailed()


async def set_canceling(target: BillingTarget, *, is_canceling: bool) -> None:
    """Cancel at the period's end (or, on Stripe, undo that)."""
    try:
        if target.is_stripe:
            await _stripe().set_cancel_at_period_end(target.subscription_id, is_canceling=is_canceling)
        elif is_canceling:
            await _razorpay().cancel_at_cycle_end(target.subscription_id)
        else:
            # Razorpay can't undo cancel_at_cycle_end: a resume is a new subscription (create_resume_subscription).
            raise BillingChangeFailed("Resume this membership from your library to authorise it again on Razorpay.")
    except ProviderError as error:
        raise _failed(target, "cancel" if is_canceling else "resume", error) from None


async def create_resume_subscription(plan: ResumePlan) -> tuple[str, str]:
    """Make the Razorpay subscription that bills the membership from its period's end (nothing charged before);
    answers (its sub_… id, the page where the member authorises it)."""
    try:
        return await _razorpay().create_subscription(
            amount=plan.amount,
            interval=plan.interval,
            product_name=plan.product_name,
            merchant_reference=plan.subscription_public_id,
            start_at=plan.start_at,
            purpose=RESUME_PURPOSE,
        )
    except ProviderError as error:
        logger.warning("billing_change_failed", provider=RAZORPAY, action="resume", is_retryable=error.is_retryable)
        raise BillingChangeFailed(
            "We couldn't reach Razorpay to resume your membership. Nothing was changed; please try again."
        ) from None


async def set_paused(target: BillingTarget, *, is_paused: bool) -> None:
    try:
        if target.is_stripe:
            await _stripe().set_paused(target.subscription_id, is_paused=is_paused)
        elif is_paused:
            await _razorpay().pause(target.subscription_id)
        else:
            await _razorpay().resume(target.subscription_id)
    except ProviderError as error:
        raise _failed(target, "pause" if is_paused else "unpause", error) from None


async def change_plan(target: BillingTarget, plan: PlanChange) -> None:
    """Bill the new price from the next period on, with no charge now (a downgrade, or an upgrade owing nothing)."""
    try:
        if target.is_stripe:
            await _stripe().change_plan(target.subscription_id, _stripe_plan(plan))
        else:
            await _razorpay().change_plan(
                target.subscription_id,
                amount=plan.amount,
                interval=plan.interval,
                product_name=plan.product_name,
                merchant_reference=plan.reference,
            )
    except ProviderError as error:
        raise _failed(target, "change plan", error) from None


async def move_for_upgrade(target: BillingTarget, plan: PlanChange) -> str:
    """Stripe: bill the new price from the next invoice on (no Stripe proration: we charge the difference with
    `charge_upgrade`). Answers the plan it was on, to put back if that charge fails."""
    if not target.is_stripe:
        raise UpgradeChargeFailed("Upgrading now isn't available for this payment method yet.")
    try:
        return await _stripe().change_plan(target.subscription_id, _stripe_plan(plan))
    except ProviderError as error:
        raise _failed(target, "upgrade", error) from None


async def charge_upgrade(target: BillingTarget, order: Order, *, previous_plan: str) -> None:
    """Charge our prorated difference to the saved card with a PaymentIntent naming the upgrade order (its
    webhook applies the upgrade). When the charge fails the old price is put back and UpgradeChargeFailed says so."""
    billing = _stripe()
    try:
        is_paid = await billing.charge_customer(
            customer_id=target.customer_id,
            amount=order.amount,
            currency=order.currency,
            merchant_reference=order.public_id,
            idempotency_key=f"{order.public_id}-a1",
        )
    except ProviderError:
        is_paid = False
    if is_paid:
        return
    try:
        await billing.restore_plan(target.subscription_id, previous_plan)
    except ProviderError:
        logger.error("stripe_plan_not_restored", subscription=target.subscription_id, order=order.public_id)
    raise UpgradeChargeFailed()


def _stripe_plan(plan: PlanChange) -> StripePlan:
    return StripePlan(
        amount=plan.amount,
        currency=plan.currency,
        interval=plan.interval,
        product_name=plan.product_name,
        idempotency_key=plan.reference,
    )
