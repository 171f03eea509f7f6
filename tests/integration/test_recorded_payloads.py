"""Every payment webhook type we handle, replayed from a recorded payload in tests/payloads/.

Stripe's payment_intent events were recorded from localstripe's own signed deliveries, its refund.updated wraps
the refund object localstripe answered (it sends no refund events); Razorpay's come from its documentation
(/work/shared/razorpay); the sandbox's from our own gateway. Each is pointed at a fresh order, signed the way
its provider signs, delivered through the same verification as the webhook route, then delivered again:
the second delivery changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import select

from creatorly import db
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.models import LedgerTransaction, Order, Refund
from creatorly.models.enums import OrderStatus, PaymentProviderName
from creatorly.providers.payments import sandbox_signing
from creatorly.services.external_events import service as external_events
from creatorly.services.external_events.schemas import HandleOutcome
from creatorly.services.ledger import service as ledger
from creatorly.services.orders import service as orders
from tests.factories import make_creator, new_product

PAYLOADS = Path(__file__).parent.parent / "payloads"
STRIPE_SECRET = "whsec_recorded"
RAZORPAY_SECRET = "rzp_whsec_recorded"


@pytest.fixture(autouse=True)
def _providers_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr("sk_test_recorded"))
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr(STRIPE_SECRET))
    monkeypatch.setattr(settings, "razorpay_key_id", "rzp_test_recorded")
    monkeypatch.setattr(settings, "razorpay_key_secret", SecretStr("rzp_secret_recorded"))
    monkeypatch.setattr(settings, "razorpay_webhook_secret", SecretStr(RAZORPAY_SECRET))


def _load(provider: str, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / provider / f"{name}.json").read_text())
    return loaded


async def _pending_order(provider: PaymentProviderName, *, currency: str, amount: int, reference: str) -> Order:
    made = await make_creator(products=[new_product(currency=currency, price_amount=amount)])
    [product] = made.products
    assert product.id is not None
    async with db.transaction() as session:
        order = Order(
            public_id=f"ord_{secrets.token_hex(10)}",
            creator_id=product.creator_id,
            product_id=product.id,
            buyer_email="fan@example.com",
            amount=amount,
            currency=currency,
            checkout_key=secrets.token_hex(8),
            status=OrderStatus.CREATED,
            provider=provider,
            provider_reference=reference,
            expires_at=utc_now(),
        )
        await orders.add_order(session, order)
        await orders.transition(session, order, OrderStatus.PENDING, cause="checkout started")
    return order


async def _deliver(provider: str, payload: dict[str, Any]) -> HandleOutcome:
    raw = json.dumps(payload).encode()
    now = int(time.time())
    if provider == "stripe":
        digest = hmac.new(STRIPE_SECRET.encode(), f"{now}.".encode() + raw, hashlib.sha256).hexdigest()
        headers = {"stripe-signature": f"t={now},v1={digest}"}
    elif provider == "razorpay":
        digest = hmac.new(RAZORPAY_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        headers = {"x-razorpay-signature": digest, "x-razorpay-event-id": f"evt_{payload['event']}_{now}"}
    else:
        signature = sandbox_signing.sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=now)
        headers = {sandbox_signing.SIGNATURE_HEADER.lower(): signature}
    return (await external_events.receive(provider=provider, raw_body=raw, headers=headers)).outcome


async def _deliver_twice(provider: str, payload: dict[str, Any]) -> None:
    assert await _deliver(provider, payload) == HandleOutcome.HANDLED
    if provider == "razorpay":
        return  # Razorpay's event id is a header: a new header is a new event, covered in test_razorpay
    assert await _deliver(provider, payload) == HandleOutcome.SKIPPED


async def _state(public_id: str) -> tuple[OrderStatus, int, int]:
    async with db.transaction() as session:
        order = (await session.exec(select(Order).where(Order.public_id == public_id))).one()
        postings = int((await session.exec(select(func.count()).select_from(LedgerTransaction))).one())
        assert set((await ledger.trial_balance(session)).values()) <= {0}
    return OrderStatus(order.status), order.refunded_amount, postings


# --- Stripe ----------------------------------------------------------------------------------------------


def _stripe_payment(name: str, order: Order) -> dict[str, Any]:
    event = _load("stripe", name)
    intent = event["data"]["object"]
    intent.update(id=order.provider_reference, amount=order.amount, currency=order.currency.lower())
    intent["metadata"]["merchant_reference"] = order.public_id
    event["id"] = f"evt_{secrets.token_hex(8)}"
    return event


async def test_stripe_payment_intent_succeeded_then_refund_updated() -> None:
    order = await _pending_order(PaymentProviderName.STRIPE, currency="USD", amount=1200, reference="pi_rec0001")

    await _deliver_twice("stripe", _stripe_payment("payment_intent.succeeded", order))
    assert await _state(order.public_id) == (OrderStatus.PAID, 0, 1)

    refund = _load("stripe", "refund.updated")
    refund["data"]["object"].update(payment_intent=order.provider_reference, amount=500)
    refund["data"]["object"]["metadata"]["merchant_reference"] = order.public_id
    await _deliver_twice("stripe", refund)
    assert await _state(order.public_id) == (OrderStatus.PARTIALLY_REFUNDED, 500, 2)
    async with db.transaction() as session:
        [row] = (await session.exec(select(Refund))).all()
    assert (row.amount, row.idempotency_key, row.status) == (500, "refund-key-0001", "succeeded")


async def test_stripe_payment_intent_payment_failed() -> None:
    order = await _pending_order(PaymentProviderName.STRIPE, currency="USD", amount=1200, reference="pi_rec0002")

    await _deliver_twice("stripe", _stripe_payment("payment_intent.payment_failed", order))

    # The intent is back to requires_payment_method: the buyer can try another card, so the order keeps waiting.
    assert await _state(order.public_id) == (OrderStatus.PENDING, 0, 0)


# --- Razorpay --------------------------------------------------------------------------------------------


def _razorpay(name: str, order: Order) -> dict[str, Any]:
    event = _load("razorpay", name)
    payment = event["payload"]["payment"]["entity"]
    payment.update(order_id=order.provider_reference, amount=order.amount, currency=order.currency)
    if "order" in event["payload"]:
        event["payload"]["order"]["entity"].update(id=order.provider_reference, amount=order.amount)
    return event


@pytest.mark.parametrize("name", ["payment.captured", "order.paid"])
async def test_razorpay_payment_events_then_refund_processed(name: str) -> None:
    reference = f"order_Rec{secrets.token_hex(5)}"
    order = await _pending_order(PaymentProviderName.RAZORPAY, currency="INR", amount=50000, reference=reference)

    await _deliver_twice("razorpay", _razorpay(name, order))
    assert await _state(order.public_id) == (OrderStatus.PAID, 0, 1)

    refund = _razorpay("refund.processed", order)
    refund["payload"]["refund"]["entity"].update(amount=10000, currency="INR")
    await _deliver_twice("razorpay", refund)
    assert await _state(order.public_id) == (OrderStatus.PARTIALLY_REFUNDED, 10000, 2)


async def test_razorpay_payment_failed() -> None:
    reference = f"order_Rec{secrets.token_hex(5)}"
    order = await _pending_order(PaymentProviderName.RAZORPAY, currency="INR", amount=50000, reference=reference)

    await _deliver_twice("razorpay", _razorpay("payment.failed", order))

    # The Razorpay order can still be paid (another card, UPI…): the order keeps waiting until it expires.
    assert await _state(order.public_id) == (OrderStatus.PENDING, 0, 0)


# --- Sandbox ---------------------------------------------------------------------------------------------


def _sandbox(name: str, order: Order) -> dict[str, Any]:
    event = _load("sandbox", name)
    event.update(id=f"evt_sbx_{secrets.token_hex(8)}", created=int(time.time()))
    part = event["data"].get("payment") or event["data"]["refund"]
    part["merchant_reference"] = order.public_id
    part["reference" if "payment" in event["data"] else "payment_reference"] = order.provider_reference
    if "payment" in event["data"]:
        part.update(amount=order.amount, currency=order.currency)
    return event


async def test_sandbox_payment_succeeded_then_refund_succeeded() -> None:
    reference = f"sbx_pay_{secrets.token_hex(8)}"
    order = await _pending_order(PaymentProviderName.SANDBOX, currency="USD", amount=1200, reference=reference)

    await _deliver_twice("sandbox", _sandbox("payment.succeeded", order))
    assert await _state(order.public_id) == (OrderStatus.PAID, 0, 1)

    await _deliver_twice("sandbox", _sandbox("refund.succeeded", order))
    assert await _state(order.public_id) == (OrderStatus.PARTIALLY_REFUNDED, 500, 2)


async def test_sandbox_payment_failed() -> None:
    reference = f"sbx_pay_{secrets.token_hex(8)}"
    order = await _pending_order(PaymentProviderName.SANDBOX, currency="USD", amount=1200, reference=reference)

    await _deliver_twice("sandbox", _sandbox("payment.failed", order))

    # A refused card leaves the gateway's payment open (requires_payment): the buyer tries another card.
    assert await _state(order.public_id) == (OrderStatus.PENDING, 0, 0)
