"""Razorpay through its official SDK: create an order for an INR payment, verify its webhooks and checkout callbacks."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import razorpay
import requests
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from creatorly.errors import ProviderError
from creatorly.providers.payments.base import CreatedPayment, CreatedRefund, PaymentRequest, RefundRequest

SIGNATURE_HEADER = "X-Razorpay-Signature"
EVENT_ID_HEADER = "X-Razorpay-Event-Id"
CURRENCY = "INR"
CHECKOUT_PATH = "/pay/razorpay"
CHECKOUT_JS_URL = "https://checkout.razorpay.com/v1/checkout.js"


class _TimeoutSession(requests.Session):
    """The SDK passes no timeout to requests: this session adds ours to every call."""

    def __init__(self, timeout_seconds: float) -> None:
        super().__init__()
        self._timeout_seconds = timeout_seconds

    def request(self, *args: Any, **options: Any) -> requests.Response:
        options.setdefault("timeout", self._timeout_seconds)
        return super().request(*args, **options)


class RazorpayPaymentProvider:
    """Creates a Razorpay order per payment; the buyer then pays it on our page that opens Razorpay Checkout."""

    name = "razorpay"

    def __init__(
        self,
        key_id: str,
        key_secret: str,
        api_base: str | None,
        timeout_seconds: float = 10,
        *,
        public_url: str = "",
    ) -> None:
        self._key_id = key_id
        self._key_secret = key_secret
        self._api_base = (api_base or "").rstrip("/") or None
        self._timeout_seconds = timeout_seconds
        self._public_url = public_url.rstrip("/")

    @property
    def key_id(self) -> str:
        """The public half of the key pair, which Razorpay Checkout in the browser needs."""
        return self._key_id

    @property
    def checkout_js_url(self) -> str:
        """Razorpay Checkout's script; a Razorpay-compatible host (a stand-in) serves its own at /v1/checkout.js."""
        return f"{self._api_base}/v1/checkout.js" if self._api_base else CHECKOUT_JS_URL

    def _client(self) -> Any:
        # One client per call: the SDK client and its requests session are not shared across threads.
        options = {"base_url": self._api_base} if self._api_base else {}
        return razorpay.Client(
            session=_TimeoutSession(self._timeout_seconds), auth=(self._key_id, self._key_secret), **options
        )

    async def create_payment(self, request: PaymentRequest) -> CreatedPayment:
        if request.currency.upper() != CURRENCY:
            raise ProviderError(f"razorpay takes INR only, not {request.currency}", is_retryable=False)
        body = {
            "amount": request.amount,
            "currency": CURRENCY,
            "receipt": request.merchant_reference,
            "notes": {"merchant_reference": request.merchant_reference},
        }
        answer = await asyncio.to_thread(self._create_order, body)
        order_id = answer.get("id") if isinstance(answer, dict) else None
        if not (isinstance(order_id, str) and order_id):
            raise ProviderError("razorpay answered an order without an id", is_retryable=True)
        return CreatedPayment(provider_reference=order_id, redirect_url=f"{self._public_url}{CHECKOUT_PATH}/{order_id}")

    def _create_order(self, body: dict[str, Any]) -> Any:
        try:
            return self._client().order.create(data=body)
        except BadRequestError as error:
            raise ProviderError(f"razorpay refused the order: {error}", is_retryable=False) from None
        except (GatewayError, ServerError) as error:
            raise ProviderError(f"razorpay failed: {type(error).__name__}", is_retryable=True) from None
        except (requests.RequestException, ValueError) as error:
            # Unreachable, timed out, or an answer that is not JSON: Razorpay may or may not have made it.
            raise ProviderError(f"razorpay unreachable: {type(error).__name__}", is_retryable=True) from None

    async def refund_payment(self, request: RefundRequest) -> CreatedRefund:
        """Refund part or all of a captured payment (`provider_reference` is its pay_… id).

        Razorpay takes no idempotency key for refunds: our key travels in the refund's notes, and a refund
        already carrying it is answered instead of making a second one.
        """
        if request.currency.upper() != CURRENCY:
            raise ProviderError(f"razorpay refunds INR only, not {request.currency}", is_retryable=False)
        answer = await asyncio.to_thread(self._refund_once, request)
        refund_id = answer.get("id") if isinstance(answer, dict) else None
        if not (isinstance(refund_id, str) and refund_id):
            raise ProviderError("razorpay answered a refund without an id", is_retryable=True)
        return CreatedRefund(provider_reference=refund_id)

    def _refund_once(self, request: RefundRequest) -> Any:
        client = self._client()
        notes = {"merchant_reference": request.merchant_reference, "refund_key": request.idempotency_key}
        if request.reason:
            notes["reason"] = request.reason[:200]
        try:
            earlier = client.payment.fetch_multiple_refund(request.provider_reference)
            for refund in earlier.get("items", []) if isinstance(earlier, dict) else []:
                refund_notes = refund.get("notes") if isinstance(refund, dict) else None
                if isinstance(refund_notes, dict) and refund_notes.get("refund_key") == request.idempotency_key:
                    return refund
            # The SDK's second `refund(payment_id, data)` overrides its first: the amount goes in the body.
            return client.payment.refund(request.provider_reference, {"amount": request.amount, "notes": notes})
        except BadRequestError as error:
            raise ProviderError(f"razorpay refused the refund: {error}", is_retryable=False) from None
        except (GatewayError, ServerError) as error:
            raise ProviderError(f"razorpay failed: {type(error).__name__}", is_retryable=True) from None
        except (requests.RequestException, ValueError) as error:
            raise ProviderError(f"razorpay unreachable: {type(error).__name__}", is_retryable=True) from None

    def verify_payment_callback(self, *, order_id_we_stored: str, payment_id: str, signature: str) -> None:
        """Check Checkout's handler signature over OUR order id; raise ValueError when it does not match."""
        if not (order_id_we_stored and payment_id and signature):
            raise ValueError("razorpay callback is missing a field")
        parameters = {
            "razorpay_order_id": order_id_we_stored,
            "razorpay_payment_id": payment_id,
            "razorpay_signature": signature,
        }
        try:
            self._client().utility.verify_payment_signature(parameters)
        except SignatureVerificationError:
            raise ValueError("razorpay callback signature does not match") from None


_RAZORPAY_PERIODS: dict[str, tuple[str, int]] = {
    "weekly": ("weekly", 1),
    "monthly": ("monthly", 1),
    "quarterly": ("monthly", 3),
    "yearly": ("yearly", 1),
}
# Razorpay subscriptions end after total_count charges: as many as it allows, so a membership runs for years.
SUBSCRIPTION_TOTAL_COUNT = 120
# A subscription in one of these charges nothing more (expired: never authorised before its expire_by).
ENDED_SUBSCRIPTION_STATUSES = frozenset({"cancelled", "completed", "expired"})


class RazorpaySubscriptions:
    """Razorpay Subscriptions for memberships: a plan and a subscription the fan authorises on its short_url.

    Razorpay then charges on its own schedule; every charge and change comes back as a signed webhook.
    """

    def __init__(self, provider: RazorpayPaymentProvider) -> None:
        self._provider = provider

    async def create_subscription(
        self,
        *,
        amount: int,
        interval: str,
        product_name: str,
        merchant_reference: str,
        start_at: datetime | None = None,
        purpose: str = "",
    ) -> tuple[str, str]:
        """A plan at the tier's price and a subscription to it; answers (sub_… id, the page to authorise it on).

        With `start_at` nothing is charged before then, and the fan must authorise it before then (`expire_by`).
        `purpose` ("resume") travels in the subscription's notes beside our reference, so its webhooks say so."""
        notes = {"merchant_reference": merchant_reference}
        if purpose:
            notes["purpose"] = purpose
        body: dict[str, Any] = {"total_count": SUBSCRIPTION_TOTAL_COUNT, "customer_notify": 1, "notes": notes}
        if start_at is not None:
            body["start_at"] = body["expire_by"] = int(start_at.timestamp())
        return await asyncio.to_thread(self._create, amount, interval, product_name, merchant_reference, body)

    def _create(
        self, amount: int, interval: str, product_name: str, merchant_reference: str, body: dict[str, Any]
    ) -> tuple[str, str]:
        period, count = _RAZORPAY_PERIODS[interval]
        with _translated("make the subscription"):
            client = self._provider._client()
            plan = client.plan.create(
                data={
                    "period": period,
                    "interval": count,
                    "item": {"name": product_name[:100], "amount": amount, "currency": CURRENCY},
                    "notes": {"merchant_reference": merchant_reference},
                }
            )
            subscription = client.subscription.create(data={"plan_id": plan["id"], **body})
        subscription_id, short_url = subscription.get("id"), subscription.get("short_url")
        if not (isinstance(subscription_id, str) and isinstance(short_url, str)):
            raise ProviderError("razorpay answered a subscription without an id", is_retryable=True)
        return subscription_id, short_url

    async def cancel_at_cycle_end(self, subscription_id: str) -> None:
        """Stop the subscription when its current cycle ends (Razorpay cannot undo this)."""
        await self._call("cancel the subscription", "cancel", subscription_id, {"cancel_at_cycle_end": 1})

    async def cancel_now(self, subscription_id: str) -> str:
        """Cancel the subscription at once (cancel_at_cycle_end=0): it charges nothing more; answers its status.

        Idempotent: Razorpay refuses to cancel a subscription that has ended ("Subscription is not cancellable in
        cancelled status."); one then found ended (cancelled, completed, expired, or never authorised and past its
        expire_by, which Razorpay expires) is answered as such.
        """
        return await asyncio.to_thread(self._cancel_now, subscription_id)

    def _cancel_now(self, subscription_id: str) -> str:
        with _translated("cancel the subscription now"):
            client = self._provider._client()
            try:
                answer = client.subscription.cancel(subscription_id, {"cancel_at_cycle_end": 0})
            except BadRequestError:
                answer = client.subscription.fetch(subscription_id)
                if _ended_status(answer) is None:
                    raise
        status = _ended_status(answer)
        if status is None:
            raise ProviderError("razorpay answered the cancel with a subscription not cancelled", is_retryable=True)
        return status

    async def pause(self, subscription_id: str) -> None:
        """No charges until resumed."""
        await self._call("pause the subscription", "pause", subscription_id, {"pause_at": "now"})

    async def resume(self, subscription_id: str) -> None:
        await self._call("resume the subscription", "resume", subscription_id, {"resume_at": "now"})

    async def change_plan(
        self, subscription_id: str, *, amount: int, interval: str, product_name: str, merchant_reference: str
    ) -> None:
        """Move the subscription to a new plan at `amount` from its next cycle (a downgrade waits for it)."""
        await asyncio.to_thread(self._change_plan, subscription_id, amount, interval, product_name, merchant_reference)

    def _change_plan(
        self, subscription_id: str, amount: int, interval: str, product_name: str, merchant_reference: str
    ) -> None:
        period, count = _RAZORPAY_PERIODS[interval]
        plan_body = {
            "period": period,
            "interval": count,
            "item": {"name": product_name[:100], "amount": amount, "currency": CURRENCY},
            "notes": {"merchant_reference": merchant_reference},
        }
        with _translated("change the subscription's plan"):
            client = self._provider._client()
            plan = client.plan.create(data=plan_body)
            client.subscription.edit(subscription_id, {"plan_id": plan["id"], "schedule_change_at": "cycle_end"})

    async def _call(self, action: str, method: str, subscription_id: str, body: dict[str, Any]) -> None:
        def call() -> None:
            with _translated(action):
                getattr(self._provider._client().subscription, method)(subscription_id, body)

        await asyncio.to_thread(call)


def _ended_status(subscription: Any) -> str | None:
    """The status of a subscription that charges nothing more, else None."""
    status = subscription.get("status") if isinstance(subscription, dict) else None
    if status in ENDED_SUBSCRIPTION_STATUSES:
        return str(status)
    expire_by = subscription.get("expire_by") if isinstance(subscription, dict) else None
    if status == "created" and type(expire_by) is int and expire_by < time.time():
        return "expired"  # never authorised, and now it can't be
    return None


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """Razorpay SDK errors as ProviderError: a refusal is final, a failure or no answer may pass."""
    try:
        yield
    except BadRequestError as error:
        raise ProviderError(f"razorpay refused to {action}: {error}", is_retryable=False) from None
    except (GatewayError, ServerError) as error:
        raise ProviderError(f"razorpay failed to {action}: {type(error).__name__}", is_retryable=True) from None
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        raise ProviderError(f"razorpay unreachable: {type(error).__name__}", is_retryable=True) from None


def verify_razorpay_webhook(raw_body: bytes, signature_header: str, *, secret: str) -> None:
    """Check X-Razorpay-Signature, the hex HMAC-SHA256 of the exact raw body; raise ValueError when it fails."""
    if not secret:
        raise ValueError("razorpay webhook secret is not set")
    if not signature_header:
        raise ValueError("razorpay webhook has no signature")
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature_header.strip().encode()):
        raise ValueError("razorpay webhook signature does not match")
