"""Products free for members: a product names the lowest tier whose members get it without paying.

A member whose live membership is at that tier or above claims it: a zero-amount product order, paid at once
("free for members") and delivered through checkout's normal fulfilment (entitlements, receipt, library).
One order per person and product: a second claim answers the first order.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError, NotFound
from creatorly.kit.clock import utc_now
from creatorly.models import Order, Product, Tier
from creatorly.models.enums import OrderStatus
from creatorly.services.accounts import authorization
from creatorly.services.accounts.schemas import CurrentUser
from creatorly.services.catalog import service as catalog
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout.routing import provider_for
from creatorly.services.checkout.schemas import CheckoutStarted
from creatorly.services.delivery.service import order_page_url
from creatorly.services.memberships import access, repository
from creatorly.services.orders import service as orders

CAUSE = "free for members"
_KEY_PREFIX = "mfree"


class NotFreeForMembers(NotFound):
    code = "not_free_for_members"
    default_message = "This product isn't free for members."


class MemberSignInRequired(CreatorlyError):
    code = "member_sign_in_required"
    status = 401
    default_message = "Sign in with the email of your membership to get it free."


class MembershipTierTooLow(CreatorlyError):
    code = "membership_tier_too_low"
    status = 403
    default_message = "Your membership doesn't include this product."


@dataclass(frozen=True, slots=True)
class MemberOffer:
    """What the product page says about members: the tier ("" when not free for members) and the reader's standing."""

    tier_name: str = ""
    is_eligible: bool = False


async def member_offer(*, handle: str, slug: str, session_token: str = "", now: datetime | None = None) -> MemberOffer:
    """Whether the product is free for members of some tier, and whether the reader is one now."""
    reader = await access.reader_of(session_token)
    async with db.transaction() as session:
        product = await catalog.published_product(session, handle=handle, slug=slug)
        tier = await _free_tier(session, product)
        if tier is None:
            return MemberOffer()
        position = await access.member_tier_position(
            session, creator_id=product.creator_id, user_id=reader.user_id, email=reader.email, now=now or utc_now()
        )
        return MemberOffer(tier_name=tier.name, is_eligible=position is not None and position >= tier.position)


async def claim_member_product(
    *, handle: str, slug: str, session_token: str, now: datetime | None = None
) -> CheckoutStarted:
    """Give a qualifying member the product: a paid zero-amount order (or their earlier one) and its order page."""
    user = await _signed_in(session_token)
    key = ""
    try:
        async with db.transaction() as session:
            product = await catalog.published_product_for_checkout(session, handle=handle, slug=slug)
            assert product.id is not None
            key = _claim_key(product.id, user.id)
            existing = await orders.find_by_checkout_key(session, key)
            if existing is not None:
                return _started(existing)
            await _check_member(session, product, user, now or utc_now())
            await _check_stock(session, product)
            order = await orders.add_order(session, _free_order(product, user, key))
            await orders.transition(session, order, OrderStatus.PENDING, cause=CAUSE)
            await checkout.fulfill_paid_order(session, order, provider_fee=0, cause=CAUSE)
            return _started(order)
    except IntegrityError:
        # A second click raced the first: its order is the one.
        async with db.transaction() as session:
            existing = await orders.find_by_checkout_key(session, key) if key else None
            if existing is None:
                raise
            return _started(existing)


def _claim_key(product_id: int, user_id: int) -> str:
    """The checkout key of a person's member claim of a product: the same on every click (unique in orders)."""
    return f"{_KEY_PREFIX}_{product_id}_{user_id}"


def _started(order: Order) -> CheckoutStarted:
    return CheckoutStarted(order_public_id=order.public_id, redirect_url=order_page_url(order.public_id))


async def _signed_in(session_token: str) -> CurrentUser:
    try:
        return await authorization.require_user(session_token)
    except CreatorlyError as error:
        raise MemberSignInRequired() from error


async def _free_tier(session: AsyncSession, product: Product) -> Tier | None:
    if product.members_free_tier_id is None:
        return None
    tier = await repository.get_tier(session, product.members_free_tier_id)
    return tier if tier is not None and tier.creator_id == product.creator_id else None


async def _check_member(session: AsyncSession, product: Product, user: CurrentUser, now: datetime) -> None:
    tier = await _free_tier(session, product)
    if tier is None:
        raise NotFreeForMembers()
    email = user.email if user.is_email_verified else None
    position = await access.member_tier_position(
        session, creator_id=product.creator_id, user_id=user.id, email=email, now=now
    )
    if position is None or position < tier.position:
        raise MembershipTierTooLow(
            f"This is free for members of {tier.name} and above. "
            f"Join or upgrade to {tier.name} to get it free, or buy it."
        )


async def _check_stock(session: AsyncSession, product: Product) -> None:
    """Member claims count against a limited quantity like sales (the product row is locked)."""
    if product.quantity_limit is None:
        return
    assert product.id is not None
    held = await orders.count_open_pending(session, product.id, now=utc_now())
    if product.sold_count + held >= product.quantity_limit:
        raise checkout.ProductSoldOut()


def _free_order(product: Product, user: CurrentUser, key: str) -> Order:
    assert product.id is not None
    return Order(
        public_id=f"ord_{secrets.token_hex(10)}",
        creator_id=product.creator_id,
        product_id=product.id,
        buyer_user_id=user.id,
        buyer_email=user.email,
        amount=0,
        currency=product.currency,
        checkout_key=key,
        status=OrderStatus.CREATED,
        provider=provider_for(product.currency),
    )
