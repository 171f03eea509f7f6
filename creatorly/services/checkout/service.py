"""Checkout use cases: open an order, send the buyer to pay, fulfil paid orders, expire abandoned ones."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import CreatorlyError, InvalidInput, ProviderError
from creatorly.kit.clock import utc_now
from creatorly.kit.money import format_money
from creatorly.models import Order, Product
from creatorly.models.enums import OrderKind, OrderStatus
from creatorly.observability import get_logger
from creatorly.providers.payments.base import CreatedPayment, PaymentRequest
from creatorly.providers.registry import get_payment_provider
from creatorly.services.accounts.rules import validated_email
from creatorly.services.analytics import tracking
from creatorly.services.catalog import service as catalog
from creatorly.services.checkout.routing import provider_for
from creatorly.services.checkout.schemas import CheckoutStarted
from creatorly.services.creators import service as creators
from creatorly.services.delivery.service import order_page_url
from creatorly.services.discounts import service as discounts
from creatorly.services.email import service as email
from creatorly.services.ledger import escrow
from creatorly.services.ledger import service as ledger
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES, amount_due

CHECKOUT_LIFETIME = timedelta(hours=1)
CREATE_PAYMENT = "create_payment"
# A second click with the same key waits this long for the first one's payment page, then gives up.
RESUME_WAIT_SECONDS = 15.0
RESUME_POLL_SECONDS = 0.1
MAX_DESCRIPTION_LENGTH = 200
_CHECKOUT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

logger = get_logger(__name__)


class ProductSoldOut(CreatorlyError):
    code = "product_sold_out"
    status = 409
    default_message = "Sold out"


class CheckoutPaymentUnavailable(CreatorlyError):
    code = "payment_provider_unavailable"
    status = 502
    default_message = "We couldn't reach the payment provider. Please try again."


class CheckoutFailed(CreatorlyError):
    code = "checkout_failed"
    status = 409
    default_message = "This checkout didn't go through. Please try again."


class CheckoutExpired(CreatorlyError):
    code = "checkout_expired"
    status = 410
    default_message = "This checkout has expired. Please start again."


class CheckoutInProgress(CreatorlyError):
    code = "checkout_in_progress"
    status = 409
    default_message = "Your checkout is still starting. Please try again in a moment."


class CheckoutKeyReused(InvalidInput):
    code = "checkout_key_reused"
    default_message = "This checkout was already used. Please reload the page and try again."


async def start_checkout(
    *,
    handle: str,
    slug: str,
    buyer_email: str,
    amount_text: str = "",
    checkout_key: str,
    buyer_user_id: int | None = None,
    discount_code: str = "",
) -> CheckoutStarted:
    """Open an order for a published product and hand the buyer to the payment provider.

    The client-made `checkout_key` makes a repeated click return the first click's order and payment
    page, never a second order or a second payment. A free order is paid and fulfilled right away.
    """
    key = checked_checkout_key(checkout_key)
    address = validated_email(buyer_email)
    opened = await _open_order(
        handle=handle,
        slug=slug,
        buyer_email=address,
        amount_text=amount_text,
        key=key,
        buyer_user_id=buyer_user_id,
        discount_code=discount_code,
    )
    if opened is None:
        return await resume_checkout(key, buyer_email=address)
    order, description = opened
    if order.status in PAID_STATUSES:
        return CheckoutStarted(order_public_id=order.public_id, redirect_url=order_page_url(order.public_id))
    return await request_payment(order, description=description)


def checked_checkout_key(checkout_key: str) -> str:
    key = checkout_key.strip()
    if not _CHECKOUT_KEY.match(key):
        raise InvalidInput("Please reload the page and try again.", field="checkout_key")
    return key


async def _open_order(
    *,
    handle: str,
    slug: str,
    buyer_email: str,
    amount_text: str,
    key: str,
    buyer_user_id: int | None,
    discount_code: str = "",
) -> tuple[Order, str] | None:
    """Transaction 1: the pending order (paid and fulfilled when free), or None when the key was used before."""
    try:
        async with db.transaction() as session:
            if await orders.find_by_checkout_key(session, key) is not None:
                return None
            product = await catalog.published_product_for_checkout(session, handle=handle, slug=slug)
            amount = amount_due(
                pricing=product.pricing,
                price_amount=product.price_amount,
                suggested_amount=product.suggested_amount,
                currency=product.currency,
                amount_text=amount_text,
            )
            await _check_stock(session, product)
            new_order = _new_order(product, buyer_email, amount, key, buyer_user_id)
            await _apply_discount(session, new_order, discount_code)
            order = await orders.add_pending_order(session, new_order, cause="checkout started")
            await tracking.record_checkout_started(session, order)
            if order.amount == 0:
                await fulfill_paid_order(session, order, provider_fee=0, cause="free order")
            return order, product.title
    except IntegrityError:
        # The same key raced us (a double click): the other request's order is the one.
        async with db.transaction() as session:
            if await orders.find_by_checkout_key(session, key) is None:
                raise
        return None


async def _check_stock(session: AsyncSession, product: Product) -> None:
    """Units sold plus checkouts still waiting for payment must leave room for one more (the product row is locked)."""
    if product.quantity_limit is None:
        return
    assert product.id is not None
    held = await orders.count_open_pending(session, product.id, now=utc_now())
    if product.sold_count + held >= product.quantity_limit:
        raise ProductSoldOut()


async def _apply_discount(session: AsyncSession, order: Order, discount_code: str) -> None:
    """Redeem the buyer's code (one redemption, in this transaction) and price the order after it."""
    if not discount_code.strip() or order.amount == 0:
        return
    assert order.product_id is not None  # discount codes apply to product orders
    redemption = await discounts.redeem(
        session,
        creator_id=order.creator_id,
        product_id=order.product_id,
        code=discount_code,
        currency=order.currency,
        amount=order.amount,
        now=utc_now(),
    )
    order.list_amount, order.discount_code_id = order.amount, redemption.discount_code_id
    order.amount = redemption.amount_after


def _new_order(product: Product, buyer_email: str, amount: int, key: str, buyer_user_id: int | None) -> Order:
    assert product.id is not None
    return Order(
        public_id=f"ord_{secrets.token_hex(10)}",
        creator_id=product.creator_id,
        product_id=product.id,
        buyer_user_id=buyer_user_id,
        buyer_email=buyer_email,
        amount=amount,
        currency=product.currency,
        checkout_key=key,
        status=OrderStatus.CREATED,
        provider=provider_for(product.currency),
        expires_at=utc_now() + CHECKOUT_LIFETIME,
    )


async def request_payment(order: Order, *, description: str) -> CheckoutStarted:
    """Call the provider outside any transaction, then record what it answered (transaction 2).

    Every kind of order (product, tip, membership) is handed to its provider through here.
    """
    request = PaymentRequest(
        merchant_reference=order.public_id,
        amount=order.amount,
        currency=order.currency,
        description=description[:MAX_DESCRIPTION_LENGTH],
        buyer_email=order.buyer_email,
        return_url=order_page_url(order.public_id),
        idempotency_key=f"order-{order.public_id}",
    )
    try:
        payment = await get_payment_provider(order.provider).create_payment(request)
    except ProviderError as error:
        await _record_payment_error(order, error)
        raise CheckoutPaymentUnavailable() from error
    await _record_payment_created(order, payment)
    return CheckoutStarted(order_public_id=order.public_id, redirect_url=payment.redirect_url)


async def _record_payment_created(order: Order, payment: CreatedPayment) -> None:
    assert order.id is not None
    async with db.transaction() as session:
        # The payment event may have arrived first and set it already (it is the same payment): one conditional
        # UPDATE, atomic under the row lock it takes, sets it only if nobody did.
        await orders.set_provider_reference_if_unset(session, order.id, payment.provider_reference, at=utc_now())
        await orders.record_payment_attempt(
            session,
            order_id=order.id,
            provider=order.provider,
            action=CREATE_PAYMENT,
            outcome="ok",
            detail=_created_detail(payment),
        )


def _created_detail(payment: CreatedPayment) -> str:
    """The payment log line; it also lets a repeated click find the same payment page."""
    detail = json.dumps({"reference": payment.provider_reference, "redirect_url": payment.redirect_url})
    if len(detail) > orders.MAX_DETAIL_LENGTH:
        detail = json.dumps({"reference": payment.provider_reference})
    return detail


async def _record_payment_error(order: Order, error: ProviderError) -> None:
    assert order.id is not None
    async with db.transaction() as session:
        locked = await orders.find_by_public_id(session, order.public_id, for_update=True)
        assert locked is not None
        await orders.record_payment_attempt(
            session,
            order_id=order.id,
            provider=order.provider,
            action=CREATE_PAYMENT,
            outcome="error",
            detail=f"{'retryable' if error.is_retryable else 'final'}: {error.message}",
        )
        if locked.status == OrderStatus.PENDING:
            await orders.transition(session, locked, OrderStatus.FAILED, cause=f"payment provider: {error.message}")
    logger.warning("checkout_provider_error", order=order.public_id, is_retryable=error.is_retryable)


async def resume_checkout(key: str, *, buyer_email: str) -> CheckoutStarted:
    """A repeated click (any kind of order): answer what the first click got.

    Waits briefly when the first click is still talking to the provider.
    """
    deadline = time.monotonic() + RESUME_WAIT_SECONDS
    while True:
        async with db.transaction() as session:
            order = await orders.find_by_checkout_key(session, key)
            assert order is not None and order.id is not None
            detail = await orders.latest_attempt_detail(session, order.id, action=CREATE_PAYMENT, outcome="ok")
        started = _resumed(order, buyer_email=buyer_email, detail=detail)
        if started is not None:
            return started
        if time.monotonic() >= deadline:
            raise CheckoutInProgress()
        await asyncio.sleep(RESUME_POLL_SECONDS)


def _resumed(order: Order, *, buyer_email: str, detail: str | None) -> CheckoutStarted | None:
    if order.buyer_email != buyer_email:
        raise CheckoutKeyReused()
    order_page = order_page_url(order.public_id)
    if order.status in PAID_STATUSES:
        return CheckoutStarted(order_public_id=order.public_id, redirect_url=order_page)
    if order.status == OrderStatus.EXPIRED:
        raise CheckoutExpired()
    if order.status == OrderStatus.FAILED:
        raise CheckoutFailed()
    if detail is None:
        return None  # the first click has not heard back from the provider yet
    redirect_url = json.loads(detail).get("redirect_url")
    return CheckoutStarted(order_public_id=order.public_id, redirect_url=redirect_url or order_page)


async def fulfill_paid_order(session: AsyncSession, order: Order, *, provider_fee: int, cause: str) -> bool:
    """Mark the (locked) order paid and deliver it: stock, ledger, one entitlement per file, receipt.

    False, with nothing written, when it was already paid. Runs in the caller's transaction.
    """
    paid_at = utc_now()
    was_expired = order.status == OrderStatus.EXPIRED
    if order.status in PAID_STATUSES:
        return False
    # Set with the status, so the order row is written by one UPDATE (the transition's); a refused transition
    # raises and the caller's transaction rolls all of it back.
    order.paid_at, order.provider_fee = paid_at, provider_fee
    is_moved = await orders.transition(session, order, OrderStatus.PAID, cause=cause)
    assert is_moved  # only a repeat of PAID is a no-op, and a paid order returned above
    assert order.id is not None
    if was_expired and order.discount_code_id is not None:
        await discounts.reclaim_redemption(session, order.discount_code_id)
    terms = await creators.sale_terms(session, order.creator_id)
    if order.kind == OrderKind.SESSION:
        # A session's money waits in escrow until the session is settled: the creator has earned nothing yet.
        await escrow.post_session_escrow(
            session,
            order_id=order.id,
            creator_id=order.creator_id,
            provider=order.provider,
            gross=order.amount,
            provider_fee=provider_fee,
            currency=order.currency,
            paid_at=paid_at,
            platform_fee_percent=terms.platform_fee_percent,
        )
        creator_share = 0
    else:
        sale = await ledger.post_sale_with_share(
            session,
            order_id=order.id,
            creator_id=order.creator_id,
            provider=order.provider,
            gross=order.amount,
            provider_fee=provider_fee,
            currency=order.currency,
            paid_at=paid_at,
            platform_fee_percent=terms.platform_fee_percent,
            hold_days=terms.hold_days,
        )
        creator_share = sale.creator_share
    await _FULFILLERS[OrderKind(order.kind)](session, order, paid_at)
    await tracking.record_order_paid(session, order, net_amount=creator_share, at=paid_at)
    return True


Fulfiller = Callable[[AsyncSession, Order, datetime], Awaitable[None]]
_FULFILLERS: dict[OrderKind, Fulfiller] = {}


def register_fulfiller(kind: OrderKind, fulfiller: Fulfiller) -> None:
    """What a paid order of `kind` delivers (files, a tip on the wall, a membership), in the payment's transaction.

    Tips and memberships register theirs when their modules are imported; products are delivered here.
    """
    _FULFILLERS[kind] = fulfiller


async def _deliver_product(session: AsyncSession, order: Order, paid_at: datetime) -> None:
    """Count the sale, grant one entitlement per file, and queue the receipt with the download links."""
    assert order.product_id is not None
    product = await catalog.count_sale(session, order.product_id)
    await _grant_files(session, order, product, paid_at=paid_at)
    await queue_receipt(session, order, product)


register_fulfiller(OrderKind.PRODUCT, _deliver_product)


async def _grant_files(session: AsyncSession, order: Order, product: Product, *, paid_at: datetime) -> None:
    assert order.id is not None and order.product_id is not None
    await orders.grant_entitlements_to_files(
        session,
        order_id=order.id,
        product_id=order.product_id,
        download_limit=product.download_limit,
        expires_at=paid_at + timedelta(days=product.link_lifetime_days),
    )


async def queue_receipt(session: AsyncSession, order: Order, product: Product) -> None:
    """Queue the buyer's receipt of a product order, with the link to their files (sent again by admins)."""
    amount = "Free" if order.amount == 0 else format_money(order.amount, order.currency)
    text_body = (
        f"Thank you for buying {product.title}.\n\n"
        f"Amount paid: {amount}\n"
        f"Order: {order.public_id}\n\n"
        f"Your files are here:\n{order_page_url(order.public_id)}\n\n"
        "This link is yours alone; please don't share it.\n"
    )
    await email.queue_email(
        session, to_address=order.buyer_email, subject=f"Your purchase: {product.title}", text_body=text_body
    )


async def expire_abandoned_orders(*, limit: int = 500) -> int:
    """Orders waiting for payment (pending or created) past their expiry become expired ("Abandoned") and give
    back their discount redemption (a late payment still counts, and takes it again); return how many.

    Run every `sweeper_interval_minutes` by the worker (`creatorly.jobs.checkout.expire_abandoned_orders`)."""
    expired = 0
    async with db.transaction() as session:
        for order in await orders.lock_abandoned(session, now=utc_now(), limit=limit):
            if await orders.transition(session, order, OrderStatus.EXPIRED, cause="checkout abandoned"):
                expired += 1
                if order.discount_code_id is not None:
                    await discounts.release_redemption(session, order.discount_code_id)
    if expired:
        logger.info("orders_expired", count=expired)
    return expired
