"""The payment pages for Stripe (Elements) and Razorpay (Checkout): what they show, and confirming a Stripe card.

The buyer reaches them from checkout's redirect. Neither page ever sees a secret key; the Stripe client secret
is handed to the browser only when the card needs its authentication step, as Stripe.js requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from creatorly import db
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.money import format_money
from creatorly.models import Order, Product
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName
from creatorly.observability import get_logger
from creatorly.providers.registry import get_razorpay_provider, get_stripe_provider
from creatorly.services.checkout.service import CheckoutExpired
from creatorly.services.delivery.service import order_page_url
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

CONFIRM_CARD = "confirm_card"
_PAYMENT_METHOD_ID = re.compile(r"^(pm|card|src)_[A-Za-z0-9]{1,120}$")
_PAYABLE = (OrderStatus.CREATED, OrderStatus.PENDING, OrderStatus.FAILED)

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PayPage:
    """What both payment pages show about the order being paid."""

    order_public_id: str
    product_title: str
    amount: int
    currency: str
    amount_label: str
    buyer_email: str
    order_url: str
    is_paid: bool
    is_expired: bool


@dataclass(frozen=True, slots=True)
class StripePayPage:
    page: PayPage
    payment_intent_id: str
    publishable_key: str
    stripe_js_url: str


@dataclass(frozen=True, slots=True)
class RazorpayPayPage:
    page: PayPage
    razorpay_order_id: str
    key_id: str
    checkout_js_url: str


@dataclass(frozen=True, slots=True)
class StripeCardResult:
    """The Stripe page's next step: go to the order page, run the card's authentication, or show the decline."""

    status: Literal["succeeded", "processing", "requires_action", "declined"]
    redirect_url: str
    client_secret: str = ""
    message: str = ""


def is_payment_method_id(value: str) -> bool:
    """Whether `value` looks like what Stripe.js hands over for a card (pm_…, or card_…/src_… from a token)."""
    return bool(_PAYMENT_METHOD_ID.match(value))


# Orders without a product (tips, memberships) are named by their kind on the payment page.
_KIND_TITLES = {OrderKind.TIP: "Tip", OrderKind.MEMBERSHIP: "Membership"}


async def _order_and_page(provider: PaymentProviderName, provider_reference: str) -> tuple[Order, PayPage]:
    async with db.transaction() as session:
        order = await orders.find_by_provider_reference(session, provider, provider_reference.strip())
        product = await session.get(Product, order.product_id) if order and order.product_id is not None else None
    if order is None or order.provider != provider or (product is None and order.kind == OrderKind.PRODUCT):
        raise NotFound()
    status = OrderStatus(order.status)
    return order, PayPage(
        order_public_id=order.public_id,
        product_title=product.title if product is not None else _KIND_TITLES.get(order.kind, "Payment"),
        amount=order.amount,
        currency=order.currency,
        amount_label=format_money(order.amount, order.currency),
        buyer_email=order.buyer_email,
        order_url=order_page_url(order.public_id),
        is_paid=status in PAID_STATUSES,
        is_expired=status == OrderStatus.EXPIRED,
    )


async def stripe_pay_page(payment_intent_id: str) -> StripePayPage:
    """The Elements page of a PaymentIntent that Creatorly made; NotFound when Stripe is off or it is not ours."""
    provider = get_stripe_provider()
    if provider is None or not provider.publishable_key:
        raise NotFound()
    _, page = await _order_and_page(PaymentProviderName.STRIPE, payment_intent_id)
    return StripePayPage(
        page=page,
        payment_intent_id=payment_intent_id.strip(),
        publishable_key=provider.publishable_key,
        stripe_js_url=provider.stripe_js_url,
    )


async def confirm_stripe_card(payment_intent_id: str, payment_method_id: str) -> StripeCardResult:
    """Attach the card Stripe.js collected to the order's PaymentIntent and confirm it, outside any transaction.

    The order is paid only by Stripe's signed `payment_intent.succeeded` webhook, never by this answer.
    """
    method = payment_method_id.strip()
    if method and not _PAYMENT_METHOD_ID.match(method):
        raise InvalidInput("Please check your card details and try again.", field="payment_method")
    provider = get_stripe_provider()
    if provider is None:
        raise NotFound()
    order, page = await _order_and_page(PaymentProviderName.STRIPE, payment_intent_id)
    if page.is_paid:
        return StripeCardResult(status="succeeded", redirect_url=page.order_url)
    if OrderStatus(order.status) not in _PAYABLE:
        raise CheckoutExpired()
    confirmation = await provider.confirm_card(payment_intent_id.strip(), method)
    await _log_confirmation(order, confirmation.status)
    return StripeCardResult(
        status=confirmation.status,
        redirect_url=page.order_url,
        client_secret=confirmation.client_secret,
        message=confirmation.message,
    )


async def _log_confirmation(order: Order, outcome: str) -> None:
    """The payment log line; never the card, the payment method or the client secret."""
    assert order.id is not None
    async with db.transaction() as session:
        await orders.record_payment_attempt(
            session,
            order_id=order.id,
            provider=PaymentProviderName.STRIPE,
            action=CONFIRM_CARD,
            outcome=outcome,
            detail=f"payment {order.provider_reference}",
        )
    logger.info("stripe_card_confirmed", order=order.public_id, outcome=outcome)


async def razorpay_pay_page(razorpay_order_id: str) -> RazorpayPayPage:
    """The page that opens Razorpay Checkout for a Razorpay order Creatorly made; NotFound otherwise."""
    provider = get_razorpay_provider()
    if provider is None:
        raise NotFound()
    _, page = await _order_and_page(PaymentProviderName.RAZORPAY, razorpay_order_id)
    return RazorpayPayPage(
        page=page,
        razorpay_order_id=razorpay_order_id.strip(),
        key_id=provider.key_id,
        checkout_js_url=provider.checkout_js_url,
    )
