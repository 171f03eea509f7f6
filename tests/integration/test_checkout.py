"""Checkout end to end: start a payment on the sandbox gateway over HTTP, then fulfil it from its signed webhook."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.kit.clock import as_utc, utc_now
from creatorly.models import (
    Creator,
    Entitlement,
    ExternalEvent,
    LedgerTransaction,
    Order,
    OrderEvent,
    OutboxEmail,
    PaymentAttempt,
    Product,
    ProductFile,
    SandboxPayment,
)
from creatorly.models.enums import OrderStatus, PricingModel
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.services.catalog.service import ProductNotFound
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout.schemas import CheckoutStarted
from creatorly.services.delivery.service import order_page_url
from creatorly.services.external_events import service as external_events
from creatorly.services.external_events.schemas import HandleOutcome
from creatorly.services.orders import service as orders_service
from creatorly.services.orders.rules import AmountBelowMinimum
from tests.factories import make_creator, new_product
from tests.processes import free_port, serving

BUYER = "fan@example.com"


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    """Our own API (with the sandbox gateway's routes) on a free port, as the sandbox provider's base URL."""
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


# --- Given helpers ---------------------------------------------------------------------------------


async def _product(*, files: int = 2, **changes: Any) -> Product:
    """A published product of a fresh creator, with `files` files and any column changed."""
    overrides = {key: changes.pop(key) for key in ("pricing", "price_amount", "currency") if key in changes}
    made = await make_creator(products=[new_product(**overrides)])
    [product] = made.products
    async with db.transaction() as session:
        row = await session.get(Product, product.id)
        assert row is not None and row.id is not None
        for name, value in changes.items():
            setattr(row, name, value)
        session.add(row)
        for position in range(files):
            session.add(
                ProductFile(
                    product_id=row.id,
                    storage_key=f"files/{row.id}/{position}.pdf",
                    original_name=f"part-{position}.pdf",
                    content_type="application/pdf",
                    size_bytes=1000 + position,
                    sha256="0" * 64,
                    position=position,
                )
            )
    return row


async def _start(product: Product, *, key: str = "key-00000001", amount_text: str = "") -> CheckoutStarted:
    async with db.transaction() as session:
        creator = await session.get(Creator, product.creator_id)
        assert creator is not None
    return await checkout.start_checkout(
        handle=creator.handle, slug=product.slug, buyer_email=BUYER, amount_text=amount_text, checkout_key=key
    )


def _payment_event(
    order: Order,
    *,
    event_id: str = "evt_1",
    event_type: str = "payment.succeeded",
    amount: int | None = None,
    currency: str | None = None,
    fee: int = 65,
    failure_code: str | None = None,
    merchant_reference: str | None = None,
    status: str | None = None,
) -> bytes:
    is_success = event_type == "payment.succeeded"
    payment = {
        "reference": order.provider_reference or "pay_unknown",
        "merchant_reference": merchant_reference or order.public_id,
        "amount": order.amount if amount is None else amount,
        "currency": currency or order.currency,
        "fee": fee if is_success else 0,
        "status": status or ("succeeded" if is_success else "declined"),
        "failure_code": failure_code,
        "card_last4": "4242",
    }
    body = {"id": event_id, "type": event_type, "created": int(time.time()), "data": {"payment": payment}}
    return json.dumps(body).encode()


async def _deliver(raw: bytes) -> HandleOutcome:
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    result = await external_events.receive(provider="sandbox", raw_body=raw, headers={"Creatorly-Signature": signature})
    return result.outcome


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def _rows(model: type[Any], *conditions: Any) -> list[Any]:
    async with db.transaction() as session:
        return list((await session.exec(select(model).where(*conditions).order_by(col(model.id)))).all())


async def _transitions(order: Order) -> list[tuple[str, str, str]]:
    events = await _rows(OrderEvent, OrderEvent.order_id == order.id)
    return [(event.from_status, event.to_status, event.cause) for event in events]


async def _assert_fulfilled_once(order: Order, product: Product, *, files: int = 2) -> None:
    assert await _count(LedgerTransaction) == 1
    assert await _count(Entitlement, Entitlement.order_id == order.id) == files
    emails = await _rows(OutboxEmail)
    assert [(email.to_address, email.subject) for email in emails] == [(BUYER, f"Your purchase: {product.title}")]
    assert order_page_url(order.public_id) in emails[0].text_body
    async with db.transaction() as session:
        refreshed = await session.get(Product, product.id)
        assert refreshed is not None and refreshed.sold_count == 1


# --- Starting a checkout ---------------------------------------------------------------------------


async def test_checkout_opens_a_pending_order_and_one_provider_payment() -> None:
    product = await _product()

    started = await _start(product)

    order = await _order(started.order_public_id)
    assert (order.status, order.amount, order.currency, order.buyer_email) == (OrderStatus.PENDING, 1200, "USD", BUYER)
    assert order.checkout_key == "key-00000001" and order.provider == "sandbox"
    assert order.expires_at is not None
    assert timedelta(minutes=59) < as_utc(order.expires_at) - utc_now() <= timedelta(hours=1)
    [payment] = await _rows(SandboxPayment)
    assert (payment.merchant_reference, payment.amount, payment.currency) == (order.public_id, 1200, "USD")
    assert order.provider_reference == payment.reference
    assert started.redirect_url.startswith(settings.public_url) and payment.reference in started.redirect_url
    [attempt] = await _rows(PaymentAttempt)
    assert (attempt.order_id, attempt.action, attempt.outcome) == (order.id, "create_payment", "ok")
    assert await _transitions(order) == [("created", "pending", "checkout started")]


async def test_a_double_click_returns_the_same_order_and_calls_the_provider_once() -> None:
    product = await _product()

    first = await _start(product, key="double-click-1")
    second = await _start(product, key="double-click-1")

    assert second == first
    assert await _count(Order) == 1
    assert await _count(SandboxPayment) == 1
    assert await _count(PaymentAttempt) == 1


async def test_concurrent_clicks_with_one_key_make_one_order_and_one_payment() -> None:
    product = await _product()

    results = await asyncio.gather(*(_start(product, key="concurrent-key") for _ in range(5)))

    assert len(set(results)) == 1
    assert await _count(Order) == 1
    assert await _count(SandboxPayment) == 1
    assert await _count(PaymentAttempt) == 1


async def test_pay_what_you_want_takes_the_buyers_amount() -> None:
    product = await _product(pricing=PricingModel.PAY_WHAT_YOU_WANT, price_amount=500, suggested_amount=800)

    started = await _start(product, amount_text="7.25")
    defaulted = await _start(product, key="key-00000002")

    assert (await _order(started.order_public_id)).amount == 725
    assert (await _order(defaulted.order_public_id)).amount == 800


async def test_pay_what_you_want_below_the_minimum_is_refused_and_nothing_is_written() -> None:
    product = await _product(pricing=PricingModel.PAY_WHAT_YOU_WANT, price_amount=500)

    with pytest.raises(AmountBelowMinimum):
        await _start(product, amount_text="4.99")

    assert await _count(Order) == 0
    assert await _count(SandboxPayment) == 0
    assert await _count(PaymentAttempt) == 0


async def test_a_free_product_is_paid_and_fulfilled_at_once_without_the_provider() -> None:
    product = await _product(pricing=PricingModel.FREE, price_amount=0)

    started = await _start(product)

    order = await _order(started.order_public_id)
    assert started.redirect_url == order_page_url(order.public_id)
    assert (order.status, order.amount, order.provider_fee) == (OrderStatus.PAID, 0, 0)
    assert order.paid_at is not None
    assert await _count(LedgerTransaction) == 0  # nothing to post for a free order
    assert await _count(Entitlement, Entitlement.order_id == order.id) == 2
    assert await _count(SandboxPayment) == 0
    assert await _count(PaymentAttempt) == 0
    [receipt] = await _rows(OutboxEmail)
    assert (receipt.to_address, receipt.subject) == (BUYER, f"Your purchase: {product.title}")
    assert "Amount paid: Free" in receipt.text_body
    assert await _transitions(order) == [
        ("created", "pending", "checkout started"),
        ("pending", "paid", "free order"),
    ]


async def test_a_sold_out_product_is_refused_counting_open_checkouts() -> None:
    product = await _product(quantity_limit=1)
    await _start(product, key="first-buyer-key")

    with pytest.raises(checkout.ProductSoldOut) as refused:
        await _start(product, key="second-buyer-key")

    assert refused.value.message == "Sold out"
    assert await _count(Order) == 1
    assert await _count(SandboxPayment) == 1


async def test_a_draft_product_cannot_be_bought() -> None:
    product = await _product(status="draft")

    with pytest.raises(ProductNotFound):
        await _start(product)

    assert await _count(Order) == 0


async def test_an_unreachable_provider_fails_the_order_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    product = await _product()
    monkeypatch.setattr(settings, "public_url", f"http://127.0.0.1:{free_port()}")

    with pytest.raises(checkout.CheckoutPaymentUnavailable) as refused:
        await _start(product)

    assert refused.value.status == 502
    assert refused.value.message == "We couldn't reach the payment provider. Please try again."
    [order] = await _rows(Order)
    assert order.status == OrderStatus.FAILED
    [attempt] = await _rows(PaymentAttempt)
    assert (attempt.action, attempt.outcome) == ("create_payment", "error")
    assert attempt.detail.startswith("retryable: sandbox gateway unreachable")


# --- The payment event -----------------------------------------------------------------------------


async def test_a_succeeded_event_fulfils_the_order() -> None:
    product = await _product(download_limit=3, link_lifetime_days=10)
    order = await _order((await _start(product)).order_public_id)

    outcome = await _deliver(_payment_event(order, fee=65))

    assert outcome is HandleOutcome.HANDLED
    paid = await _order(order.public_id)
    assert (paid.status, paid.provider_fee) == (OrderStatus.PAID, 65)
    assert paid.paid_at is not None
    await _assert_fulfilled_once(order, product)
    entitlements = await _rows(Entitlement, Entitlement.order_id == order.id)
    assert [entitlement.download_limit for entitlement in entitlements] == [3, 3]
    assert {as_utc(entitlement.expires_at) for entitlement in entitlements} == {
        as_utc(paid.paid_at) + timedelta(days=10)
    }
    assert await _transitions(order) == [
        ("created", "pending", "checkout started"),
        ("pending", "paid", "payment.succeeded evt_1"),
    ]


async def test_the_same_event_three_times_fulfils_once() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)
    raw = _payment_event(order)

    outcomes = [await _deliver(raw) for _ in range(3)]

    assert outcomes == [HandleOutcome.HANDLED, HandleOutcome.SKIPPED, HandleOutcome.SKIPPED]
    await _assert_fulfilled_once(order, product)


async def test_the_same_event_ten_times_concurrently_fulfils_once() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)
    raw = _payment_event(order)

    outcomes = await asyncio.gather(*(_deliver(raw) for _ in range(10)))

    assert outcomes.count(HandleOutcome.HANDLED) == 1
    await _assert_fulfilled_once(order, product)


async def test_distinct_success_events_for_one_order_concurrently_fulfil_once() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)

    outcomes = await asyncio.gather(*(_deliver(_payment_event(order, event_id=f"evt_{n}")) for n in range(5)))

    assert outcomes == [HandleOutcome.HANDLED] * 5
    await _assert_fulfilled_once(order, product)
    assert await _count(OrderEvent, OrderEvent.to_status == "paid") == 1


async def test_a_failed_event_fails_the_order_and_delivers_nothing() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)

    await _deliver(_payment_event(order, event_type="payment.failed", failure_code="card_declined"))

    assert (await _order(order.public_id)).status == OrderStatus.FAILED
    assert await _count(LedgerTransaction) == 0
    assert await _count(Entitlement) == 0
    assert await _count(OutboxEmail) == 0
    assert (await _transitions(order))[-1] == ("pending", "failed", "card_declined")


async def test_a_refused_card_on_an_open_payment_keeps_the_order_waiting_and_another_card_pays_it() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)
    refused = _payment_event(
        order,
        event_id="evt_refused",
        event_type="payment.failed",
        failure_code="card_declined",
        status="requires_payment",
    )

    assert await _deliver(refused) is HandleOutcome.HANDLED
    waiting = await _order(order.public_id)
    await _deliver(_payment_event(order, event_id="evt_ok"))

    assert waiting.status == OrderStatus.PENDING
    attempts = await _rows(
        PaymentAttempt, PaymentAttempt.order_id == order.id, PaymentAttempt.action == "payment.failed"
    )
    assert [(attempt.action, attempt.detail.endswith("failure card_declined")) for attempt in attempts] == [
        ("payment.failed", True)
    ]
    assert (await _order(order.public_id)).status == OrderStatus.PAID
    await _assert_fulfilled_once(order, product)
    assert (await _transitions(order))[-1] == ("pending", "paid", "payment.succeeded evt_ok")


async def test_a_success_after_a_failure_still_pays_the_order() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)
    await _deliver(
        _payment_event(order, event_id="evt_fail", event_type="payment.failed", failure_code="card_declined")
    )

    await _deliver(_payment_event(order, event_id="evt_ok"))

    assert (await _order(order.public_id)).status == OrderStatus.PAID
    await _assert_fulfilled_once(order, product)
    assert (await _transitions(order))[-1] == ("failed", "paid", "payment.succeeded evt_ok")


async def test_a_failure_after_a_success_changes_nothing() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)
    await _deliver(_payment_event(order, event_id="evt_ok"))

    outcome = await _deliver(_payment_event(order, event_id="evt_late", event_type="payment.failed"))

    assert outcome is HandleOutcome.HANDLED
    assert (await _order(order.public_id)).status == OrderStatus.PAID
    await _assert_fulfilled_once(order, product)


@pytest.mark.parametrize(("amount", "currency"), [(1199, "USD"), (1200, "EUR")])
async def test_a_payment_that_does_not_match_the_order_is_not_applied(amount: int, currency: str) -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)

    with pytest.raises(external_events.WebhookHandlingFailed):
        await _deliver(_payment_event(order, amount=amount, currency=currency))

    assert (await _order(order.public_id)).status == OrderStatus.PENDING
    assert await _count(LedgerTransaction) == 0
    assert await _count(Entitlement) == 0
    assert await _count(OutboxEmail) == 0
    [event] = await _rows(ExternalEvent)
    assert event.handled_at is None
    assert event.last_error is not None and event.last_error.startswith("PaymentDoesNotMatchOrder")


async def test_an_event_for_an_unknown_order_is_ignored() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)

    outcome = await _deliver(_payment_event(order, merchant_reference="ord_not_ours"))

    assert outcome is HandleOutcome.HANDLED
    assert (await _order(order.public_id)).status == OrderStatus.PENDING
    assert await _count(LedgerTransaction) == 0


# --- Abandoned checkouts ---------------------------------------------------------------------------


async def test_abandoned_orders_expire_and_a_late_success_still_counts() -> None:
    product = await _product(quantity_limit=1)
    order = await _order((await _start(product)).order_public_id)
    async with db.transaction() as session:
        row = await session.get(Order, order.id)
        assert row is not None
        row.expires_at = utc_now() - timedelta(minutes=1)
        session.add(row)
    fresh = await _order((await _start(await _product(), key="fresh-checkout")).order_public_id)

    expired = await checkout.expire_abandoned_orders()
    again = await checkout.expire_abandoned_orders()

    assert (expired, again) == (1, 0)
    assert (await _order(order.public_id)).status == OrderStatus.EXPIRED
    assert (await _order(fresh.public_id)).status == OrderStatus.PENDING
    assert (await _transitions(order))[-1] == ("pending", "expired", "checkout abandoned")

    await _deliver(_payment_event(order, event_id="evt_late"))

    assert (await _order(order.public_id)).status == OrderStatus.PAID
    await _assert_fulfilled_once(order, product)


# --- Many buyers at once -----------------------------------------------------------------------------


async def test_concurrent_buyers_of_one_unlimited_product_are_each_fulfilled_and_counted() -> None:
    product = await _product(files=1)
    started = await asyncio.gather(*(_start(product, key=f"crowd-key-{number:04d}") for number in range(8)))
    orders = [await _order(one.order_public_id) for one in started]

    outcomes = await asyncio.gather(
        *(_deliver(_payment_event(order, event_id=f"evt_crowd_{number}")) for number, order in enumerate(orders))
    )

    assert outcomes == [HandleOutcome.HANDLED] * 8
    assert {(await _order(order.public_id)).status for order in orders} == {OrderStatus.PAID}
    assert await _count(LedgerTransaction) == 8
    assert await _count(Entitlement) == 8
    assert await _count(OutboxEmail) == 8
    async with db.transaction() as session:
        refreshed = await session.get(Product, product.id)
        assert refreshed is not None and refreshed.sold_count == 8


async def test_the_payment_reference_is_set_once_and_never_replaced() -> None:
    product = await _product()
    order = await _order((await _start(product)).order_public_id)
    assert order.id is not None and order.provider_reference is not None

    async with db.transaction() as session:
        is_set = await orders_service.set_provider_reference_if_unset(session, order.id, "pay_other", at=utc_now())

    assert is_set is False
    assert (await _order(order.public_id)).provider_reference == order.provider_reference
