"""Payout providers end to end: the sandbox payout gateway over real HTTP, Stripe Connect against localstripe,
RazorpayX against the local stand-in, and every provider's signed payout webhooks through our own webhook route.

What runs against what:
- Sandbox: our own gateway routes and webhook route, served over HTTP; settling and delivery are the real jobs'
  use cases, called directly so the test decides when the settle delay has passed.
- Stripe: localstripe has /v1/payouts (EUR only; it ignores the Stripe-Account header and idempotency keys, and
  sends a Stripe-signed `payout.canceled` when a pending payout is canceled) but no /v1/transfers and no
  /v1/accounts. A small stand-in in front of it answers /v1/transfers in the shape Stripe documents and forwards
  everything else to localstripe. `payout.paid` and `payout.failed` come from tests/payloads/stripe/ (Stripe's
  documented event shape), signed here exactly as Stripe signs (HMAC-SHA256 over "{t}.{body}").
- Razorpay: tests/integration/razorpay_standin.py serves contacts, fund accounts and payouts; its webhooks are
  Razorpay's documented payout payloads (tests/payloads/razorpay/payout.*.json) signed with the webhook secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import secrets
import shutil
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from huey.exceptions import RetryTask
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import SQLModel, col, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput, ProviderError
from creatorly.jobs.sandbox_gateway import settle_sandbox_payout
from creatorly.kit.clock import as_utc, utc_now
from creatorly.models import ExternalEvent, Payout, PayoutEvent, SandboxPayoutTransfer, SandboxWebhook
from creatorly.providers.payments import sandbox_signing
from creatorly.providers.payouts.base import CreatedPayout, PayoutDestination, PayoutRecord, PayoutRequest
from creatorly.providers.payouts.razorpay import RazorpayPayoutProvider
from creatorly.providers.payouts.sandbox import SandboxPayoutProvider
from creatorly.providers.registry import get_payout_provider, payout_provider_name_for, sandbox_api_key
from creatorly.services.external_events.service import sandbox_webhook_secret
from creatorly.services.ledger import service as ledger
from creatorly.services.payouts import accounts as payout_accounts
from creatorly.services.payouts import service as payouts
from creatorly.services.payouts import withdrawals
from creatorly.services.payouts.schemas import PayoutAccountForm
from creatorly.services.sandbox_gateway import payouts as sandbox_payouts
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.sandbox_gateway.errors import SandboxApiKeyInvalid, SandboxIdempotencyConflict
from creatorly.services.sandbox_gateway.schemas import DeliveryResult
from tests.factories import make_creator
from tests.integration.razorpay_standin import KEY_ID, KEY_SECRET, RazorpayStandIn, running_razorpay_standin
from tests.processes import free_port, running, serving, wait_until, worker_command
from tests.processes import run_async as run_in_thread

PAYOUTS_URL = "/sandbox/api/payouts"
PAYING_ACCOUNT = "000123456789"
STRIPE_SECRET_KEY = "sk_test_payouts"
STRIPE_WEBHOOK_SECRET = "whsec_payouts_test"
RAZORPAY_WEBHOOK_SECRET = "whsec_razorpay_payouts"
RAZORPAYX_ACCOUNT = "7878780080316316"
CONNECTED_ACCOUNT = "acct_1OaF9zEcg9tTZuTg"
STRIPE_PAYLOADS = Path(__file__).parent.parent / "payloads" / "stripe"


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    queue.huey.flush()


@asynccontextmanager
async def _closing_database(_app: Starlette) -> AsyncIterator[None]:
    yield
    await db.dispose_engine()  # the server thread's own loop opened these connections


@pytest.fixture
def app_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Our real API (gateway and webhook routes) over HTTP, with the public URL pointing at it."""
    app = Starlette(routes=[Mount("/", app=creatorly.api.app.api)], lifespan=_closing_database)
    with serving(app, lifespan="on") as url:
        monkeypatch.setattr(settings, "public_url", url)
        yield url


@pytest.fixture
def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=creatorly.api.app.api), base_url="http://test")


def _bank(account_number: str = PAYING_ACCOUNT) -> PayoutDestination:
    return PayoutDestination(
        kind="bank", holder_name="Ada Lovelace", country="US", routing_code="110000000", account_number=account_number
    )


def _payout_request(
    reference: str = "po_test_1",
    *,
    amount: int = 2500,
    currency: str = "USD",
    destination: PayoutDestination | None = None,
    key: str | None = None,
) -> PayoutRequest:
    return PayoutRequest(
        merchant_reference=reference,
        amount=amount,
        currency=currency,
        destination=destination or _bank(),
        idempotency_key=key or f"payout-{reference}",
        description="Creatorly earnings",
    )


async def _count(model: type[SQLModel]) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def _transfers() -> list[SandboxPayoutTransfer]:
    async with db.transaction() as session:
        statement = select(SandboxPayoutTransfer).order_by(col(SandboxPayoutTransfer.id))
        return list((await session.exec(statement)).all())


async def _webhooks() -> list[SandboxWebhook]:
    async with db.transaction() as session:
        return list((await session.exec(select(SandboxWebhook).order_by(col(SandboxWebhook.id)))).all())


async def _make_due(transfer_id: int | None) -> None:
    """As if the settle delay had passed."""
    async with db.transaction() as session:
        transfer = await session.get(SandboxPayoutTransfer, transfer_id)
        assert transfer is not None
        transfer.settles_at = utc_now() - timedelta(seconds=1)


async def _take(
    account_number: str = PAYING_ACCOUNT, *, key: str = "payout-key-1", amount: int = 2500
) -> sandbox_payouts.SandboxTransferView:
    return await sandbox_payouts.create_transfer(
        api_key=sandbox_api_key(),
        merchant_reference="po_test_1",
        amount=amount,
        currency="USD",
        destination=sandbox_payouts.SandboxPayoutDestination(kind="bank", account_number=account_number),
        idempotency_key=key,
    )


# --- choosing a provider -----------------------------------------------------------------------------------------


def test_each_account_kind_goes_to_its_provider_only_when_that_provider_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [payout_provider_name_for(kind, currency) for kind, currency in _KINDS] == ["sandbox"] * 4
    with pytest.raises(LookupError):
        get_payout_provider("stripe")
    with pytest.raises(LookupError):
        get_payout_provider("paypal")

    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr(STRIPE_SECRET_KEY))
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr(STRIPE_WEBHOOK_SECRET))
    monkeypatch.setattr(settings, "razorpay_key_id", KEY_ID)
    monkeypatch.setattr(settings, "razorpay_key_secret", SecretStr(KEY_SECRET))
    monkeypatch.setattr(settings, "razorpay_webhook_secret", SecretStr(RAZORPAY_WEBHOOK_SECRET))
    # Razorpay's keys alone do not pay out: RazorpayX also needs the account the money leaves from.
    assert [payout_provider_name_for(kind, currency) for kind, currency in _KINDS] == [
        "stripe",
        "sandbox",
        "sandbox",
        "sandbox",
    ]
    with pytest.raises(LookupError):
        get_payout_provider("razorpay")

    monkeypatch.setattr(settings, "razorpay_payout_account_number", RAZORPAYX_ACCOUNT)
    assert [payout_provider_name_for(kind, currency) for kind, currency in _KINDS] == [
        "stripe",
        "razorpay",
        "razorpay",
        "sandbox",
    ]
    assert [get_payout_provider(name).name for name in ("sandbox", "stripe", "razorpay")] == [
        "sandbox",
        "stripe",
        "razorpay",
    ]


_KINDS = [("stripe", "USD"), ("upi", "INR"), ("bank", "INR"), ("bank", "USD")]


# --- the sandbox payout gateway ---------------------------------------------------------------------------------


async def test_a_transfer_is_in_transit_until_it_settles_and_one_settle_job_is_queued() -> None:
    before = utc_now()

    taken = await _take()

    [transfer] = await _transfers()
    assert (taken.reference, taken.status, taken.failure_code, taken.failure_message) == (
        transfer.reference,
        "in_transit",
        None,
        "",
    )
    assert taken.reference.startswith("po_")
    assert (transfer.merchant_reference, transfer.amount, transfer.currency, transfer.destination_last4) == (
        "po_test_1",
        2500,
        "USD",
        "6789",
    )
    settles_at = as_utc(transfer.settles_at)
    assert before + timedelta(seconds=10) <= settles_at <= utc_now() + timedelta(seconds=10)
    assert queue.huey.pending_count() == 1
    assert await _count(SandboxWebhook) == 0


async def test_the_same_key_is_the_same_transfer_and_another_amount_is_a_conflict() -> None:
    first = await _take()
    again = await _take()
    with pytest.raises(SandboxIdempotencyConflict):
        await _take(amount=2600)

    assert first == again
    assert [transfer.amount for transfer in await _transfers()] == [2500]
    assert queue.huey.pending_count() == 1


async def test_a_wrong_key_or_an_invalid_transfer_writes_nothing() -> None:
    with pytest.raises(SandboxApiKeyInvalid):
        await sandbox_payouts.create_transfer(
            api_key="wrong",
            merchant_reference="po_test_1",
            amount=2500,
            currency="USD",
            destination=sandbox_payouts.SandboxPayoutDestination(kind="bank", account_number=PAYING_ACCOUNT),
            idempotency_key="k",
        )
    with pytest.raises(InvalidInput) as refused:
        await _take(amount=0)
    assert refused.value.field == "amount"
    with pytest.raises(InvalidInput) as no_account:
        await _take(account_number="")
    assert no_account.value.field == "destination"
    assert await _count(SandboxPayoutTransfer) == 0
    assert queue.huey.pending_count() == 0


async def test_a_due_transfer_settles_once_and_queues_one_signed_payout_paid_event() -> None:
    taken = await _take()
    [transfer] = await _transfers()

    waiting = await sandbox_payouts.settle_transfer(transfer_id=transfer.id or 0)
    assert waiting is not None and 8 < waiting <= 10
    assert (await _transfers())[0].status == "in_transit"

    await _make_due(transfer.id)
    assert await sandbox_payouts.settle_transfer(transfer_id=transfer.id or 0) is None
    assert await sandbox_payouts.settle_transfer(transfer_id=transfer.id or 0) is None

    [settled] = await _transfers()
    assert settled.status == "paid"
    [webhook] = await _webhooks()
    assert (webhook.event_id, webhook.event_type) == (f"evt_{taken.reference}", "payout.paid")
    payload = json.loads(webhook.payload)
    assert payload["data"] == {
        "payout": {
            "reference": taken.reference,
            "merchant_reference": "po_test_1",
            "amount": 2500,
            "currency": "USD",
            "status": "paid",
            "failure_code": None,
            "failure_message": "",
            "destination_last4": "6789",
        }
    }


@pytest.mark.parametrize(
    ("account_number", "code", "message"),
    [
        ("000111111116", "no_account", "The bank account doesn't exist."),
        ("000111111113", "account_closed", "The bank account has been closed."),
    ],
)
async def test_a_test_account_that_fails_is_in_transit_first_then_failed_with_its_reason(
    account_number: str, code: str, message: str
) -> None:
    taken = await _take(account_number)
    assert (taken.status, taken.failure_code) == ("in_transit", None)
    [transfer] = await _transfers()

    await _make_due(transfer.id)
    await sandbox_payouts.settle_transfer(transfer_id=transfer.id or 0)

    [webhook] = await _webhooks()
    assert webhook.event_type == "payout.failed"
    payout = json.loads(webhook.payload)["data"]["payout"]
    assert (payout["status"], payout["failure_code"], payout["failure_message"]) == ("failed", code, message)


async def test_the_settle_job_waits_for_the_delay_then_settles() -> None:
    await _take()
    [transfer] = await _transfers()
    queue.huey.flush()

    # On a thread of its own, as in the worker: the job runs the use case on that thread's event loop.
    with pytest.raises(RetryTask):
        await asyncio.to_thread(settle_sandbox_payout.call_local, transfer.id)
    assert (await _transfers())[0].status == "in_transit"

    await _make_due(transfer.id)
    assert await asyncio.to_thread(settle_sandbox_payout.call_local, transfer.id) == "settled_or_skipped"
    assert (await _transfers())[0].status == "paid"
    assert queue.huey.pending_count() == 1  # the webhook's delivery


async def test_the_sweeper_finds_a_due_transfer_whose_job_was_lost() -> None:
    await _take()
    [transfer] = await _transfers()
    assert await sandbox_payouts.find_due_transfer_ids() == []
    async with db.transaction() as session:
        stored = await session.get(SandboxPayoutTransfer, transfer.id)
        assert stored is not None
        stored.settles_at = utc_now() - timedelta(minutes=5)

    assert await sandbox_payouts.find_due_transfer_ids() == [transfer.id]


# --- the sandbox gateway's HTTP API and our provider client -------------------------------------------------------


def _payout_json(account_number: str = PAYING_ACCOUNT, amount: int = 2500) -> dict[str, Any]:
    return {
        "merchant_reference": "po_http_1",
        "amount": amount,
        "currency": "USD",
        "destination": {"kind": "bank", "account_number": account_number, "routing_code": "110000000"},
    }


async def test_the_api_takes_a_payout_with_the_bearer_key_and_an_idempotency_key(client: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {sandbox_api_key()}", "Idempotency-Key": "http-1"}

    first = await client.post(PAYOUTS_URL, json=_payout_json(), headers=headers)
    again = await client.post(PAYOUTS_URL, json=_payout_json(), headers=headers)
    conflict = await client.post(PAYOUTS_URL, json=_payout_json(amount=1), headers=headers)
    without_key = await client.post(
        PAYOUTS_URL, json=_payout_json(), headers={"Authorization": headers["Authorization"]}
    )
    without_bearer = await client.post(PAYOUTS_URL, json=_payout_json(), headers={"Idempotency-Key": "http-2"})

    [transfer] = await _transfers()
    assert first.status_code == 200
    assert first.json() == {
        "reference": transfer.reference,
        "merchant_reference": "po_http_1",
        "amount": 2500,
        "currency": "USD",
        "status": "in_transit",
        "failure_code": None,
        "failure_message": "",
        "settles_at": int(as_utc(transfer.settles_at).timestamp()),
    }
    assert again.json() == first.json()
    assert (conflict.status_code, conflict.json()["error"]) == (409, "idempotency_conflict")
    assert (without_key.status_code, without_key.json()["field"]) == (400, "idempotency_key")
    assert (without_bearer.status_code, without_bearer.json()["error"]) == (401, "unauthorized")
    listing = await client.get(PAYOUTS_URL, params={"merchant_reference": "po_http_1"})
    assert (listing.status_code, listing.json()["error"]) == (401, "unauthorized")


async def test_the_provider_client_pays_out_and_lists_over_http(app_url: str) -> None:
    provider = get_payout_provider("sandbox")

    created = await provider.create_payout(_payout_request())
    again = await provider.create_payout(_payout_request())
    failing = await provider.create_payout(_payout_request("po_test_2", destination=_bank("000111111116")))

    [transfer, failing_transfer] = await _transfers()
    assert created == again == CreatedPayout(provider_reference=transfer.reference, status="in_transit")
    assert failing == CreatedPayout(provider_reference=failing_transfer.reference, status="in_transit")
    await _make_due(failing_transfer.id)
    await sandbox_payouts.settle_transfer(transfer_id=failing_transfer.id or 0)
    listed = await provider.list_payouts(merchant_references=["po_test_1", "po_test_2", "po_unknown"])
    assert listed == [
        PayoutRecord(transfer.reference, "po_test_1", 2500, "USD", "in_transit"),
        PayoutRecord(failing_transfer.reference, "po_test_2", 2500, "USD", "failed"),
    ]


async def test_the_provider_client_translates_refusals_and_outages(app_url: str) -> None:
    with pytest.raises(ProviderError) as refused:
        await SandboxPayoutProvider(base_url=app_url, api_key="wrong").create_payout(_payout_request())
    assert refused.value.is_retryable is False

    await get_payout_provider("sandbox").create_payout(_payout_request())
    with pytest.raises(ProviderError) as conflict:
        await get_payout_provider("sandbox").create_payout(_payout_request(amount=1))
    assert conflict.value.is_retryable is False

    unreachable = SandboxPayoutProvider(base_url=f"http://127.0.0.1:{free_port()}", api_key=sandbox_api_key())
    with pytest.raises(ProviderError) as down:
        await unreachable.create_payout(_payout_request("po_test_3"))
    assert down.value.is_retryable is True
    assert [transfer.merchant_reference for transfer in await _transfers()] == ["po_test_1"]


async def test_a_settled_transfer_is_delivered_signed_to_our_webhook_route(app_url: str) -> None:
    await get_payout_provider("sandbox").create_payout(_payout_request())
    [transfer] = await _transfers()
    await _make_due(transfer.id)
    await sandbox_payouts.settle_transfer(transfer_id=transfer.id or 0)
    [webhook] = await _webhooks()

    outcome = await gateway.deliver_webhook(webhook_id=webhook.id or 0)

    assert (outcome.result, outcome.status_code) == (DeliveryResult.DELIVERED, 200)
    async with db.transaction() as session:
        [event] = (await session.exec(select(ExternalEvent))).all()
    assert (event.provider, event.event_id, event.event_type) == ("sandbox", webhook.event_id, "payout.paid")
    assert event.handled_at is not None


# --- Stripe: transfer + payout, against localstripe fronted by a /v1/transfers stand-in ---------------------------


@dataclass
class StripeFront:
    """localstripe behind a stand-in for the endpoints it lacks; records what each request carried."""

    base_url: str = ""
    localstripe_url: str = ""
    transfers: list[dict[str, Any]] = field(default_factory=list)
    transfer_keys: dict[str, str] = field(default_factory=dict)
    payout_requests: list[dict[str, str]] = field(default_factory=list)


def _stripe_front_app(front: StripeFront) -> Starlette:
    async def create_transfer(request: Request) -> JSONResponse:
        key = request.headers.get("idempotency-key", "")
        if key in front.transfer_keys:
            return JSONResponse(next(item for item in front.transfers if item["id"] == front.transfer_keys[key]))
        form = dict(parse_qsl((await request.body()).decode()))
        transfer_id = f"tr_{secrets.token_hex(12)}"
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": int(form["amount"]),
            "amount_reversed": 0,
            "balance_transaction": f"txn_{secrets.token_hex(12)}",
            "created": int(time.time()),
            "currency": form["currency"],
            "description": None,
            "destination": form["destination"],
            "destination_payment": f"py_{secrets.token_hex(12)}",
            "livemode": False,
            "metadata": {
                name[len("metadata[") : -1]: value for name, value in form.items() if name.startswith("metadata[")
            },
            "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0, "url": ""},
            "reversed": False,
            "source_transaction": None,
            "source_type": "card",
            "transfer_group": form.get("transfer_group"),
        }
        front.transfers.append(transfer)
        front.transfer_keys[key] = transfer_id
        return JSONResponse(transfer)

    async def list_transfers(request: Request) -> JSONResponse:
        group = request.query_params.get("transfer_group")
        found = [item for item in front.transfers if group is None or item["transfer_group"] == group]
        return JSONResponse({"object": "list", "data": found, "has_more": False, "url": "/v1/transfers"})

    async def forward(request: Request) -> Response:
        if request.url.path == "/v1/payouts" and request.method == "POST":
            front.payout_requests.append(
                {
                    "stripe_account": request.headers.get("stripe-account", ""),
                    "idempotency_key": request.headers.get("idempotency-key", ""),
                }
            )
        names = ("authorization", "content-type", "stripe-account", "idempotency-key", "stripe-version")
        async with httpx.AsyncClient(base_url=front.localstripe_url) as upstream:
            answer = await upstream.request(
                request.method,
                request.url.path,
                params=request.query_params,
                content=await request.body(),
                headers={name: value for name, value in request.headers.items() if name in names},
            )
        return Response(answer.content, status_code=answer.status_code, media_type="application/json")

    return Starlette(
        routes=[
            Route("/v1/transfers", create_transfer, methods=["POST"]),
            Route("/v1/transfers", list_transfers, methods=["GET"]),
            Route("/{path:path}", forward, methods=["GET", "POST", "DELETE"]),
        ]
    )


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.HTTPError:
        return False
    return True


@pytest.fixture(scope="module")
def stripe_front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StripeFront]:
    port = free_port()
    command = shutil.which("localstripe", path=str(Path(sys.executable).parent)) or "localstripe"
    log_path = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with running([command, "--port", str(port), "--from-scratch"], log_path=log_path):
        front = StripeFront(localstripe_url=f"http://127.0.0.1:{port}")
        wait_until(lambda: _answers(f"{front.localstripe_url}/v1/balance"), timeout_seconds=20, what="localstripe")
        with serving(_stripe_front_app(front)) as url:
            front.base_url = url
            yield front


@pytest.fixture
def stripe_on(stripe_front: StripeFront, monkeypatch: pytest.MonkeyPatch) -> StripeFront:
    stripe_front.transfers.clear()
    stripe_front.transfer_keys.clear()
    stripe_front.payout_requests.clear()
    monkeypatch.setattr(settings, "stripe_api_base", stripe_front.base_url)
    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr(STRIPE_SECRET_KEY))
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr(STRIPE_WEBHOOK_SECRET))
    return stripe_front


def _to_connected(reference: str = "po_stripe_1", *, amount: int = 1800) -> PayoutRequest:
    destination = PayoutDestination(kind="stripe", stripe_account_id=CONNECTED_ACCOUNT)
    # localstripe takes EUR payouts only.
    return _payout_request(reference, amount=amount, currency="EUR", destination=destination)


def _localstripe_payout(front: StripeFront, payout_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{front.localstripe_url}/v1/payouts/{payout_id}", auth=(STRIPE_SECRET_KEY, ""))
    payout: dict[str, Any] = answer.json()
    return payout


async def test_stripe_transfers_to_the_connected_account_then_pays_out_there(stripe_on: StripeFront) -> None:
    provider = get_payout_provider("stripe")

    created = await provider.create_payout(_to_connected())

    [transfer] = stripe_on.transfers
    assert (transfer["amount"], transfer["currency"], transfer["destination"], transfer["transfer_group"]) == (
        1800,
        "eur",
        CONNECTED_ACCOUNT,
        "po_stripe_1",
    )
    assert transfer["metadata"] == {"merchant_reference": "po_stripe_1"}
    assert stripe_on.transfer_keys == {"payout-po_stripe_1:transfer": transfer["id"]}
    assert stripe_on.payout_requests == [
        {"stripe_account": CONNECTED_ACCOUNT, "idempotency_key": "payout-po_stripe_1:payout"}
    ]
    assert created.status == "in_transit" and created.provider_reference.startswith("po_")
    payout = await asyncio.to_thread(_localstripe_payout, stripe_on, created.provider_reference)
    assert (payout["amount"], payout["currency"], payout["status"], payout["description"]) == (
        1800,
        "eur",
        "pending",
        "Creatorly earnings",
    )
    assert payout["metadata"] == {"merchant_reference": "po_stripe_1", "transfer": transfer["id"]}

    listed = await provider.list_payouts(merchant_references=["po_stripe_1", "po_stripe_unknown"])
    assert listed == [PayoutRecord(created.provider_reference, "po_stripe_1", 1800, "EUR", "in_transit")]


async def test_stripe_refuses_what_it_cannot_pay(stripe_on: StripeFront) -> None:
    provider = get_payout_provider("stripe")
    with pytest.raises(ProviderError) as not_connected:
        await provider.create_payout(_payout_request())
    assert not_connected.value.is_retryable is False

    # localstripe pays out EUR only: its 400 is a final refusal, after the transfer was made.
    with pytest.raises(ProviderError) as refused:
        await provider.create_payout(
            _payout_request(
                "po_stripe_2", destination=PayoutDestination(kind="stripe", stripe_account_id=CONNECTED_ACCOUNT)
            )
        )
    assert refused.value.is_retryable is False
    assert "400" in refused.value.message
    assert [transfer["transfer_group"] for transfer in stripe_on.transfers] == ["po_stripe_2"]


# --- RazorpayX: contact, fund account and payout against the stand-in ----------------------------------------------


@pytest.fixture(scope="module")
def razorpay_stand_in() -> Iterator[RazorpayStandIn]:
    with running_razorpay_standin() as running_stand_in:
        yield running_stand_in


@pytest.fixture
def razorpay_on(razorpay_stand_in: RazorpayStandIn, monkeypatch: pytest.MonkeyPatch) -> RazorpayStandIn:
    razorpay_stand_in.clear_payouts()
    razorpay_stand_in.fail_next_with_status = None
    monkeypatch.setattr(settings, "razorpay_key_id", KEY_ID)
    monkeypatch.setattr(settings, "razorpay_key_secret", SecretStr(KEY_SECRET))
    monkeypatch.setattr(settings, "razorpay_webhook_secret", SecretStr(RAZORPAY_WEBHOOK_SECRET))
    monkeypatch.setattr(settings, "razorpay_api_base", razorpay_stand_in.base_url)
    monkeypatch.setattr(settings, "razorpay_payout_account_number", RAZORPAYX_ACCOUNT)
    return razorpay_stand_in


def _indian_bank() -> PayoutDestination:
    return PayoutDestination(
        kind="bank",
        holder_name="Gaurav Kumar",
        country="IN",
        routing_code="HDFC0000053",
        account_number="765432123456789",
    )


def _rupees(reference: str = "po_rzp_1", *, destination: PayoutDestination | None = None) -> PayoutRequest:
    return _payout_request(reference, amount=50000, currency="INR", destination=destination or _indian_bank())


async def test_razorpay_pays_a_bank_account_by_imps_once_per_idempotency_key(razorpay_on: RazorpayStandIn) -> None:
    provider = get_payout_provider("razorpay")

    created = await provider.create_payout(_rupees())
    again = await provider.create_payout(_rupees())

    [contact] = razorpay_on.contacts
    [fund_account] = razorpay_on.fund_accounts
    [payout] = razorpay_on.payouts
    assert (contact["name"], contact["type"], contact["reference_id"]) == ("Gaurav Kumar", "vendor", "po_rzp_1")
    assert (fund_account["contact_id"], fund_account["account_type"]) == (contact["id"], "bank_account")
    assert fund_account["bank_account"]["ifsc"] == "HDFC0000053"
    assert fund_account["bank_account"]["account_number"] == "765432123456789"
    assert (payout["fund_account_id"], payout["amount"], payout["currency"], payout["mode"]) == (
        fund_account["id"],
        50000,
        "INR",
        "IMPS",
    )
    assert (payout["purpose"], payout["reference_id"], payout["notes"]) == (
        "payout",
        "po_rzp_1",
        {"merchant_reference": "po_rzp_1"},
    )
    assert list(razorpay_on.payout_requests) == ["payout-po_rzp_1"]
    assert created == again == CreatedPayout(provider_reference=payout["id"], status="in_transit")

    razorpay_on.settle_payout(payout["id"], "payout.processed")
    listed = await provider.list_payouts(merchant_references=["po_rzp_1", "po_rzp_unknown"])
    assert listed == [PayoutRecord(payout["id"], "po_rzp_1", 50000, "INR", "paid")]


async def test_razorpay_pays_a_upi_id_by_upi(razorpay_on: RazorpayStandIn) -> None:
    created = await get_payout_provider("razorpay").create_payout(
        _rupees(destination=PayoutDestination(kind="upi", holder_name="Gaurav Kumar", upi_id="gaurav.kumar@exampleupi"))
    )

    [fund_account] = razorpay_on.fund_accounts
    [payout] = razorpay_on.payouts
    assert (fund_account["account_type"], fund_account["vpa"]["address"]) == ("vpa", "gaurav.kumar@exampleupi")
    assert (payout["mode"], created.provider_reference) == ("UPI", payout["id"])


async def test_razorpay_refusals_are_final_and_outages_retryable(razorpay_on: RazorpayStandIn) -> None:
    provider = get_payout_provider("razorpay")
    with pytest.raises(ProviderError) as not_rupees:
        await provider.create_payout(_payout_request())
    assert not_rupees.value.is_retryable is False

    wrong_keys = RazorpayPayoutProvider(
        KEY_ID, "not-the-secret", razorpay_on.base_url, account_number=RAZORPAYX_ACCOUNT
    )
    with pytest.raises(ProviderError) as refused:
        await wrong_keys.create_payout(_rupees())
    assert refused.value.is_retryable is False

    razorpay_on.fail_next_with_status = 500
    with pytest.raises(ProviderError) as failing:
        await provider.create_payout(_rupees())
    assert failing.value.is_retryable is True

    down = RazorpayPayoutProvider(
        KEY_ID, KEY_SECRET, f"http://127.0.0.1:{free_port()}", account_number=RAZORPAYX_ACCOUNT
    )
    with pytest.raises(ProviderError) as unreachable:
        await down.create_payout(_rupees())
    assert unreachable.value.is_retryable is True
    assert razorpay_on.payouts == []


# --- End to end: withdraw → provider → signed webhook over HTTP → the payout's outcome, applied once ------------------

_order_ids = itertools.count(910_000)


async def _creator_with_earnings(currency: str, gross: int) -> int:
    """A creator whose sale cleared its hold long ago: `gross` (no fees) is available to withdraw."""
    creator = (await make_creator()).creator
    assert creator.id is not None
    async with db.transaction() as session:
        await ledger.post_sale(
            session,
            order_id=next(_order_ids),
            creator_id=creator.id,
            provider="sandbox",
            gross=gross,
            provider_fee=0,
            currency=currency,
            paid_at=utc_now() - timedelta(days=30),
            platform_fee_percent=Decimal(0),
            hold_days=7,
        )
    return creator.id


async def _withdrawn(creator_id: int, form: PayoutAccountForm) -> Payout:
    """The creator adds `form` as their account and withdraws everything; the submit job's use case runs."""
    await payout_accounts.add_payout_account(creator_id, form)
    opened = await withdrawals.withdraw(creator_id, form.currency)
    await payouts.submit_payout(opened.public_id)
    return await _payout(opened.public_id)


async def _payout(public_id: str) -> Payout:
    async with db.transaction() as session:
        return (await session.exec(select(Payout).where(col(Payout.public_id) == public_id))).one()


async def _status_is(public_id: str, status: str) -> bool:
    return (await _payout(public_id)).status == status


async def _eventually(check: Callable[[], Awaitable[bool]], *, what: str, timeout_seconds: float = 15) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_seconds}s waiting for {what}")


async def _timeline(payout: Payout) -> list[tuple[str, str]]:
    async with db.transaction() as session:
        statement = select(PayoutEvent).where(col(PayoutEvent.payout_id) == payout.id).order_by(col(PayoutEvent.id))
        return [(event.to_status, event.cause) for event in (await session.exec(statement)).all()]


async def _balance(creator_id: int, currency: str) -> tuple[int, int, int]:
    """(available, in payout, paid out)."""
    async with db.transaction() as session:
        [balance] = await ledger.balances_of_creator(session, creator_id, now=utc_now())
    assert balance.currency == currency
    return balance.available, balance.in_payout, balance.paid_out


async def _ledger_is_balanced() -> bool:
    async with db.transaction() as session:
        return all(total == 0 for total in (await ledger.trial_balance(session)).values())


def _us_bank(account_number: str = PAYING_ACCOUNT) -> PayoutAccountForm:
    return PayoutAccountForm(
        kind="bank",
        currency="USD",
        country="US",
        holder_name="Ada Lovelace",
        routing_code="110000000",
        account_number=account_number,
    )


async def _settle_and_deliver(payout: Payout) -> SandboxWebhook:
    """The settle delay passes, the settle job runs, and the gateway delivers the webhook over HTTP."""
    [transfer] = [item for item in await _transfers() if item.reference == payout.provider_reference]
    await _make_due(transfer.id)
    await sandbox_payouts.settle_transfer(transfer_id=transfer.id or 0)
    [webhook] = [item for item in await _webhooks() if item.event_id == f"evt_{transfer.reference}"]
    outcome = await gateway.deliver_webhook(webhook_id=webhook.id or 0)
    assert (outcome.result, outcome.status_code) == (DeliveryResult.DELIVERED, 200)
    return webhook


def _post_sandbox(app_url: str, raw: bytes, *, timestamp: int | None = None, secret: str | None = None) -> int:
    signature = sandbox_signing.sign(
        raw, secret=secret or sandbox_webhook_secret(), timestamp=int(time.time()) if timestamp is None else timestamp
    )
    headers = {"Content-Type": "application/json", sandbox_signing.SIGNATURE_HEADER: signature}
    return httpx.post(f"{app_url}/api/webhooks/sandbox", content=raw, headers=headers).status_code


async def test_a_sandbox_payout_goes_in_transit_then_paid_by_its_signed_webhook_once(app_url: str) -> None:
    creator_id = await _creator_with_earnings("USD", 5000)

    payout = await _withdrawn(creator_id, _us_bank())

    assert (payout.provider, payout.status, payout.amount) == ("sandbox", "in_transit", 5000)
    assert payout.provider_reference is not None and payout.provider_reference.startswith("po_")
    assert await _balance(creator_id, "USD") == (0, 5000, 0)

    webhook = await _settle_and_deliver(payout)
    # The gateway's own retries, and anyone replaying the captured body: still paid once.
    replays = [_post_sandbox(app_url, webhook.payload.encode()) for _ in range(3)]

    assert replays == [200, 200, 200]
    paid = await _payout(payout.public_id)
    assert (paid.status, paid.failure_reason) == ("paid", "")
    assert paid.paid_at is not None
    assert [status for status, _ in await _timeline(paid)] == ["pending", "in_transit", "paid"]
    assert (await _timeline(paid))[-1][1] == f"payout.paid {webhook.event_id}"
    assert await _balance(creator_id, "USD") == (0, 0, 5000)
    assert await _count(ExternalEvent) == 1
    assert await _ledger_is_balanced()


async def _withdraw_without_submitting(creator_id: int, form: PayoutAccountForm) -> str:
    await payout_accounts.add_payout_account(creator_id, form)
    return (await withdrawals.withdraw(creator_id, form.currency)).public_id


def test_the_worker_submits_settles_and_delivers_a_sandbox_payout_after_the_delay(app_url: str, tmp_path: Path) -> None:
    """No shortcuts: the real worker runs the submit, settle and delivery jobs; the settle delay is one second."""
    queue.huey.flush()
    creator_id = run_in_thread(_creator_with_earnings("USD", 5000))
    worker_settings = {"public_url": app_url, "sandbox_payout_settle_seconds": "1"}
    with running(worker_command(), log_path=tmp_path / "worker.log", **worker_settings):
        public_id = run_in_thread(_withdraw_without_submitting(creator_id, _us_bank()))
        wait_until(
            lambda: run_in_thread(_status_is(public_id, "paid")), timeout_seconds=40, what="the payout to be paid"
        )

    paid = run_in_thread(_payout(public_id))
    timeline = run_in_thread(_timeline(paid))
    assert [status for status, _ in timeline] == ["pending", "in_transit", "paid"]
    assert timeline[-1][1] == f"payout.paid evt_{paid.provider_reference}"
    [transfer] = run_in_thread(_transfers())
    assert as_utc(transfer.updated_at) - as_utc(transfer.created_at) >= timedelta(seconds=1)
    assert run_in_thread(_balance(creator_id, "USD")) == (0, 0, 5000)


@pytest.mark.parametrize(
    ("account_number", "reason"),
    [("000111111116", "The bank account doesn't exist."), ("000111111113", "The bank account has been closed.")],
)
async def test_a_sandbox_payout_to_a_failing_test_account_fails_with_its_reason_and_returns_the_funds(
    app_url: str, account_number: str, reason: str
) -> None:
    creator_id = await _creator_with_earnings("USD", 5000)
    payout = await _withdrawn(creator_id, _us_bank(account_number))
    assert payout.status == "in_transit"

    webhook = await _settle_and_deliver(payout)

    failed = await _payout(payout.public_id)
    assert (failed.status, failed.failure_reason) == ("failed", reason)
    assert (await _timeline(failed))[-1] == ("failed", f"payout.failed {webhook.event_id}: {reason}")
    assert await _balance(creator_id, "USD") == (5000, 0, 0)
    assert _post_sandbox(app_url, webhook.payload.encode()) == 200
    assert await _balance(creator_id, "USD") == (5000, 0, 0)
    assert await _ledger_is_balanced()


async def test_forged_or_stale_sandbox_payout_webhooks_are_refused_and_change_nothing(app_url: str) -> None:
    creator_id = await _creator_with_earnings("USD", 5000)
    payout = await _withdrawn(creator_id, _us_bank())
    transfer = await sandbox_payouts.list_transfers(api_key=sandbox_api_key(), merchant_references=[payout.public_id])
    forged_transfer = SandboxPayoutTransfer(
        reference=transfer[0].reference,
        idempotency_key="forged",
        merchant_reference=payout.public_id,
        amount=payout.amount,
        currency="USD",
        status="paid",
        settles_at=utc_now(),
    )
    raw = json.dumps(sandbox_payouts.payout_event(forged_transfer, created=int(time.time()))).encode()

    statuses = [
        _post_sandbox(app_url, raw, secret="not-the-secret"),
        _post_sandbox(app_url, raw, timestamp=int(time.time()) - 3600),
        _post_sandbox(app_url, raw, timestamp=int(time.time()) + 3600),
    ]

    assert statuses == [400, 400, 400]
    assert await _count(ExternalEvent) == 0
    assert (await _payout(payout.public_id)).status == "in_transit"
    assert await _balance(creator_id, "USD") == (0, 5000, 0)


# --- Stripe end to end -----------------------------------------------------------------------------------------------


def _register_localstripe_webhook(front: StripeFront, app_url: str) -> None:
    response = httpx.post(
        f"{front.localstripe_url}/_config/webhooks/payouts",
        data={"url": f"{app_url}/api/webhooks/stripe", "secret": STRIPE_WEBHOOK_SECRET},
    )
    assert response.status_code == 200


def _stripe_event(name: str, payout: Payout, **payout_fields: Any) -> bytes:
    """A recorded Stripe event about our payout, serialised once: these are the bytes we sign."""
    event: dict[str, Any] = json.loads((STRIPE_PAYLOADS / f"{name}.json").read_text())
    event.update(id=f"evt_{secrets.token_hex(12)}", account=CONNECTED_ACCOUNT, created=int(time.time()))
    event["data"]["object"].update(
        id=payout.provider_reference,
        amount=payout.amount,
        currency=payout.currency.lower(),
        metadata={"merchant_reference": payout.public_id},
        **payout_fields,
    )
    return json.dumps(event, indent=2).encode()


def _post_stripe(app_url: str, raw: bytes, *, timestamp: int | None = None, secret: str = STRIPE_WEBHOOK_SECRET) -> int:
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + raw, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "Stripe-Signature": f"t={moment},v1={digest}"}
    return httpx.post(f"{app_url}/api/webhooks/stripe", content=raw, headers=headers).status_code


def _stripe_account() -> PayoutAccountForm:
    return PayoutAccountForm(kind="stripe", currency="EUR", stripe_account_id=CONNECTED_ACCOUNT)


async def _events_of_type(event_type: str) -> list[ExternalEvent]:
    async with db.transaction() as session:
        statement = select(ExternalEvent).where(col(ExternalEvent.event_type) == event_type)
        return list((await session.exec(statement)).all())


async def test_a_stripe_payout_is_paid_by_its_signed_payout_paid_event_once(
    app_url: str, stripe_on: StripeFront
) -> None:
    creator_id = await _creator_with_earnings("EUR", 4000)

    payout = await _withdrawn(creator_id, _stripe_account())

    assert (payout.provider, payout.status) == ("stripe", "in_transit")
    [transfer] = stripe_on.transfers
    assert (transfer["transfer_group"], transfer["destination"], transfer["amount"]) == (
        payout.public_id,
        CONNECTED_ACCOUNT,
        4000,
    )
    raw = _stripe_event("payout.paid", payout)

    statuses = [_post_stripe(app_url, raw) for _ in range(3)]

    assert statuses == [200, 200, 200]
    paid = await _payout(payout.public_id)
    assert paid.status == "paid"
    assert [status for status, _ in await _timeline(paid)] == ["pending", "in_transit", "paid"]
    assert await _balance(creator_id, "EUR") == (0, 0, 4000)
    assert len(await _events_of_type("payout.paid")) == 1
    assert await _ledger_is_balanced()


async def test_a_failed_stripe_payout_returns_the_funds_with_stripes_reason(
    app_url: str, stripe_on: StripeFront
) -> None:
    creator_id = await _creator_with_earnings("EUR", 4000)
    payout = await _withdrawn(creator_id, _stripe_account())

    assert _post_stripe(app_url, _stripe_event("payout.failed", payout)) == 200
    # A late payout.paid for the same payout (out of order) changes nothing.
    assert _post_stripe(app_url, _stripe_event("payout.paid", payout)) == 200

    failed = await _payout(payout.public_id)
    assert (failed.status, failed.failure_reason) == ("failed", "The bank account has been closed.")
    assert await _balance(creator_id, "EUR") == (4000, 0, 0)
    assert await _ledger_is_balanced()


async def test_a_stripe_payout_canceled_on_localstripe_fails_by_localstripes_own_signed_webhook(
    app_url: str, stripe_on: StripeFront
) -> None:
    _register_localstripe_webhook(stripe_on, app_url)
    creator_id = await _creator_with_earnings("EUR", 4000)
    payout = await _withdrawn(creator_id, _stripe_account())

    canceled = httpx.post(
        f"{stripe_on.localstripe_url}/v1/payouts/{payout.provider_reference}/cancel", auth=(STRIPE_SECRET_KEY, "")
    )

    assert canceled.json()["status"] == "canceled"
    await _eventually(lambda: _status_is(payout.public_id, "failed"), what="localstripe's payout.canceled")
    failed = await _payout(payout.public_id)
    assert failed.failure_reason == "The payout was canceled."
    [event] = await _events_of_type("payout.canceled")
    assert event.handled_at is not None
    assert await _balance(creator_id, "EUR") == (4000, 0, 0)


async def test_forged_or_stale_stripe_payout_events_are_refused_and_change_nothing(
    app_url: str, stripe_on: StripeFront
) -> None:
    creator_id = await _creator_with_earnings("EUR", 4000)
    payout = await _withdrawn(creator_id, _stripe_account())
    raw = _stripe_event("payout.paid", payout)

    statuses = [
        _post_stripe(app_url, raw, secret="whsec_forged"),
        _post_stripe(app_url, raw, timestamp=int(time.time()) - 3600),
        _post_stripe(app_url, raw, timestamp=int(time.time()) + 3600),
    ]

    assert statuses == [400, 400, 400]
    assert await _events_of_type("payout.paid") == []
    assert (await _payout(payout.public_id)).status == "in_transit"
    assert await _balance(creator_id, "EUR") == (0, 4000, 0)


# --- Razorpay end to end ---------------------------------------------------------------------------------------------


def _indian_bank_form() -> PayoutAccountForm:
    return PayoutAccountForm(
        kind="bank",
        currency="INR",
        country="IN",
        holder_name="Gaurav Kumar",
        routing_code="HDFC0000053",
        account_number="765432123456789",
    )


def _post_razorpay(app_url: str, raw: bytes, headers: dict[str, str]) -> int:
    return httpx.post(f"{app_url}/api/webhooks/razorpay", content=raw, headers=headers).status_code


async def test_a_razorpay_payout_is_paid_by_its_signed_payout_processed_webhook_once(
    app_url: str, razorpay_on: RazorpayStandIn
) -> None:
    creator_id = await _creator_with_earnings("INR", 100000)

    payout = await _withdrawn(creator_id, _indian_bank_form())

    [made] = razorpay_on.payouts
    assert (payout.provider, payout.status, payout.provider_reference) == ("razorpay", "in_transit", made["id"])
    assert (made["reference_id"], made["amount"], made["mode"]) == (payout.public_id, 100000, "IMPS")
    razorpay_on.settle_payout(made["id"], "payout.processed")
    raw, headers = razorpay_on.payout_webhook("payout.processed", made["id"], secret=RAZORPAY_WEBHOOK_SECRET)

    statuses = [_post_razorpay(app_url, raw, headers) for _ in range(3)]

    assert statuses == [200, 200, 200]
    paid = await _payout(payout.public_id)
    assert paid.status == "paid"
    assert (await _timeline(paid))[-1] == ("paid", f"payout.processed {headers['X-Razorpay-Event-Id']}")
    assert await _balance(creator_id, "INR") == (0, 0, 100000)
    assert await _count(ExternalEvent) == 1
    assert await _ledger_is_balanced()


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ("payout.reversed", "Beneficiary bank systems are offline, please retry after 30 min"),
        ("payout.failed", "Payout failed as the beneficiary account is closed. Please contact the beneficiary bank"),
        ("payout.rejected", "Payout rejected by beneficiary bank. Please contact beneficiary bank"),
    ],
)
async def test_a_reversed_failed_or_rejected_razorpay_payout_returns_the_funds_with_its_reason(
    app_url: str, razorpay_on: RazorpayStandIn, event: str, reason: str
) -> None:
    creator_id = await _creator_with_earnings("INR", 100000)
    payout = await _withdrawn(creator_id, _indian_bank_form())
    [made] = razorpay_on.payouts
    razorpay_on.settle_payout(made["id"], event)
    raw, headers = razorpay_on.payout_webhook(event, made["id"], secret=RAZORPAY_WEBHOOK_SECRET)

    assert _post_razorpay(app_url, raw, headers) == 200

    failed = await _payout(payout.public_id)
    assert (failed.status, failed.failure_reason) == ("failed", reason)
    assert await _balance(creator_id, "INR") == (100000, 0, 0)
    assert await _ledger_is_balanced()
    listed = await get_payout_provider("razorpay").list_payouts(merchant_references=[payout.public_id])
    assert listed == [PayoutRecord(made["id"], payout.public_id, 100000, "INR", "failed")]


async def test_a_forged_razorpay_payout_webhook_is_refused_and_changes_nothing(
    app_url: str, razorpay_on: RazorpayStandIn
) -> None:
    creator_id = await _creator_with_earnings("INR", 100000)
    payout = await _withdrawn(creator_id, _indian_bank_form())
    [made] = razorpay_on.payouts
    razorpay_on.settle_payout(made["id"], "payout.processed")
    raw, headers = razorpay_on.payout_webhook("payout.processed", made["id"], secret="not-the-webhook-secret")

    assert _post_razorpay(app_url, raw, headers) == 400
    assert _post_razorpay(app_url, raw, {**headers, "X-Razorpay-Signature": ""}) == 400

    assert await _count(ExternalEvent) == 0
    assert (await _payout(payout.public_id)).status == "in_transit"
    assert await _balance(creator_id, "INR") == (0, 100000, 0)


@pytest.mark.parametrize("order", [("payout.processed", "payout.reversed"), ("payout.reversed", "payout.processed")])
async def test_a_razorpay_payout_reversed_after_it_was_paid_returns_the_funds_in_either_order(
    app_url: str, razorpay_on: RazorpayStandIn, order: tuple[str, str]
) -> None:
    creator_id = await _creator_with_earnings("INR", 100000)
    payout = await _withdrawn(creator_id, _indian_bank_form())
    [made] = razorpay_on.payouts
    deliveries = []
    for event in ("payout.processed", "payout.reversed"):
        razorpay_on.settle_payout(made["id"], event)
        deliveries.append((event, razorpay_on.payout_webhook(event, made["id"], secret=RAZORPAY_WEBHOOK_SECRET)))
    by_event = dict(deliveries)

    for event in order:
        raw, headers = by_event[event]
        assert _post_razorpay(app_url, raw, headers) == 200

    reversed_payout = await _payout(payout.public_id)
    assert reversed_payout.status == "failed"
    assert reversed_payout.failure_reason == "Beneficiary bank systems are offline, please retry after 30 min"
    # (available, in payout, paid out): the money is back and nothing counts as paid out, whatever the order.
    assert await _balance(creator_id, "INR") == (100000, 0, 0)
    assert await _ledger_is_balanced()


async def test_a_stripe_payout_failing_after_it_was_paid_stays_paid_the_money_is_in_the_connected_account(
    app_url: str, stripe_on: StripeFront
) -> None:
    _register_localstripe_webhook(stripe_on, app_url)
    creator_id = await _creator_with_earnings("EUR", 5000)
    payout = await _withdrawn(creator_id, _stripe_account())
    assert _post_stripe(app_url, _stripe_event("payout.paid", payout, status="paid")) == 200

    late = _stripe_event("payout.failed", payout, status="failed", failure_message="The bank account was closed.")
    assert _post_stripe(app_url, late) == 200

    still = await _payout(payout.public_id)
    assert still.status == "paid"
    assert await _balance(creator_id, "EUR") == (0, 0, 5000)
    assert (await _timeline(still))[-1][0] == "paid"
    assert await _ledger_is_balanced()
