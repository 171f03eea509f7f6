"""The card page of a fan joining a Stripe-billed tier: what it shows, taking the card, and whether it is live yet.

The page is named by the membership's first order (an unguessable public id, like a PaymentIntent's). Taking the
card makes the Stripe subscription (stripe_billing.subscribe_with_stripe); the first invoice's signed webhook then
activates the membership, and the page, which polls `membership_state`, says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from creatorly import db
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.money import format_money
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription
from creatorly.observability import get_logger
from creatorly.providers.registry import get_stripe_provider, get_stripe_subscriptions
from creatorly.services.checkout.pay_pages import CONFIRM_CARD, PayPage, StripeCardResult, is_payment_method_id
from creatorly.services.delivery.service import order_page_url
from creatorly.services.memberships import provider_changes, repository, stripe_billing, subscriptions, tier_rules
from creatorly.services.orders import service as orders

MembershipState = Literal["pay", "activating", "active", "ended"]
# Stripe.js without PaymentMethods (localstripe's) hands over a card token, which a customer can keep as its card.
_CARD_TOKEN = re.compile(r"^tok_[A-Za-z0-9]{1,120}$")

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class MembershipCardPage:
    """`state`: pay (the card form), activating (waiting for Stripe's first invoice webhook), active, ended."""

    page: PayPage
    state: MembershipState
    publishable_key: str
    stripe_js_url: str
    trial_days: int
    button_label: str
    receipt_url: str  # the first order's page (its receipt once paid)


@dataclass(frozen=True, slots=True)
class _Joining:
    order_public_id: str
    order_status: str
    subscription: Subscription
    tier_name: str
    trial_days: int
    has_stripe_subscription: bool


async def _joining(order_public_id: str) -> _Joining:
    """The first order of a Stripe-billed join and its subscription; NotFound for anything else."""
    async with db.transaction() as session:
        order = await orders.find_by_public_id(session, order_public_id.strip())
        if (
            order is None
            or order.kind != OrderKind.MEMBERSHIP
            or order.provider != PaymentProviderName.STRIPE
            or order.subscription_id is None
            or subscriptions.purpose_of(order.public_id).kind != "first"
        ):
            raise NotFound()
        subscription = await session.get(Subscription, order.subscription_id)
        if subscription is None:
            raise NotFound()
        tier = await repository.get_tier(session, subscription.tier_id)
        has_stripe_subscription = bool(await provider_changes.stripe_subscription_id(session, subscription))
    return _Joining(
        order_public_id=order.public_id,
        order_status=str(order.status),
        subscription=subscription,
        tier_name=tier.name if tier is not None else "Membership",
        trial_days=tier.trial_days if tier is not None and order.amount == 0 else 0,
        has_stripe_subscription=has_stripe_subscription,
    )


def _state(joining: _Joining) -> MembershipState:
    status = joining.subscription.status
    if status == SubscriptionStatus.CANCELED:
        return "ended"
    if status != SubscriptionStatus.INCOMPLETE:
        return "active"
    if joining.has_stripe_subscription:
        return "activating"
    return "ended" if joining.order_status == OrderStatus.EXPIRED else "pay"


def _price_label(joining: _Joining) -> str:
    subscription = joining.subscription
    price = tier_rules.price_label(subscription.amount, subscription.currency, subscription.interval)
    return f"Free for {joining.trial_days} days, then {price}" if joining.trial_days else price


async def membership_card_page(order_public_id: str) -> MembershipCardPage:
    """The page's content; NotFound when Stripe is off or the order is not a Stripe-billed join."""
    provider = get_stripe_provider()
    billing = get_stripe_subscriptions()
    if provider is None or billing is None or not provider.publishable_key:
        raise NotFound()
    joining = await _joining(order_public_id)
    subscription = joining.subscription
    state = _state(joining)
    page = PayPage(
        order_public_id=joining.order_public_id,
        product_title=f"{joining.tier_name} membership",
        amount=subscription.amount,
        currency=subscription.currency,
        amount_label=_price_label(joining),
        buyer_email=subscription.member_email,
        order_url=billing.membership_page_url(joining.order_public_id),
        is_paid=state != "pay",
        is_expired=state == "ended",
    )
    first_charge = format_money(subscription.amount, subscription.currency)
    return MembershipCardPage(
        page=page,
        state=state,
        publishable_key=provider.publishable_key,
        stripe_js_url=provider.stripe_js_url,
        trial_days=joining.trial_days,
        button_label="Start free trial" if joining.trial_days else f"Join and pay {first_charge}",
        receipt_url=order_page_url(joining.order_public_id),
    )


async def membership_state(order_public_id: str) -> MembershipState:
    """What the page shows now (it polls this while the first invoice's webhook is on its way)."""
    return _state(await _joining(order_public_id))


async def confirm_membership_card(order_public_id: str, payment_method_id: str) -> StripeCardResult:
    """Make the Stripe subscription with the card Stripe.js collected, outside any transaction. A join already
    past this step (a double submit, a reload) answers success without asking Stripe again."""
    method = payment_method_id.strip()
    if not (is_payment_method_id(method) or _CARD_TOKEN.match(method)):
        raise InvalidInput("Please check your card details and try again.", field="payment_method")
    billing = get_stripe_subscriptions()
    if billing is None:
        raise NotFound()
    joining = await _joining(order_public_id)
    page_url = billing.membership_page_url(joining.order_public_id)
    state = _state(joining)
    if state == "ended":
        raise stripe_billing.StripeBillingUnavailable("This membership checkout has ended. Please join again.")
    if state != "pay":
        return StripeCardResult(status="succeeded", redirect_url=page_url)
    result = await stripe_billing.subscribe_with_stripe(
        subscription_public_id=joining.subscription.public_id,
        member_email=joining.subscription.member_email,
        payment_method_id=method,
    )
    await _log(joining.order_public_id, result.status)
    return StripeCardResult(
        status=result.status, redirect_url=page_url, client_secret=result.client_secret, message=result.message
    )


async def _log(order_public_id: str, outcome: str) -> None:
    """The payment log line; never the card, the payment method or the client secret."""
    async with db.transaction() as session:
        order = await orders.find_by_public_id(session, order_public_id)
        assert order is not None and order.id is not None
        await orders.record_payment_attempt(
            session,
            order_id=order.id,
            provider=PaymentProviderName.STRIPE,
            action=CONFIRM_CARD,
            outcome=outcome,
            detail="membership card",
        )
    logger.info("stripe_membership_card_confirmed", order=order_public_id, outcome=outcome)
