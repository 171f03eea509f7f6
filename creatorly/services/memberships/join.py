"""Join a tier: open the subscription and its first charge, then hand the fan to the payment provider."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError, InvalidInput, NotFound, ProviderError
from creatorly.kit.clock import utc_now
from creatorly.models import Order
from creatorly.models.enums import BillingInterval, OrderKind, OrderStatus, PaymentProviderName, SubscriptionStatus
from creatorly.models.memberships import Subscription, Tier, TierPrice
from creatorly.providers.payments.base import PaymentRequest, RecurringPaymentProvider
from creatorly.providers.registry import get_payment_provider, get_stripe_subscriptions
from creatorly.services.accounts.rules import validated_email
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout.routing import membership_provider_for
from creatorly.services.checkout.schemas import CheckoutStarted
from creatorly.services.creators import service as creators
from creatorly.services.delivery.service import order_page_url
from creatorly.services.memberships import clock, razorpay_billing, repository, subscriptions
from creatorly.services.orders import service as orders

# A join still paying holds its place in a capped tier this long (as a checkout does).
JOIN_HOLD = timedelta(hours=1)


class TierNotFound(NotFound):
    code = "tier_not_found"
    default_message = "This membership tier is not available."


class TierFull(CreatorlyError):
    code = "tier_full"
    status = 409
    default_message = "This tier is full."


class AlreadyMember(CreatorlyError):
    code = "already_member"
    status = 409
    default_message = "You already have a membership with this creator. Change its tier from your library."


class TrialUnavailable(CreatorlyError):
    code = "trial_unavailable"
    status = 409
    default_message = "Free trials are not available with this payment provider."


async def start_join(
    *,
    handle: str,
    tier_public_id: str,
    interval: str,
    buyer_email: str,
    checkout_key: str,
    buyer_user_id: int | None = None,
) -> CheckoutStarted:
    """Open a subscription (incomplete; trialing once its card is saved when a trial is allowed) and its first
    Order(kind=membership), then send the fan to pay it. The same `checkout_key` answers the first click again."""
    key = checkout.checked_checkout_key(checkout_key)
    address = validated_email(buyer_email)
    if interval not in set(BillingInterval):
        raise InvalidInput("Choose how often to pay.", field="interval")
    opened = await _open(
        handle=handle, tier_public_id=tier_public_id, interval=interval, email=address, key=key, user_id=buyer_user_id
    )
    if opened is None:
        return await checkout.resume_checkout(key, buyer_email=address)
    order, description, subscription_public_id = opened
    if order.provider == PaymentProviderName.STRIPE:
        return await _hand_to_stripe_card_page(order)
    if order.provider == PaymentProviderName.RAZORPAY:
        return await _hand_to_razorpay(order, subscription_public_id)
    if order.amount > 0:
        return await checkout.request_payment(order, description=description)
    return await _request_card_setup(order, description=description)


async def _open(
    *, handle: str, tier_public_id: str, interval: str, email: str, key: str, user_id: int | None
) -> tuple[Order, str, str] | None:
    try:
        async with db.transaction() as session:
            if await orders.find_by_checkout_key(session, key) is not None:
                return None
            tier, price = await _tier_and_price(session, handle, tier_public_id, interval)
            await _check_cap(session, tier)
            await _close_abandoned(session, tier.creator_id, email)
            is_trial = await _is_trial_allowed(session, tier, email, provider=membership_provider_for(price.currency))
            subscription = await _add_subscription(session, tier, price, email=email, user_id=user_id)
            order = await _add_first_order(session, subscription, amount=0 if is_trial else price.amount, key=key)
            return order, f"{tier.name} membership", subscription.public_id
    except IntegrityError:
        async with db.transaction() as session:
            if await orders.find_by_checkout_key(session, key) is None:
                raise AlreadyMember() from None  # the one-live-membership index: a concurrent join
        return None


async def _tier_and_price(
    session: AsyncSession, handle: str, tier_public_id: str, interval: str
) -> tuple[Tier, TierPrice]:
    creator = await creators.trading_creator_by_handle(session, handle)
    if creator is None or creator.id is None:
        raise TierNotFound()
    # Locking the tier serialises joins of it: the member cap holds under concurrency.
    tier = await repository.published_tier(session, creator_id=creator.id, public_id=tier_public_id, for_update=True)
    if tier is None or tier.id is None:
        raise TierNotFound()
    price = await repository.active_price(session, tier_id=tier.id, interval=interval)
    if price is None:
        raise InvalidInput("This tier is not offered for that period.", field="interval")
    return tier, price


async def _check_cap(session: AsyncSession, tier: Tier) -> None:
    if tier.member_cap is None:
        return
    assert tier.id is not None
    await repository.hold_tier(session, tier.id)
    held = await repository.count_holding_places(session, tier_id=tier.id, incomplete_since=utc_now() - JOIN_HOLD)
    if held >= tier.member_cap:
        raise TierFull()


async def _close_abandoned(session: AsyncSession, creator_id: int, email: str) -> None:
    """An earlier join never paid gives way to this one; a live membership refuses a second."""
    existing = await repository.live_subscription_of(session, creator_id=creator_id, email=email)
    if existing is None:
        return
    if existing.status != SubscriptionStatus.INCOMPLETE:
        raise AlreadyMember()
    await subscriptions.move(session, existing, SubscriptionStatus.CANCELED, kind="abandoned", detail="joined again")
    await session.flush()


async def _is_trial_allowed(session: AsyncSession, tier: Tier, email: str, *, provider: str) -> bool:
    """A tier with trial days gives one trial per email per creator (the card is checked once it is saved).
    Razorpay Subscriptions charge when the fan authorises them: no trial there, the fan pays at once."""
    if tier.trial_days <= 0 or provider == PaymentProviderName.RAZORPAY:
        return False
    used = await repository.trial_use(session, creator_id=tier.creator_id, identity=f"email:{email}")
    return used is None


async def _add_subscription(
    session: AsyncSession, tier: Tier, price: TierPrice, *, email: str, user_id: int | None
) -> Subscription:
    assert tier.id is not None and price.id is not None
    subscription = Subscription(
        public_id=f"sub_{secrets.token_hex(10)}",
        creator_id=tier.creator_id,
        tier_id=tier.id,
        tier_price_id=price.id,
        member_user_id=user_id,
        member_email=email,
        status=SubscriptionStatus.INCOMPLETE,
        interval=price.interval,
        amount=price.amount,
        currency=price.currency,
        provider=membership_provider_for(price.currency),
        created_at=clock.now(),
    )
    await repository.add(session, subscription)
    await subscriptions.record(session, subscription, "created", detail=f"{tier.name} {price.interval}")
    return subscription


async def _add_first_order(session: AsyncSession, subscription: Subscription, *, amount: int, key: str) -> Order:
    assert subscription.id is not None
    order = Order(
        public_id=subscriptions.new_public_id(subscriptions.FIRST_PREFIX),
        creator_id=subscription.creator_id,
        kind=OrderKind.MEMBERSHIP,
        subscription_id=subscription.id,
        buyer_user_id=subscription.member_user_id,
        buyer_email=subscription.member_email,
        amount=amount,
        currency=subscription.currency,
        checkout_key=key,
        status=OrderStatus.CREATED,
        provider=PaymentProviderName(subscription.provider),
        expires_at=utc_now() + checkout.CHECKOUT_LIFETIME,
    )
    order = await orders.add_order(session, order)
    await orders.transition(session, order, OrderStatus.PENDING, cause="membership join started")
    return order


async def _request_card_setup(order: Order, *, description: str) -> CheckoutStarted:
    """A trial charges nothing now but saves the card: a card setup on a provider that can charge it later."""
    provider = get_payment_provider(order.provider)
    if not isinstance(provider, RecurringPaymentProvider):
        raise TrialUnavailable()
    request = PaymentRequest(
        merchant_reference=order.public_id,
        amount=0,
        currency=order.currency,
        description=description[: checkout.MAX_DESCRIPTION_LENGTH],
        buyer_email=order.buyer_email,
        return_url=order_page_url(order.public_id),
        idempotency_key=f"order-{order.public_id}",
    )
    try:
        payment = await provider.create_card_setup(request)
    except ProviderError as error:
        raise checkout.CheckoutPaymentUnavailable() from error
    return await _handed_off(order, reference=payment.provider_reference, redirect_url=payment.redirect_url)


async def _hand_to_stripe_card_page(order: Order) -> CheckoutStarted:
    """Stripe Billing: our card page makes the Stripe subscription with the fan's card (see stripe_card_page)."""
    billing = get_stripe_subscriptions()
    if billing is None:
        raise checkout.CheckoutPaymentUnavailable()
    return await _handed_off(order, reference="", redirect_url=billing.membership_page_url(order.public_id))


async def _hand_to_razorpay(order: Order, subscription_public_id: str) -> CheckoutStarted:
    """Razorpay Subscriptions: make the subscription and send the fan to authorise it on Razorpay's page."""
    try:
        short_url = await razorpay_billing.subscribe_with_razorpay(
            subscription_public_id=subscription_public_id, member_email=order.buyer_email
        )
    except (ProviderError, razorpay_billing.RazorpayBillingUnavailable) as error:
        await _hand_off_failed(order, error)
        raise checkout.CheckoutPaymentUnavailable() from error
    return await _handed_off(order, reference="", redirect_url=short_url)


async def _hand_off_failed(order: Order, error: CreatorlyError) -> None:
    """As a checkout whose provider failed: the attempt is logged and the order fails (a repeated click says so;
    joining again opens a new one)."""
    async with db.transaction() as session:
        locked = await orders.find_by_public_id(session, order.public_id, for_update=True)
        assert locked is not None and locked.id is not None
        await orders.record_payment_attempt(
            session,
            order_id=locked.id,
            provider=order.provider,
            action=checkout.CREATE_PAYMENT,
            outcome="error",
            detail=error.message[:200],
        )
        if locked.status == OrderStatus.PENDING:
            await orders.transition(session, locked, OrderStatus.FAILED, cause=f"payment provider: {error.message}")


async def _handed_off(order: Order, *, reference: str, redirect_url: str) -> CheckoutStarted:
    """Record where the fan was sent, so a repeated click (same checkout key) is sent there again."""
    async with db.transaction() as session:
        locked = await orders.find_by_public_id(session, order.public_id, for_update=True)
        assert locked is not None and locked.id is not None
        if locked.provider_reference is None and reference:
            locked.provider_reference = reference
            session.add(locked)
        await orders.record_payment_attempt(
            session,
            order_id=locked.id,
            provider=order.provider,
            action=checkout.CREATE_PAYMENT,
            outcome="ok",
            detail=json.dumps({"reference": reference or order.public_id, "redirect_url": redirect_url}),
        )
    return CheckoutStarted(order_public_id=order.public_id, redirect_url=redirect_url)
