"""The buyer's return from PayPal (GET /api/payments/paypal/return?token=<PayPal order id>): capture, then apply."""

from __future__ import annotations

from creatorly import db
from creatorly.errors import NotFound, ProviderError
from creatorly.models import Order
from creatorly.models.enums import PaymentProviderName
from creatorly.observability import get_logger
from creatorly.providers.payments.paypal import PayPalCapture
from creatorly.providers.registry import get_paypal_provider
from creatorly.services.checkout.events import PaymentDoesNotMatchOrder
from creatorly.services.checkout.paypal_events import CaptureNotice, apply_capture
from creatorly.services.delivery.service import order_page_url
from creatorly.services.orders import service as orders

RETURN_ACTION = "paypal_return"
MAX_TOKEN_LENGTH = 64

logger = get_logger(__name__)


async def complete_paypal_return(*, token: str) -> str:
    """Capture the PayPal order the buyer approved and apply the capture once; answer the page to send them to.

    `token` is the PayPal order id PayPal appends to our return URL; only an order of ours with that id is
    captured (NotFound otherwise). The capture call happens outside any transaction; the result is applied
    under the order's row lock, so it and PayPal's capture webhook fulfil the order once between them.
    A capture PayPal fails to answer leaves the order waiting: the buyer may come back to the same link.
    """
    provider = get_paypal_provider()
    paypal_order_id = token.strip()
    if provider is None or not (0 < len(paypal_order_id) <= MAX_TOKEN_LENGTH):
        raise NotFound()
    async with db.transaction() as session:
        order = await orders.find_by_provider_reference(session, PaymentProviderName.PAYPAL, paypal_order_id)
    if order is None:
        raise NotFound()
    try:
        captured = await provider.capture_order(paypal_order_id)
    except ProviderError as error:
        logger.warning("paypal_capture_failed", order=order.public_id, is_retryable=error.is_retryable)
        await _record_capture_error(order, error)
        return order_page_url(order.public_id)
    notice = _notice_of(captured)
    if notice is not None:
        try:
            async with db.transaction() as session:
                locked = await orders.find_by_public_id(session, order.public_id, for_update=True)
                assert locked is not None
                cause = f"paypal return {paypal_order_id}"
                await apply_capture(session, locked, notice, action=RETURN_ACTION, cause=cause)
        except PaymentDoesNotMatchOrder:
            pass  # logged as an error, nothing written: the order stays unpaid for someone to look at
    return order_page_url(order.public_id)


def _notice_of(captured: PayPalCapture) -> CaptureNotice | None:
    if captured.capture_id is None or captured.capture_status is None or captured.amount is None:
        logger.warning("paypal_order_not_captured", paypal_order=captured.paypal_order_id, status=captured.order_status)
        return None
    assert captured.currency is not None
    return CaptureNotice(
        paypal_order_id=captured.paypal_order_id,
        merchant_reference=captured.merchant_reference,
        capture_id=captured.capture_id,
        status=captured.capture_status,
        amount=captured.amount,
        currency=captured.currency,
        fee=captured.fee,
    )


async def _record_capture_error(order: Order, error: ProviderError) -> None:
    async with db.transaction() as session:
        await orders.record_payment_attempt(
            session,
            order_id=order.id,
            provider=PaymentProviderName.PAYPAL,
            action=RETURN_ACTION,
            outcome="error",
            detail=f"{'retryable' if error.is_retryable else 'final'}: {error.message}",
        )
