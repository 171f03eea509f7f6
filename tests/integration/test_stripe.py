"""Stripe end to end against a real localstripe server: PaymentIntent at checkout, fulfilment from its signed webhook.

localstripe answers "Not implemented" to `confirm` with a `payment_method` argument, so the tests attach
the card with an update first and then confirm without arguments (what Stripe.js does on our Elements page
is equivalent). It ignores idempotency keys, and sends only the events it knows; the replay, stale, future
and mismatch cases sign their own bodies exactly as Stripe does (HMAC-SHA256 over "{t}.{body}").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import stripe
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import SQLModel, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.models import (
    Creator,
    Entitlement,
    ExternalEvent,
    LedgerTransaction,
    Order,
    PaymentAttempt,
    Product,
    ProductFile,
)
from creatorly.models.enums import BookingStatus, OrderKind, OrderStatus
from creatorly.providers.payments.stripe import StripePaymentProvider, verify_stripe_webhook
from creatorly.providers.registry import get_stripe_provider
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout import stripe_fees
from creatorly.services.checkout.schemas import CheckoutStarted
from creatorly.services.delivery.service import order_page_url
from creatorly.services.ledger import escrow, fees
from creatorly.services.ledger import service as ledger
from creatorly.services.sessions import booking as session_booking
from tests import sessions as session_given
from tests.factories import make_creator, new_product
from tests.localstripe import running_localstripe, send_webhooks_to
from tests.processes import serving

BUYER = "fan@example.com"
SECRET_KEY = "sk_test_12345"
PUBLISHABLE_KEY = "pk_test_12345"
WEBHOOK_SECRET = "whsec_test"
SUCCEEDING_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"


# --- Servers ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log") as url:
        yield url


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """Our own API on a free port: localstripe delivers its webhooks here."""
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(scope="module")
def _webhook_registered(localstripe_url: str, app_url: str) -> None:
    send_webhooks_to(localstripe_url, f"{app_url}/api/webhooks/stripe", secret=WEBHOOK_SECRET)


@pytest.fixture(autouse=True)
def _stripe_enabled(
    localstripe_url: str, app_url: str, _webhook_registered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_url)
    monkeypatch.setattr(settings, "stripe_api_base", localstripe_url)
    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr(SECRET_KEY))
    monkeypatch.setattr(settings, "stripe_publishable_key", PUBLISHABLE_KEY)
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr(WEBHOOK_SECRET))


@pytest.fixture
def stripe_client(localstripe_url: str) -> stripe.StripeClient:
    """The buyer's side (Stripe.js on the Elements page), played by the SDK against localstripe."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe_url})


# --- Given / when helpers --------------------------------------------------------------------------


async def _product() -> Product:
    made = await make_creator(products=[new_product()])
    [product] = made.products
    async with db.transaction() as session:
        row = await session.get(Product, product.id)
        assert row is not None and row.id is not None
        session.add(
            ProductFile(
                product_id=row.id,
                storage_key=f"files/{row.id}/0.pdf",
                original_name="part-0.pdf",
                content_type="application/pdf",
                size_bytes=1000,
                sha256="0" * 64,
                position=0,
            )
        )
    return row


async def _start(product: Product, *, key: str = "key-00000001") -> CheckoutStarted:
    """Checkout as the storefront runs it: with Stripe configured, a USD sale goes to a Stripe PaymentIntent."""
    async with db.transaction() as session:
        creator = await session.get(Creator, product.creator_id)
        assert creator is not None
    return await checkout.start_checkout(handle=creator.handle, slug=product.slug, buyer_email=BUYER, checkout_key=key)


def _pay(client: stripe.StripeClient, payment_intent_id: str, card: str) -> str:
    """Attach a card, then confirm without arguments (localstripe cannot confirm with a payment_method)."""
    card_details = {"number": card, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card_details})
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": method.id})
    try:
        return client.v1.payment_intents.confirm(payment_intent_id).status
    except stripe.CardError as error:
        return f"declined:{error.code}"


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _count(model: type[SQLModel]) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def _eventually(check: Callable[[], Awaitable[bool]], *, what: str, timeout_seconds: float = 15) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_seconds}s waiting for {what}")


async def _order_is(public_id: str, status: OrderStatus) -> bool:
    return (await _order(public_id)).status == status


async def _decline_logged(order_id: int | None) -> bool:
    """The webhook of a declined card was applied: the payment log has it (the order keeps waiting)."""
    async with db.transaction() as session:
        statement = select(PaymentAttempt).where(
            PaymentAttempt.order_id == order_id,
            PaymentAttempt.action == "payment_intent.payment_failed",
            PaymentAttempt.outcome == "declined",
        )
        return (await session.exec(statement)).first() is not None


def _signature(body: bytes, *, timestamp: int, secret: str = WEBHOOK_SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _event_body(intent: dict[str, Any], *, event_id: str = "evt_test_1", **changes: Any) -> bytes:
    event = {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "data": {"object": {**intent, **changes}},
    }
    return json.dumps(event).encode()


def _post(app_url: str, body: bytes, signature: str) -> httpx.Response:
    return httpx.post(
        f"{app_url}/api/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


async def _trial_balance() -> dict[str, int]:
    async with db.transaction() as session:
        return await ledger.trial_balance(session)


# --- Checkout to fulfilment --------------------------------------------------------------------------


async def test_a_stripe_checkout_is_paid_by_localstripes_signed_webhook(
    stripe_client: stripe.StripeClient, app_url: str
) -> None:
    product = await _product()

    started = await _start(product)

    order = await _order(started.order_public_id)
    assert (order.provider, order.status, order.amount, order.currency) == ("stripe", OrderStatus.PENDING, 1200, "USD")
    assert order.provider_reference is not None and order.provider_reference.startswith("pi_")
    assert started.redirect_url == f"{app_url}/pay/stripe/{order.provider_reference}"
    intent = await asyncio.to_thread(stripe_client.v1.payment_intents.retrieve, order.provider_reference)
    assert (intent.amount, intent.currency, intent.status) == (1200, "usd", "requires_payment_method")
    assert intent.metadata["merchant_reference"] == order.public_id

    assert await asyncio.to_thread(_pay, stripe_client, order.provider_reference, SUCCEEDING_CARD) == "succeeded"

    await _eventually(lambda: _order_is(order.public_id, OrderStatus.PAID), what="the order to be paid")
    paid = await _order(order.public_id)
    assert paid.provider_fee == 0 and paid.paid_at is not None
    assert await _count(LedgerTransaction) == 1
    assert await _count(Entitlement) == 1
    assert await _trial_balance() == {"USD": 0}
    async with db.transaction() as session:
        [stored] = (await session.exec(select(ExternalEvent))).all()
    assert (stored.provider, stored.event_type) == ("stripe", "payment_intent.succeeded")
    assert stored.handled_at is not None

    # localstripe's own delivery, redelivered twice more (Stripe retries): still one sale.
    replayed = stored.payload.encode()
    for _ in range(2):
        assert _post(app_url, replayed, _signature(replayed, timestamp=int(time.time()))).status_code == 200
    assert await _count(ExternalEvent) == 1
    assert await _count(LedgerTransaction) == 1


async def test_a_declined_card_is_logged_the_order_keeps_waiting_and_nothing_is_posted(
    stripe_client: stripe.StripeClient,
) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None

    outcome = await asyncio.to_thread(_pay, stripe_client, order.provider_reference, DECLINED_CARD)

    assert outcome == "declined:card_declined"
    await _eventually(lambda: _decline_logged(order.id), what="the decline to be logged")
    assert (await _order(order.public_id)).status == OrderStatus.PENDING  # the buyer may try another card
    assert await _count(LedgerTransaction) == 0
    assert await _trial_balance() == {}


async def test_the_same_event_delivered_three_times_fulfils_once(
    stripe_client: stripe.StripeClient, app_url: str
) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None
    intent = (await asyncio.to_thread(stripe_client.v1.payment_intents.retrieve, order.provider_reference)).to_dict()
    body = _event_body(intent, status="succeeded")

    statuses = [_post(app_url, body, _signature(body, timestamp=int(time.time()))).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert (await _order(order.public_id)).status == OrderStatus.PAID
    assert await _count(ExternalEvent) == 1
    assert await _count(LedgerTransaction) == 1
    assert await _trial_balance() == {"USD": 0}


async def test_a_payment_that_does_not_match_the_order_is_never_fulfilled(
    stripe_client: stripe.StripeClient, app_url: str
) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None
    intent = (await asyncio.to_thread(stripe_client.v1.payment_intents.retrieve, order.provider_reference)).to_dict()
    body = _event_body(intent, status="succeeded", amount=100)

    response = _post(app_url, body, _signature(body, timestamp=int(time.time())))

    assert response.status_code == 500
    assert (await _order(order.public_id)).status == OrderStatus.PENDING
    assert await _count(LedgerTransaction) == 0


# --- Stripe's fee ---------------------------------------------------------------------------------------


async def test_stripes_fee_is_read_from_the_charge_and_recorded_once(stripe_client: stripe.StripeClient) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None
    assert await asyncio.to_thread(_pay, stripe_client, order.provider_reference, SUCCEEDING_CARD) == "succeeded"
    await _eventually(lambda: _order_is(order.public_id, OrderStatus.PAID), what="the order to be paid")
    assert order.id is not None

    # localstripe puts fee 0 on every balance transaction; Stripe puts its real fee there.
    assert await get_stripe_provider_or_fail().payment_fee(order.provider_reference) == 0
    assert await stripe_fees.sync_stripe_fee(order.id) == stripe_fees.FeeSync.RECORDED
    assert await _count(LedgerTransaction) == 1  # a zero fee posts nothing


async def test_a_fee_learned_after_the_sale_comes_out_of_the_creators_held_earnings_once() -> None:
    product = await _product()
    started = await _start(product)
    async with db.transaction() as session:
        order = (await session.exec(select(Order).where(Order.public_id == started.order_public_id))).one()
        await checkout.fulfill_paid_order(session, order, provider_fee=0, cause="test payment")
    assert order.id is not None
    account = f"creator:{product.creator_id}:earnings"
    async with db.transaction() as session:
        before = await ledger.balance(session, account, "USD")

    for _ in range(2):
        async with db.transaction() as session:
            await fees.post_provider_fee(session, order_id=order.id, fee=65)

    async with db.transaction() as session:
        assert await ledger.balance(session, account, "USD") == before + 65
        entries = await ledger.entries_of_order(session, order.id)
    assert await _count(LedgerTransaction) == 2
    assert await _trial_balance() == {"USD": 0}
    [charged] = [entry for entry in entries if entry.memo == fees.MEMO_PROVIDER_FEE_CHARGED]
    [earned] = [entry for entry in entries if entry.memo == "creator earnings"]
    assert charged.available_at == earned.available_at  # taken from the held money of this sale


def get_stripe_provider_or_fail() -> StripePaymentProvider:
    provider = get_stripe_provider()
    assert provider is not None
    return provider


# --- The Elements page -------------------------------------------------------------------------------


def _card_method(client: stripe.StripeClient, card: str) -> str:
    """What Stripe.js makes of the card typed into the Element: a payment method id."""
    details = {"number": card, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    return client.v1.payment_methods.create(params={"type": "card", "card": details}).id


def _confirm(app_url: str, payment_intent_id: str, payment_method: str) -> httpx.Response:
    return httpx.post(
        f"{app_url}/api/pay/stripe/{payment_intent_id}/confirm", json={"payment_method": payment_method}, timeout=20
    )


async def test_the_elements_page_shows_the_order_and_loads_stripe_js_without_any_secret(
    app_url: str, localstripe_url: str
) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)

    page = httpx.get(started.redirect_url)

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert f'<script src="{localstripe_url}/js.stripe.com/v3/"></script>' in page.text
    assert PUBLISHABLE_KEY in page.text and "$12.00" in page.text and product.title in page.text
    assert SECRET_KEY not in page.text and "_secret_" not in page.text
    assert f"/api/pay/stripe/{order.provider_reference}/confirm" in page.text
    assert httpx.get(f"{app_url}/pay/stripe/pi_not_ours").status_code == 404


async def test_paying_on_the_elements_page_confirms_the_intent_and_the_webhook_pays_the_order(
    stripe_client: stripe.StripeClient, app_url: str
) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None
    method = await asyncio.to_thread(_card_method, stripe_client, SUCCEEDING_CARD)

    answer = await asyncio.to_thread(_confirm, app_url, order.provider_reference, method)

    assert answer.status_code == 200
    assert answer.json()["status"] == "succeeded"
    assert answer.json()["redirect_url"] == order_page_url(order.public_id)
    await _eventually(lambda: _order_is(order.public_id, OrderStatus.PAID), what="the order to be paid")
    assert await _trial_balance() == {"USD": 0}
    # Once paid, the page sends the buyer to the order instead of taking a second payment.
    again = httpx.get(started.redirect_url, follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, order_page_url(order.public_id))


async def test_a_declined_card_on_the_elements_page_shows_stripes_message_and_pays_nothing(
    stripe_client: stripe.StripeClient, app_url: str
) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None
    method = await asyncio.to_thread(_card_method, stripe_client, DECLINED_CARD)

    answer = await asyncio.to_thread(_confirm, app_url, order.provider_reference, method)

    assert answer.status_code == 402
    assert answer.json()["status"] == "declined"
    assert "declined" in answer.json()["message"]
    await _eventually(lambda: _decline_logged(order.id), what="the decline to be logged")
    assert (await _order(order.public_id)).status == OrderStatus.PENDING
    assert await _count(LedgerTransaction) == 0


@pytest.mark.parametrize("payment_method", ["", "pm_<script>", "tok_visa", "x" * 200])
async def test_the_confirm_route_refuses_a_malformed_payment_method(app_url: str, payment_method: str) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None

    answer = await asyncio.to_thread(_confirm, app_url, order.provider_reference, payment_method)

    if payment_method == "":
        # Nothing attached yet: Stripe refuses to confirm and the buyer is asked for a card again.
        assert answer.status_code in (402, 502)
    else:
        assert (answer.status_code, answer.json()["field"]) == (422, "payment_method")
    assert (await _order(order.public_id)).status == OrderStatus.PENDING


async def test_with_stripe_off_the_elements_page_does_not_exist(app_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    product = await _product()
    started = await _start(product)
    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr(""))

    assert httpx.get(started.redirect_url).status_code == 404


# --- Refused deliveries ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "age_seconds"),
    [("whsec_forged", 0), (WEBHOOK_SECRET, 301), (WEBHOOK_SECRET, -330)],  # future: margin for slow runs
    ids=["forged", "stale", "future"],
)
async def test_a_bad_signature_is_refused_and_nothing_is_written(app_url: str, secret: str, age_seconds: int) -> None:
    product = await _product()
    started = await _start(product)
    order = await _order(started.order_public_id)
    body = _event_body(
        {"id": order.provider_reference, "object": "payment_intent", "amount": 1200, "currency": "usd"},
        status="succeeded",
        metadata={"merchant_reference": order.public_id},
    )

    response = _post(app_url, body, _signature(body, timestamp=int(time.time()) - age_seconds, secret=secret))

    assert (response.status_code, response.json()) == (400, {"error": "webhook_rejected"})
    assert await _count(ExternalEvent) == 0
    assert await _count(LedgerTransaction) == 0
    assert (await _order(order.public_id)).status == OrderStatus.PENDING


async def test_with_stripe_off_its_webhook_url_does_not_exist(app_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr(""))
    body = _event_body({"id": "pi_1", "object": "payment_intent", "amount": 1, "currency": "usd"})

    response = _post(app_url, body, _signature(body, timestamp=int(time.time())))

    assert response.status_code == 404
    assert await _count(ExternalEvent) == 0


# --- Pure pieces ---------------------------------------------------------------------------------------


def test_the_verifier_accepts_the_edges_of_the_tolerance_and_refuses_garbage() -> None:
    body = b'{"id": "evt_1", "type": "payment_intent.succeeded"}'
    now = int(time.time())
    # The SDK measures age on its own clock: stay a moment inside the edge it checks.
    for timestamp in (now - 298, now + 300):
        event = verify_stripe_webhook(
            body, _signature(body, timestamp=timestamp), secret=WEBHOOK_SECRET, tolerance_seconds=300, now=now
        )
        assert event == {"id": "evt_1", "type": "payment_intent.succeeded"}
    tampered = body.replace(b"evt_1", b"evt_2")
    for header, signed in [
        ("", body),
        ("v1=abc", body),
        ("t=abc,v1=abc", body),
        (_signature(body, timestamp=now), tampered),
    ]:
        with pytest.raises(ValueError, match="stripe"):
            verify_stripe_webhook(signed, header, secret=WEBHOOK_SECRET, tolerance_seconds=300, now=now)


async def test_a_session_paid_through_stripe_holds_its_slot_and_waits_in_escrow(
    stripe_client: stripe.StripeClient, app_url: str
) -> None:
    creator, _, _, type_id = await session_given.creator()
    start = await session_given.slot(creator, type_id)

    started = await session_booking.start_booking(session_given.new(creator, type_id, start, email=BUYER))

    order = await _order(started.order_public_id)
    assert (order.provider, order.kind, order.amount) == ("stripe", OrderKind.SESSION, 4000)
    assert order.provider_reference is not None
    assert await asyncio.to_thread(_pay, stripe_client, order.provider_reference, SUCCEEDING_CARD) == "succeeded"
    await _eventually(lambda: _order_is(order.public_id, OrderStatus.PAID), what="the session order to be paid")
    booked = await session_given.booking_of(order)
    assert booked.status == BookingStatus.BOOKED
    assert creator.id is not None
    async with db.transaction() as session:
        assert await escrow.escrow_balance(session, creator.id, "USD") == 4000
    assert await _trial_balance() == {"USD": 0}
