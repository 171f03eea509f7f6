"""The sandbox gateway end to end: its HTTP API, card payments charged once, signed webhooks over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound, ProviderError
from creatorly.kit.clock import as_utc, utc_now
from creatorly.models import ExternalEvent, SandboxPayment, SandboxWebhook
from creatorly.providers.payments.base import PaymentRequest
from creatorly.providers.payments.sandbox import SandboxPaymentProvider
from creatorly.providers.registry import get_payment_provider, sandbox_api_key
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.sandbox_gateway.errors import SandboxApiKeyInvalid, SandboxIdempotencyConflict
from creatorly.services.sandbox_gateway.schemas import DeliveryResult
from tests.processes import free_port, serving

PAYMENTS_URL = "/sandbox/api/payments"
RETURN_URL = "https://shop.example/orders/42/thanks"


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    queue.huey.flush()


@contextmanager
def _serving(app: ASGIApp) -> Iterator[str]:
    """Serve `app` with uvicorn on a free local port in a background thread; yield its base URL."""
    with serving(app, lifespan="on") as url:
        yield url


@asynccontextmanager
async def _closing_database(_app: Starlette) -> AsyncIterator[None]:
    yield
    await db.dispose_engine()  # the server thread's own loop opened these connections


@pytest.fixture
def app_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Our real API (gateway and webhook route) over HTTP, with the public URL pointing at it."""
    app = Starlette(routes=[Mount("/", app=creatorly.api.app.api)], lifespan=_closing_database)
    with _serving(app) as url:
        monkeypatch.setattr(settings, "public_url", url)
        yield url


def _receiver_answering(status_code: int) -> Starlette:
    async def answer(_request: Request) -> JSONResponse:
        return JSONResponse({"status": status_code}, status_code=status_code)

    paths = ("/api/webhooks/sandbox", PAYMENTS_URL)
    return Starlette(routes=[Route(path, answer, methods=["POST"]) for path in paths])


@pytest.fixture
def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=creatorly.api.app.api), base_url="http://test")


async def _create(idempotency_key: str | None = "order-42-attempt-1", **overrides: object) -> gateway.SandboxCheckout:
    fields: dict[str, object] = {
        "merchant_reference": "order_42",
        "amount": 1500,
        "currency": "USD",
        "description": "Watercolour brushes pack",
        "return_url": RETURN_URL,
    }
    fields.update(overrides)
    return await gateway.create_payment(api_key=sandbox_api_key(), idempotency_key=idempotency_key, **fields)  # type: ignore[arg-type]


async def _pay(reference: str, card_number: str = "4242 4242 4242 4242") -> gateway.PayResult:
    return await gateway.pay(reference=reference, card_number=card_number, expiry="12/40", cvc="123", name="Ada")


async def _payments() -> list[SandboxPayment]:
    async with db.transaction() as session:
        return list((await session.exec(select(SandboxPayment).order_by(col(SandboxPayment.id)))).all())


async def _webhooks() -> list[SandboxWebhook]:
    async with db.transaction() as session:
        return list((await session.exec(select(SandboxWebhook).order_by(col(SandboxWebhook.id)))).all())


async def _count(model: type[SandboxPayment] | type[SandboxWebhook] | type[ExternalEvent]) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


# --- creating payments ---------------------------------------------------------------------------------------


async def test_a_created_payment_awaits_a_card_on_its_hosted_page() -> None:
    checkout = await _create()

    [payment] = await _payments()
    assert checkout.reference == payment.reference
    assert checkout.reference.startswith("pay_")
    assert checkout.redirect_url == f"http://localhost:3000/sandbox/pay/{checkout.reference}"
    assert (payment.status, payment.amount, payment.currency, payment.fee, payment.card_last4) == (
        "requires_payment",
        1500,
        "USD",
        0,
        None,
    )
    view = await gateway.get_checkout(reference=checkout.reference)
    assert (view.amount_label, view.description, view.status, view.is_payable, view.return_url) == (
        "$15.00",
        "Watercolour brushes pack",
        "requires_payment",
        True,
        RETURN_URL,
    )


async def test_the_same_idempotency_key_answers_the_same_payment() -> None:
    first = await _create()
    second = await _create()
    assert first == second
    assert await _count(SandboxPayment) == 1


async def test_an_idempotency_key_reused_for_another_payment_is_refused() -> None:
    await _create()
    with pytest.raises(SandboxIdempotencyConflict):
        await _create(amount=999)
    assert [payment.amount for payment in await _payments()] == [1500]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"return_url": "javascript:alert(1)"}, "return_url"),
        ({"merchant_reference": ""}, "merchant_reference"),
    ],
)
async def test_an_invalid_payment_is_refused_and_nothing_is_written(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await _create(**overrides)
    assert refused.value.field == field
    assert await _count(SandboxPayment) == 0


async def test_a_wrong_api_key_creates_nothing() -> None:
    with pytest.raises(SandboxApiKeyInvalid):
        await gateway.create_payment(
            api_key="not-the-key",
            merchant_reference="order_42",
            amount=1500,
            currency="USD",
            description="",
            return_url=RETURN_URL,
            idempotency_key=None,
        )
    assert await _count(SandboxPayment) == 0


# --- paying ---------------------------------------------------------------------------------------------------


async def test_a_successful_payment_records_the_charge_and_exactly_one_webhook() -> None:
    checkout = await _create()

    result = await _pay(checkout.reference)

    assert (result.status, result.failure_message, result.return_url) == ("succeeded", "", RETURN_URL)
    [payment] = await _payments()
    assert (payment.status, payment.fee, payment.card_last4, payment.failure_code) == ("succeeded", 74, "4242", None)
    [webhook] = await _webhooks()
    assert (webhook.event_type, webhook.attempts, webhook.delivered_at) == ("payment.succeeded", 0, None)
    assert webhook.payload == (
        f'{{"id":"{webhook.event_id}","type":"payment.succeeded","created":{_created(webhook)},'
        f'"data":{{"payment":{{"reference":"{checkout.reference}","merchant_reference":"order_42",'
        '"amount":1500,"currency":"USD","fee":74,"status":"succeeded","failure_code":null,"card_last4":"4242"}}}'
    )
    assert webhook.event_id.startswith("evt_")
    assert queue.huey.pending_count() == 1


def _created(webhook: SandboxWebhook) -> int:
    return int(json.loads(webhook.payload)["created"])


async def test_paying_twice_never_charges_twice() -> None:
    checkout = await _create()
    first = await _pay(checkout.reference)

    second = await _pay(checkout.reference, card_number="4000000000000002")

    assert first == second
    [payment] = await _payments()
    assert (payment.status, payment.card_last4, payment.fee) == ("succeeded", "4242", 74)
    assert await _count(SandboxWebhook) == 1
    assert queue.huey.pending_count() == 1
    assert (await gateway.get_checkout(reference=checkout.reference)).is_payable is False


@pytest.mark.parametrize(
    ("card_number", "failure_code", "message"),
    [
        ("4000000000000002", "card_declined", "Your card was declined."),
        ("4000000000009995", "insufficient_funds", "Your card has insufficient funds."),
    ],
)
async def test_a_refused_card_is_reported_and_the_payment_stays_open(
    card_number: str, failure_code: str, message: str
) -> None:
    checkout = await _create()

    result = await _pay(checkout.reference, card_number=card_number)

    assert (result.status, result.failure_message, result.is_payable) == ("requires_payment", message, True)
    [payment] = await _payments()
    assert (payment.status, payment.failure_code, payment.fee, payment.card_last4) == (
        "requires_payment",
        failure_code,
        0,
        card_number[-4:],
    )
    [webhook] = await _webhooks()
    assert webhook.event_type == "payment.failed"
    assert f'"status":"requires_payment","failure_code":"{failure_code}"' in webhook.payload
    view = await gateway.get_checkout(reference=checkout.reference)
    assert (view.is_payable, view.failure_message) == (True, message)


async def test_after_a_refused_card_another_card_pays_once() -> None:
    checkout = await _create()
    await _pay(checkout.reference, card_number="4000000000000002")

    result = await _pay(checkout.reference, card_number="4242424242424242")
    again = await _pay(checkout.reference, card_number="4000000000000002")

    assert (result.status, result.failure_message, result.is_payable) == ("succeeded", "", False)
    assert (again.status, again.failure_message, again.is_payable) == ("succeeded", "", False)
    [payment] = await _payments()
    assert (payment.status, payment.card_last4, payment.fee) == ("succeeded", "4242", 74)
    assert [webhook.event_type for webhook in await _webhooks()] == ["payment.failed", "payment.succeeded"]


async def test_an_invalid_card_changes_nothing() -> None:
    checkout = await _create()
    with pytest.raises(InvalidInput):
        await _pay(checkout.reference, card_number="4242424242424241")
    [payment] = await _payments()
    assert (payment.status, payment.card_last4) == ("requires_payment", None)
    assert await _count(SandboxWebhook) == 0
    assert queue.huey.pending_count() == 0


async def test_an_unknown_reference_is_not_found() -> None:
    with pytest.raises(NotFound):
        await _pay("pay_missing")
    with pytest.raises(NotFound):
        await gateway.get_checkout(reference="pay_missing")


# --- the HTTP API ---------------------------------------------------------------------------------------------


def _json_body() -> dict[str, object]:
    return {"merchant_reference": "order_7", "amount": 2500, "currency": "USD", "return_url": RETURN_URL}


async def test_the_api_creates_a_payment_with_the_bearer_key(client: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {sandbox_api_key()}", "Idempotency-Key": "k-7"}
    response = await client.post(PAYMENTS_URL, json=_json_body(), headers=headers)
    again = await client.post(PAYMENTS_URL, json=_json_body(), headers=headers)

    [payment] = await _payments()
    assert response.status_code == 200
    assert response.json() == {
        "reference": payment.reference,
        "redirect_url": f"http://localhost:3000/sandbox/pay/{payment.reference}",
    }
    assert again.json() == response.json()
    assert (payment.idempotency_key, payment.amount) == ("k-7", 2500)


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {'x' * 64}", "Bearer "])
async def test_the_api_refuses_a_missing_or_wrong_key(client: httpx.AsyncClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.post(PAYMENTS_URL, content=b"not even json", headers=headers)
    assert (response.status_code, response.json()["error"]) == (401, "unauthorized")
    assert await _count(SandboxPayment) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", None),
        (b"[]", None),
        (
            b'{"amount": "2500", "merchant_reference": "o", "currency": "USD", "return_url": "https://x.example"}',
            "amount",
        ),
        (b'{"merchant_reference": "o", "currency": "USD", "return_url": "https://x.example"}', "amount"),
        (b'{"amount": -5, "merchant_reference": "o", "currency": "USD", "return_url": "https://x.example"}', "amount"),
        (b'{"amount": 5, "merchant_reference": "o", "currency": "USD", "return_url": "ftp://x.example"}', "return_url"),
    ],
)
async def test_the_api_refuses_an_invalid_body_with_400(
    client: httpx.AsyncClient, body: bytes, field: str | None
) -> None:
    headers = {"Authorization": f"Bearer {sandbox_api_key()}", "Content-Type": "application/json"}
    response = await client.post(PAYMENTS_URL, content=body, headers=headers)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    if field is not None:
        assert response.json()["field"] == field
    assert await _count(SandboxPayment) == 0


# --- the provider client over real HTTP ----------------------------------------------------------------------


def _request(idempotency_key: str = "order-9-1") -> PaymentRequest:
    return PaymentRequest(
        merchant_reference="order_9",
        amount=1200,
        currency="JPY",
        description="Sketchbook",
        buyer_email="fan@example.com",
        return_url=RETURN_URL,
        idempotency_key=idempotency_key,
    )


async def test_the_provider_client_creates_a_payment_over_http(app_url: str) -> None:
    provider = get_payment_provider("sandbox")

    created = await provider.create_payment(_request())
    again = await provider.create_payment(_request())

    [payment] = await _payments()
    assert provider.name == "sandbox"
    assert created == again
    assert created.provider_reference == payment.reference
    assert created.redirect_url == f"{app_url}/sandbox/pay/{payment.reference}"
    assert (payment.merchant_reference, payment.amount, payment.currency, payment.idempotency_key) == (
        "order_9",
        1200,
        "JPY",
        "order-9-1",
    )


async def test_the_provider_client_translates_refusals_and_outages(app_url: str) -> None:
    with pytest.raises(ProviderError) as refused:
        await SandboxPaymentProvider(base_url=app_url, api_key="wrong").create_payment(_request())
    assert refused.value.is_retryable is False

    unreachable = SandboxPaymentProvider(base_url=f"http://127.0.0.1:{free_port()}", api_key=sandbox_api_key())
    with pytest.raises(ProviderError) as down:
        await unreachable.create_payment(_request())
    assert down.value.is_retryable is True

    with _serving(_receiver_answering(503)) as failing_url, pytest.raises(ProviderError) as failing:
        await SandboxPaymentProvider(base_url=failing_url, api_key=sandbox_api_key()).create_payment(_request())
    assert failing.value.is_retryable is True
    assert await _count(SandboxPayment) == 0


# --- webhook delivery over real HTTP --------------------------------------------------------------------------


async def _paid_webhook_id() -> int:
    checkout = await _create()
    await _pay(checkout.reference)
    [webhook] = await _webhooks()
    assert webhook.id is not None
    return webhook.id


async def test_a_webhook_is_delivered_signed_to_our_route_and_stored(app_url: str) -> None:
    webhook_id = await _paid_webhook_id()

    outcome = await gateway.deliver_webhook(webhook_id=webhook_id)

    assert (outcome.result, outcome.status_code) == (DeliveryResult.DELIVERED, 200)
    [webhook] = await _webhooks()
    assert (webhook.attempts, webhook.last_status_code) == (1, 200)
    assert webhook.delivered_at is not None
    async with db.transaction() as session:
        [event] = (await session.exec(select(ExternalEvent))).all()
    assert (event.provider, event.event_id, event.event_type) == ("sandbox", webhook.event_id, "payment.succeeded")
    assert event.payload == webhook.payload
    assert event.handled_at is not None
    # A delivered webhook is never sent again.
    assert (await gateway.deliver_webhook(webhook_id=webhook_id)).result == DeliveryResult.SKIPPED
    assert await gateway.find_due_webhook_ids() == []


async def test_a_failing_receiver_schedules_a_retry_with_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    webhook_id = await _paid_webhook_id()

    with _serving(_receiver_answering(500)) as receiver_url:
        monkeypatch.setattr(settings, "public_url", receiver_url)
        before = utc_now()
        outcome = await gateway.deliver_webhook(webhook_id=webhook_id)
        # Not due yet: an immediate second try does nothing.
        early = await gateway.deliver_webhook(webhook_id=webhook_id)

    assert (outcome.result, outcome.retry_in_seconds, outcome.status_code) == (DeliveryResult.RETRY_LATER, 1.0, 500)
    assert early.result == DeliveryResult.SKIPPED
    [webhook] = await _webhooks()
    assert (webhook.attempts, webhook.last_status_code, webhook.delivered_at) == (1, 500, None)
    next_attempt_at = as_utc(webhook.next_attempt_at)
    assert before + timedelta(seconds=1) <= next_attempt_at <= utc_now() + timedelta(seconds=1)
    assert await _count(ExternalEvent) == 0


async def test_an_unreachable_receiver_is_retried_and_a_4xx_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    webhook_id = await _paid_webhook_id()
    monkeypatch.setattr(settings, "public_url", f"http://127.0.0.1:{free_port()}")
    unreachable = await gateway.deliver_webhook(webhook_id=webhook_id)
    assert (unreachable.result, unreachable.status_code) == (DeliveryResult.RETRY_LATER, None)

    async with db.transaction() as session:
        webhook = await session.get(SandboxWebhook, webhook_id)
        assert webhook is not None
        webhook.next_attempt_at = utc_now() - timedelta(minutes=5)  # as if its backoff had long passed
    assert await gateway.find_due_webhook_ids() == [webhook_id]

    with _serving(_receiver_answering(400)) as receiver_url:
        monkeypatch.setattr(settings, "public_url", receiver_url)
        refused = await gateway.deliver_webhook(webhook_id=webhook_id)

    assert (refused.result, refused.status_code) == (DeliveryResult.GAVE_UP, 400)
    [webhook] = await _webhooks()
    assert (webhook.attempts, webhook.last_status_code, webhook.delivered_at) == (2, 400, None)
    async with db.transaction() as session:
        stored = await session.get(SandboxWebhook, webhook_id)
        assert stored is not None
        stored.next_attempt_at = utc_now() - timedelta(minutes=5)
    assert await gateway.find_due_webhook_ids() == []
    assert (await gateway.deliver_webhook(webhook_id=webhook_id)).result == DeliveryResult.SKIPPED
