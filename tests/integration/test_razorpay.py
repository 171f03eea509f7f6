"""Razorpay for INR: orders made through the SDK against a local stand-in, webhooks with real HMAC signatures."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import razorpay
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import SQLModel, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import NotFound, ProviderError
from creatorly.kit.clock import utc_now
from creatorly.models import Entitlement, ExternalEvent, LedgerTransaction, Order, OrderEvent, PaymentAttempt
from creatorly.models.enums import BookingStatus, OrderKind, OrderStatus, PaymentProviderName
from creatorly.providers.payments.base import PaymentRequest
from creatorly.providers.payments.razorpay import RazorpayPaymentProvider, verify_razorpay_webhook
from creatorly.providers.registry import get_payment_provider
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout.razorpay_callback import RazorpayCallbackRejected, confirm_razorpay_callback
from creatorly.services.external_events import service as external_events
from creatorly.services.external_events.schemas import HandleOutcome
from creatorly.services.external_events.service import WebhookHandlingFailed, WebhookRejected
from creatorly.services.ledger import escrow
from creatorly.services.ledger import service as ledger
from creatorly.services.orders import service as orders
from creatorly.services.refunds import service as refunds
from creatorly.services.sessions import booking as session_booking
from creatorly.services.sessions import lifecycle, settlement
from creatorly.services.sessions.booking import booking_key
from creatorly.services.sessions.fulfilment import SETTLE_JOB
from creatorly.services.sessions.settlement import SEND_REFUND_JOB
from tests import sessions as session_given
from tests.accounts import PASSWORD, new_requester
from tests.factories import make_creator, new_product
from tests.integration.razorpay_standin import KEY_ID, KEY_SECRET, RazorpayStandIn, running_razorpay_standin
from tests.processes import free_port, serving

PAYLOADS = Path(__file__).parent.parent / "payloads" / "razorpay"
WEBHOOK_SECRET = "whsec_razorpay_test"
BUYER = "fan@example.com"
PRICE = 49900  # INR 499.00
FEE = 1178  # 2% plus 18% GST on it, as Razorpay reports it in payment.entity.fee


@pytest.fixture(scope="module")
def stand_in() -> Iterator[RazorpayStandIn]:
    with running_razorpay_standin() as running:
        yield running


@pytest.fixture(autouse=True)
def _razorpay_settings(stand_in: RazorpayStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in.orders.clear()
    stand_in.refunds.clear()
    stand_in.fail_next_with_status = None
    monkeypatch.setattr(settings, "public_url", "http://shop.test")
    monkeypatch.setattr(settings, "razorpay_key_id", KEY_ID)
    monkeypatch.setattr(settings, "razorpay_key_secret", SecretStr(KEY_SECRET))
    monkeypatch.setattr(settings, "razorpay_webhook_secret", SecretStr(WEBHOOK_SECRET))
    monkeypatch.setattr(settings, "razorpay_api_base", stand_in.base_url)


# --- Given helpers ---------------------------------------------------------------------------------


def _request(reference: str = "ord_test", *, amount: int = PRICE, currency: str = "INR") -> PaymentRequest:
    return PaymentRequest(
        merchant_reference=reference,
        amount=amount,
        currency=currency,
        description="A thing worth buying",
        buyer_email=BUYER,
        return_url="http://shop.test/orders/x",
        idempotency_key=f"order-{reference}",
    )


async def _pending_order() -> Order:
    """An INR order of a fresh creator's product, pending, with its Razorpay order made on the stand-in."""
    made = await make_creator(products=[new_product(currency="INR", price_amount=PRICE)])
    [product] = made.products
    assert product.id is not None
    public_id = f"ord_{secrets.token_hex(10)}"
    async with db.transaction() as session:
        order = Order(
            public_id=public_id,
            creator_id=product.creator_id,
            product_id=product.id,
            buyer_email=BUYER,
            amount=PRICE,
            currency="INR",
            checkout_key=secrets.token_hex(8),
            status=OrderStatus.CREATED,
            provider=PaymentProviderName.RAZORPAY,
            expires_at=utc_now() + timedelta(hours=1),
        )
        await orders.add_order(session, order)
        await orders.transition(session, order, OrderStatus.PENDING, cause="checkout started")
    payment = await get_payment_provider("razorpay").create_payment(_request(public_id))
    async with db.transaction() as session:
        locked = await orders.find_by_public_id(session, public_id, for_update=True)
        assert locked is not None
        locked.provider_reference = payment.provider_reference
        session.add(locked)
    return await _order(public_id)


def _event(name: str, order: Order, *, amount: int | None = None, fee: int = FEE) -> bytes:
    """A recorded Razorpay webhook, pointed at our order, serialised once: these are the bytes we sign."""
    payload: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    payment = payload["payload"]["payment"]["entity"]
    payment.update(order_id=order.provider_reference, amount=order.amount if amount is None else amount)
    if payment["status"] == "captured":
        payment["fee"] = fee
    if "order" in payload["payload"]:
        payload["payload"]["order"]["entity"].update(
            id=order.provider_reference, amount=order.amount, amount_paid=order.amount, receipt=order.public_id
        )
    return json.dumps(payload, indent=2).encode()


def _signature(raw: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


async def _deliver(raw: bytes, *, event_id: str = "evt_RZP0001", signature: str | None = None) -> HandleOutcome:
    headers = {"X-Razorpay-Signature": signature or _signature(raw), "X-Razorpay-Event-Id": event_id}
    result = await external_events.receive(provider="razorpay", raw_body=raw, headers=headers)
    return result.outcome


def _callback_signature(razorpay_order_id: str, payment_id: str) -> str:
    return hmac.new(KEY_SECRET.encode(), f"{razorpay_order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def _rows_of_events() -> list[ExternalEvent]:
    async with db.transaction() as session:
        return list((await session.exec(select(ExternalEvent))).all())


async def _assert_paid_once(order: Order) -> None:
    paid = await _order(order.public_id)
    assert (paid.status, paid.provider_fee, paid.provider_reference) == (
        OrderStatus.PAID,
        FEE,
        order.provider_reference,
    )
    assert await _count(LedgerTransaction) == 1
    assert await _count(Entitlement, Entitlement.order_id == order.id) == 0  # the factory product has no files
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"INR": 0}


# --- Creating the Razorpay order ------------------------------------------------------------------


async def test_create_payment_makes_a_razorpay_order_on_the_standin(stand_in: RazorpayStandIn) -> None:
    created = await get_payment_provider("razorpay").create_payment(_request("ord_abc123"))

    [made] = stand_in.orders
    assert (made["amount"], made["currency"], made["receipt"]) == (PRICE, "INR", "ord_abc123")
    assert made["notes"] == {"merchant_reference": "ord_abc123"}
    assert made["status"] == "created" and made["id"].startswith("order_")
    assert created.provider_reference == made["id"]
    assert created.redirect_url == f"http://shop.test/pay/razorpay/{made['id']}"


async def test_a_refused_order_is_a_final_provider_error(stand_in: RazorpayStandIn) -> None:
    with pytest.raises(ProviderError) as refused:
        await get_payment_provider("razorpay").create_payment(_request(amount=50))

    assert refused.value.is_retryable is False
    assert "at least INR 1.00" in refused.value.message
    assert stand_in.orders == []


async def test_wrong_keys_are_a_final_provider_error(stand_in: RazorpayStandIn) -> None:
    provider = RazorpayPaymentProvider(KEY_ID, "not-the-secret", stand_in.base_url)

    with pytest.raises(ProviderError) as refused:
        await provider.create_payment(_request())

    assert refused.value.is_retryable is False
    assert stand_in.orders == []


async def test_a_razorpay_server_error_or_no_answer_is_retryable(stand_in: RazorpayStandIn) -> None:
    stand_in.fail_next_with_status = 500
    with pytest.raises(ProviderError) as server_error:
        await get_payment_provider("razorpay").create_payment(_request())
    unreachable = RazorpayPaymentProvider(KEY_ID, KEY_SECRET, f"http://127.0.0.1:{free_port()}", timeout_seconds=2)
    with pytest.raises(ProviderError) as no_answer:
        await unreachable.create_payment(_request())

    assert server_error.value.is_retryable is True
    assert no_answer.value.is_retryable is True
    assert stand_in.orders == []


async def test_a_non_inr_payment_is_refused_without_calling_razorpay(stand_in: RazorpayStandIn) -> None:
    with pytest.raises(ProviderError) as refused:
        await get_payment_provider("razorpay").create_payment(_request(currency="USD"))

    assert refused.value.is_retryable is False
    assert stand_in.orders == []


async def test_the_razorpay_provider_exists_only_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_payment_provider("razorpay").name == "razorpay"

    monkeypatch.setattr(settings, "razorpay_key_id", "")

    with pytest.raises(LookupError):
        get_payment_provider("razorpay")


# --- Webhooks -------------------------------------------------------------------------------------


async def test_payment_captured_with_a_real_signature_fulfils_the_order() -> None:
    order = await _pending_order()

    outcome = await _deliver(_event("payment.captured", order))

    assert outcome is HandleOutcome.HANDLED
    await _assert_paid_once(order)
    [stored] = await _rows_of_events()
    assert (stored.provider, stored.event_id, stored.event_type) == ("razorpay", "evt_RZP0001", "payment.captured")


async def test_order_paid_alone_fulfils_and_after_payment_captured_changes_nothing() -> None:
    first, second = await _pending_order(), await _pending_order()

    assert await _deliver(_event("order.paid", first), event_id="evt_A") is HandleOutcome.HANDLED
    assert await _deliver(_event("payment.captured", second), event_id="evt_B") is HandleOutcome.HANDLED
    assert await _deliver(_event("order.paid", second), event_id="evt_C") is HandleOutcome.HANDLED

    assert (await _order(first.public_id)).status == OrderStatus.PAID
    assert (await _order(second.public_id)).status == OrderStatus.PAID
    assert await _count(LedgerTransaction) == 2
    assert await _count(OrderEvent, OrderEvent.order_id == second.id, OrderEvent.to_status == "paid") == 1


async def test_the_same_event_three_times_fulfils_once() -> None:
    order = await _pending_order()
    raw = _event("payment.captured", order)

    outcomes = [await _deliver(raw) for _ in range(3)]

    assert outcomes == [HandleOutcome.HANDLED, HandleOutcome.SKIPPED, HandleOutcome.SKIPPED]
    assert await _count(ExternalEvent) == 1
    await _assert_paid_once(order)


async def test_the_same_event_ten_times_concurrently_fulfils_once() -> None:
    order = await _pending_order()
    raw = _event("payment.captured", order)

    outcomes = await asyncio.gather(*(_deliver(raw) for _ in range(10)))

    assert outcomes.count(HandleOutcome.HANDLED) == 1
    assert await _count(ExternalEvent) == 1
    await _assert_paid_once(order)


async def test_a_forged_signature_or_a_reserialised_body_is_refused_and_nothing_is_written() -> None:
    order = await _pending_order()
    raw = _event("payment.captured", order)
    reserialised = json.dumps(json.loads(raw), separators=(",", ":")).encode()

    with pytest.raises(WebhookRejected) as forged:
        await _deliver(raw, signature=_signature(raw, secret="not-the-webhook-secret"))
    with pytest.raises(WebhookRejected) as reencoded:
        await _deliver(reserialised, signature=_signature(raw))

    assert forged.value.status == reencoded.value.status == 400
    assert await _count(ExternalEvent) == 0
    assert await _count(LedgerTransaction) == 0
    assert (await _order(order.public_id)).status == OrderStatus.PENDING


async def test_an_event_without_the_event_id_header_is_refused() -> None:
    order = await _pending_order()
    raw = _event("payment.captured", order)

    with pytest.raises(WebhookRejected):
        await external_events.receive(
            provider="razorpay", raw_body=raw, headers={"X-Razorpay-Signature": _signature(raw)}
        )

    assert await _count(ExternalEvent) == 0


async def test_over_http_a_forged_event_is_400_and_razorpay_switched_off_is_404(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = await _pending_order()
    raw = _event("payment.captured", order)
    transport = httpx.ASGITransport(app=creatorly.api.app.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        forged = await client.post(
            "/api/webhooks/razorpay",
            content=raw,
            headers={"X-Razorpay-Signature": "0" * 64, "X-Razorpay-Event-Id": "evt_1"},
        )
        monkeypatch.setattr(settings, "razorpay_webhook_secret", SecretStr(""))
        switched_off = await client.post(
            "/api/webhooks/razorpay",
            content=raw,
            headers={"X-Razorpay-Signature": _signature(raw), "X-Razorpay-Event-Id": "evt_1"},
        )

    assert (forged.status_code, switched_off.status_code) == (400, 404)
    with pytest.raises(NotFound):
        await _deliver(raw)
    assert await _count(ExternalEvent) == 0
    assert (await _order(order.public_id)).status == OrderStatus.PENDING


async def test_a_payment_for_another_amount_is_never_fulfilled() -> None:
    order = await _pending_order()

    with pytest.raises(WebhookHandlingFailed):
        await _deliver(_event("payment.captured", order, amount=PRICE - 1))

    assert (await _order(order.public_id)).status == OrderStatus.PENDING
    assert await _count(LedgerTransaction) == 0


async def test_a_failed_payment_keeps_the_order_waiting_and_a_later_capture_fulfils_it() -> None:
    order = await _pending_order()

    assert await _deliver(_event("payment.failed", order), event_id="evt_F") is HandleOutcome.HANDLED
    waiting = await _order(order.public_id)
    assert await _deliver(_event("payment.captured", order), event_id="evt_C") is HandleOutcome.HANDLED

    assert waiting.status == OrderStatus.PENDING
    await _assert_paid_once(order)
    async with db.transaction() as session:
        causes = [event.cause for event in await orders.events_of(session, order.id or 0)]
    assert causes == ["checkout started", "payment.captured evt_C"]


# --- Checkout callback ------------------------------------------------------------------------------


async def test_the_callback_for_our_razorpay_order_is_confirmed_and_writes_nothing() -> None:
    order = await _pending_order()
    assert order.provider_reference is not None
    attempts, events = await _count(PaymentAttempt), await _count(OrderEvent)

    confirmed = await confirm_razorpay_callback(
        order_public_id=order.public_id,
        razorpay_order_id=order.provider_reference,
        razorpay_payment_id="pay_DESyzxuld02Zul",
        razorpay_signature=_callback_signature(order.provider_reference, "pay_DESyzxuld02Zul"),
    )

    assert (confirmed.order_public_id, confirmed.is_paid) == (order.public_id, False)
    assert (await _count(PaymentAttempt), await _count(OrderEvent)) == (attempts, events)


async def test_a_callback_signed_for_a_foreign_razorpay_order_is_refused_and_writes_nothing() -> None:
    order, other = await _pending_order(), await _pending_order()
    assert other.provider_reference is not None
    foreign_signature = _callback_signature(other.provider_reference, "pay_foreign0001")
    attempts, events = await _count(PaymentAttempt), await _count(OrderEvent)

    with pytest.raises(RazorpayCallbackRejected) as foreign:
        await confirm_razorpay_callback(
            order_public_id=order.public_id,
            razorpay_order_id=other.provider_reference,
            razorpay_payment_id="pay_foreign0001",
            razorpay_signature=foreign_signature,
        )
    with pytest.raises(RazorpayCallbackRejected) as replayed:
        await confirm_razorpay_callback(
            order_public_id=order.public_id,
            razorpay_order_id=order.provider_reference or "",
            razorpay_payment_id="pay_foreign0001",
            razorpay_signature=foreign_signature,
        )

    assert foreign.value.status == replayed.value.status == 400
    assert (await _count(PaymentAttempt), await _count(OrderEvent)) == (attempts, events)
    assert (await _order(order.public_id)).status == OrderStatus.PENDING


# --- Razorpay's own signature vectors (README) -----------------------------------------------------


def test_the_sdk_webhook_vector_verifies_byte_for_byte() -> None:
    raw = (PAYLOADS / "fake_payment_authorized_webhook.json").read_bytes()
    signature = "d60e67fd884556c045e9be7dad57903e33efc7172c17c6e3ef77db42d2b366e9"

    verify_razorpay_webhook(raw, signature, secret="key_secret")
    assert razorpay.Client(auth=("key_id", "key_secret")).utility.verify_webhook_signature(
        raw.decode(), signature, "key_secret"
    )
    assert len(raw) == 971
    with pytest.raises(ValueError, match="does not match"):
        verify_razorpay_webhook(raw.rstrip(b"\n"), signature, secret="key_secret")


def test_the_sdk_payment_vector_verifies_only_for_our_order_id() -> None:
    provider = RazorpayPaymentProvider("key_id", "key_secret", None)
    signature = "b2335e3b0801106b84a7faff035df56ecffde06918c9ddd1f0fafbb37a51cc89"

    provider.verify_payment_callback(
        order_id_we_stored="fake_order_id", payment_id="fake_payment_id", signature=signature
    )
    with pytest.raises(ValueError, match="does not match"):
        provider.verify_payment_callback(
            order_id_we_stored="order_someone_else", payment_id="fake_payment_id", signature=signature
        )


# --- Checkout's Razorpay page, its callback route, refunds ----------------------------------------------


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serving(creatorly.api.app.api) as url:
        yield url


async def _checkout_in_inr() -> tuple[str, str]:
    """Checkout as the storefront runs it: with Razorpay configured, an INR sale goes to a Razorpay order."""
    made = await make_creator(products=[new_product(currency="INR", price_amount=PRICE)])
    [product] = made.products
    started = await checkout.start_checkout(
        handle=made.creator.handle, slug=product.slug, buyer_email=BUYER, checkout_key=secrets.token_hex(8)
    )
    return started.order_public_id, started.redirect_url


async def test_checkout_sends_an_inr_sale_to_razorpay_and_its_page_opens_checkout(
    stand_in: RazorpayStandIn, app_url: str
) -> None:
    public_id, redirect_url = await _checkout_in_inr()

    order = await _order(public_id)
    assert (order.provider, order.status) == (PaymentProviderName.RAZORPAY, OrderStatus.PENDING)
    assert order.provider_reference == stand_in.orders[-1]["id"]
    assert redirect_url == f"http://shop.test/pay/razorpay/{order.provider_reference}"
    page = httpx.get(f"{app_url}/pay/razorpay/{order.provider_reference}")
    assert page.status_code == 200
    assert f'<script src="{stand_in.base_url}/v1/checkout.js"></script>' in page.text
    assert KEY_ID in page.text and order.provider_reference in page.text and "₹499.00" in page.text
    assert KEY_SECRET not in page.text and WEBHOOK_SECRET not in page.text
    assert f"/api/pay/razorpay/{public_id}/callback" in page.text
    assert httpx.get(f"{app_url}/pay/razorpay/order_NotOurs0000001").status_code == 404


async def test_the_callback_route_confirms_our_order_and_refuses_a_foreign_one(app_url: str) -> None:
    order = await _pending_order()
    other = await _pending_order()
    assert order.provider_reference is not None and other.provider_reference is not None
    url = f"{app_url}/api/pay/razorpay/{order.public_id}/callback"

    good = httpx.post(
        url,
        json={
            "razorpay_order_id": order.provider_reference,
            "razorpay_payment_id": "pay_DESyzxuld02Zul",
            "razorpay_signature": _callback_signature(order.provider_reference, "pay_DESyzxuld02Zul"),
        },
    )
    # Someone else's genuine, correctly signed payment replayed against our order.
    foreign = httpx.post(
        url,
        json={
            "razorpay_order_id": other.provider_reference,
            "razorpay_payment_id": "pay_DESyzxuld02Zul",
            "razorpay_signature": _callback_signature(other.provider_reference, "pay_DESyzxuld02Zul"),
        },
    )

    assert good.status_code == 200 and good.json()["is_paid"] is False
    assert good.json()["redirect_url"].startswith(f"http://shop.test/orders/{order.public_id}?key=")
    assert (foreign.status_code, foreign.json()["error"]) == (400, "razorpay_callback_rejected")
    assert httpx.post(url, json={"razorpay_order_id": order.provider_reference}).status_code == 422
    assert (await _order(order.public_id)).status == OrderStatus.PENDING


def _refund_event(order: Order, refund: dict[str, Any]) -> bytes:
    payload: dict[str, Any] = json.loads((PAYLOADS / "refund.processed.json").read_text())
    payload["payload"]["refund"]["entity"].update(
        id=refund["id"], amount=refund["amount"], payment_id=refund["payment_id"], notes=refund["notes"]
    )
    payload["payload"]["payment"]["entity"].update(
        id=refund["payment_id"], order_id=order.provider_reference, amount=order.amount
    )
    return json.dumps(payload).encode()


async def test_a_creator_refund_goes_to_razorpays_payment_once_and_its_webhook_reverses_the_sale(
    stand_in: RazorpayStandIn,
) -> None:
    order = await _pending_order()
    assert await _deliver(_event("payment.captured", order)) == HandleOutcome.HANDLED
    paid = await _order(order.public_id)
    assert paid.provider_payment_id is not None and paid.provider_payment_id.startswith("pay_")
    creator_email = await _creator_email(order)
    signed_in = await accounts.sign_in(email=creator_email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)

    first = await refunds.refund_order(
        session_token=signed_in.session_token, order_public_id=order.public_id, amount_text="100.00"
    )
    again = await refunds.refund_order(
        session_token=signed_in.session_token, order_public_id=order.public_id, amount_text="100.00"
    )

    assert first.amount == again.amount == 10000
    [refund] = stand_in.refunds  # the repeated click found its refund at Razorpay by our key
    assert (refund["payment_id"], refund["amount"]) == (paid.provider_payment_id, 10000)
    assert refund["notes"]["merchant_reference"] == order.public_id
    raw = _refund_event(paid, refund)
    for _ in range(3):
        assert await _deliver(raw, event_id="evt_RZPREFUND1") in (HandleOutcome.HANDLED, HandleOutcome.SKIPPED)
    refunded = await _order(order.public_id)
    assert (refunded.status, refunded.refunded_amount) == (OrderStatus.PARTIALLY_REFUNDED, 10000)
    assert await _count(LedgerTransaction) == 2
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"INR": 0}


async def _creator_email(order: Order) -> str:
    from creatorly.models import Creator, User

    async with db.transaction() as session:
        creator = await session.get(Creator, order.creator_id)
        assert creator is not None
        user = await session.get(User, creator.user_id)
        assert user is not None
        return user.email


# --- Paid sessions -------------------------------------------------------------------------------------


async def test_an_inr_session_is_paid_through_razorpay_held_in_escrow_and_a_fan_cancel_refunded_at_razorpay(
    stand_in: RazorpayStandIn,
) -> None:
    creator, _, _, type_id = await session_given.creator(price="1500", currency="INR")
    start = await session_given.slot(creator, type_id)
    started = await session_booking.start_booking(session_given.new(creator, type_id, start, email=BUYER))
    order = await _order(started.order_public_id)
    assert (order.kind, order.provider, order.amount) == (OrderKind.SESSION, PaymentProviderName.RAZORPAY, 150000)

    assert await _deliver(_event("payment.captured", order, fee=3540)) is HandleOutcome.HANDLED

    booked = await session_given.booking_of(order)
    assert ((await _order(order.public_id)).status, booked.status) == (OrderStatus.PAID, BookingStatus.BOOKED)
    assert creator.id is not None
    async with db.transaction() as session:
        assert await escrow.escrow_balance(session, creator.id, "INR") == 150000 - 3540
    with queue.intercepting(SETTLE_JOB):
        await lifecycle.cancel_as_fan(public_id=booked.public_id, key=booking_key(booked.public_id))
    assert booked.id is not None
    with queue.intercepting(SEND_REFUND_JOB) as refund_jobs:
        assert await settlement.settle_booking(booking_id=booked.id) == "fan_cancelled"
    [(_, (refund_id,))] = refund_jobs
    assert await refunds.send_settlement_refund(refund_id=refund_id) == "sent"
    [refund] = stand_in.refunds
    assert refund["amount"] == 150000  # cancelled in time: all of it back to the fan
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"INR": 0}
