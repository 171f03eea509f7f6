"""Razorpay Checkout's success callback: check its signature against the Razorpay order id we stored, write nothing."""

from __future__ import annotations

from dataclasses import dataclass

from creatorly import db
from creatorly.config import settings
from creatorly.errors import CreatorlyError, NotFound
from creatorly.models import Order
from creatorly.models.enums import OrderKind, OrderStatus, PaymentProviderName
from creatorly.observability import get_logger
from creatorly.providers.registry import get_razorpay_provider
from creatorly.services.delivery.library import LIBRARY_PATH
from creatorly.services.delivery.service import order_page_url
from creatorly.services.orders import service as orders
from creatorly.services.orders.rules import PAID_STATUSES

logger = get_logger(__name__)


class RazorpayCallbackRejected(CreatorlyError):
    """The callback does not belong to this order or its signature is wrong: nothing was changed."""

    code = "razorpay_callback_rejected"
    status = 400
    default_message = "We couldn't confirm this payment. If you were charged, your order will update shortly."


@dataclass(frozen=True, slots=True)
class RazorpayCallbackConfirmed:
    """The buyer's payment is genuine; the order is paid once Razorpay's webhook arrives (it may already be)."""

    order_public_id: str
    is_paid: bool
    redirect_url: str


async def confirm_razorpay_callback(
    *, order_public_id: str, razorpay_order_id: str, razorpay_payment_id: str, razorpay_signature: str
) -> RazorpayCallbackConfirmed:
    """Verify the callback over OUR stored Razorpay order id, so a signature for someone else's order fails.

    Reads only: the payment itself is applied from the signed webhook, which Razorpay retries until we take it.
    """
    provider = get_razorpay_provider()
    if provider is None:
        raise NotFound()
    async with db.transaction() as session:
        order = await orders.find_by_public_id(session, order_public_id)
    if order is None or order.provider != PaymentProviderName.RAZORPAY or not order.provider_reference:
        raise NotFound()
    if razorpay_order_id != order.provider_reference:
        logger.warning("razorpay_callback_for_other_order", order=order.public_id)
        raise RazorpayCallbackRejected()
    try:
        provider.verify_payment_callback(
            order_id_we_stored=order.provider_reference, payment_id=razorpay_payment_id, signature=razorpay_signature
        )
    except ValueError:
        logger.warning("razorpay_callback_signature_mismatch", order=order.public_id)
        raise RazorpayCallbackRejected() from None
    return RazorpayCallbackConfirmed(
        order_public_id=order.public_id,
        is_paid=OrderStatus(order.status) in PAID_STATUSES,
        redirect_url=_return_url(order),
    )


def _return_url(order: Order) -> str:
    """A membership's payment (an upgrade, paid from the library) goes back to the library; anything else to its
    order page. The library link is the bare page: a signed-in member sees it, others ask for a link again."""
    if order.kind == OrderKind.MEMBERSHIP:
        return f"{settings.resolved_public_url}{LIBRARY_PATH}"
    return order_page_url(order.public_id)
