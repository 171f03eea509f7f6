"""PayPal against the local stand-in of its REST API: OAuth, orders approved and captured on return, capture and
refund webhooks verified by PayPal's verify-webhook-signature call, refunds, and a forged delivery refused."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput, ProviderError
from creatorly.kit.clock import utc_now
from creatorly.models import ExternalEvent, LedgerTransaction, Order, OrderEvent, PaymentAttempt, Payout, Refund
from creatorly.models.enums import BookingStatus, OrderKind, OrderStatus, PaymentProviderName
from creatorly.providers.payments.base import PaymentRequest
from creatorly.providers.payments.paypal import PayPalPaymentProvider
from creatorly.providers.payments.paypal_client import PayPalClient
from creatorly.providers.payouts.paypal import PayPalPayoutProvider
from creatorly.providers.registry import get_paypal_provider, payout_provider_name_for
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout.routing import membership_provider_for, provider_for
from creatorly.services.ledger import service as ledger
from creatorly.services.payouts import accounts as payout_accounts
from creatorly.services.payouts import service as payouts
from creatorly.services.payouts import withdrawals
from creatorly.services.payouts.schemas import PayoutAccountForm
from creatorly.services.reconciliation import service as reconciliation
from creatorly.services.refunds import service as refunds
from creatorly.services.sessions import booking as session_booking
from creatorly.services.sessions import lifecycle, settlement
from creatorly.services.sessions.fulfilment import SETTLE_JOB
from creatorly.services.sessions.settlement import SEND_REFUND_JOB
from creatorly.services.tips import service as tips
from creatorly.services.tips.schemas import NewTip
from tests import sessions as session_given
from tests.accounts import PASSWORD, new_requester
from tests.factories import make_creator, new_product
from tests.paypal_standin import CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID, PayPalStandIn, running_paypal_standin
from tests.processes import free_port, serving

PAYLOADS = Path(__file__).parent.parent / "payloads" / "paypal"
BUYER = "fan@example.com"
PRICE = 2500  # USD 25.00
FEE = 87  # 3.49% of 25.00, rounded half even by the stand-in: 0.87


@pytest.fixture(scope="module")
def stand_in() -> Iterator[PayPalStandIn]:
    with running_paypal_standin() as running:
        yield running


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _paypal_settings(stand_in: PayPalStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in.reset()
    monkeypatch.setattr(settings, "public_url", "http://shop.test")
    monkeypatch.setattr(settings, "paypal_client_id", CLIENT_ID)
    monkeypatch.setattr(settings, "paypal_client_secret", SecretStr(CLIENT_SECRET))
    monkeypatch.setattr(settings, "paypal_webhook_id", WEBHOOK_ID)
    monkeypatch.setattr(settings, "paypal_api_url", stand_in.base_url)
    monkeypatch.setattr(settings, "payment_routing", "USD:paypal,*:sandbox")


# --- Given helpers ---------------------------------------------------------------------------------


def _provider() -> PayPalPaymentProvider:
    provider = get_paypal_provider()
    assert provider is not None
    return provider


async def _checkout() -> Order:
    """A USD sale as the storefront starts it: routed to PayPal, which answers an order to approve."""
    made = await make_creator(products=[new_product(currency="USD", price_amount=PRICE)])
    [product] = made.products
    started = await checkout.start_checkout(
        handle=made.creator.handle, slug=product.slug, buyer_email=BUYER, checkout_key=secrets.token_hex(8)
    )
    order = await _order(started.order_public_id)
    assert started.redirect_url == f"{settings.paypal_api_url}/checkoutnow?token={order.provider_reference}"
    return order


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _count(model: type[SQLModel]) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def _counts() -> dict[str, int]:
    tables: list[type[SQLModel]] = [ExternalEvent, LedgerTransaction, Order, OrderEvent, PaymentAttempt, Refund]
    return {model.__name__: await _count(model) for model in tables}


def _return(app_url: str, order: Order) -> httpx.Response:
    """The buyer's browser coming back from PayPal, as PayPal sends it: ?token=<order id>&PayerID=…"""
    return httpx.get(
        f"{app_url}/api/payments/paypal/return", params={"token": order.provider_reference, "PayerID": "QYR5Z8XDVJNXQ"}
    )


async def _assert_paid_once(order: Order, stand_in: PayPalStandIn) -> Order:
    paid = await _order(order.public_id)
    [capture_id] = stand_in.captures
    assert (paid.status, paid.provider_fee, paid.provider_payment_id) == (OrderStatus.PAID, FEE, capture_id)
    assert await _count(LedgerTransaction) == 1
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"USD": 0}
    return paid


# --- OAuth and the order ---------------------------------------------------------------------------


async def test_a_wrong_secret_is_refused_by_the_token_call_as_a_final_provider_error(stand_in: PayPalStandIn) -> None:
    client = PayPalClient(client_id=CLIENT_ID, client_secret="wrong", api_url=stand_in.base_url)
    provider = PayPalPaymentProvider(client, public_url="http://shop.test")
    request = PaymentRequest("ord_x", PRICE, "USD", "A thing", BUYER, "http://shop.test/orders/ord_x", "order-ord_x")

    with pytest.raises(ProviderError) as refused:
        await provider.create_payment(request)

    assert refused.value.is_retryable is False
    assert "refused the client id and secret" in refused.value.message
    assert stand_in.orders == {}


async def test_an_api_call_without_a_token_gets_401(stand_in: PayPalStandIn) -> None:
    answer = httpx.post(f"{stand_in.base_url}/v2/checkout/orders", json={"intent": "CAPTURE"})
    forged = httpx.get(f"{stand_in.base_url}/v2/checkout/orders/X", headers={"Authorization": "Bearer A21AAnope"})

    assert (answer.status_code, forged.status_code) == (401, 401)


async def test_the_token_is_fetched_once_and_reused(stand_in: PayPalStandIn) -> None:
    before = stand_in.token_requests
    for number in range(3):
        reference = f"ord_reuse{number}"
        await _provider().create_payment(
            PaymentRequest(reference, 1000, "USD", "x", BUYER, "http://shop.test/o", f"order-{reference}")
        )

    assert stand_in.token_requests - before <= 1
    assert len(stand_in.orders) == 3


async def test_checkout_makes_a_paypal_order_with_an_exact_decimal_amount(stand_in: PayPalStandIn) -> None:
    order = await _checkout()

    assert (order.provider, order.status) == (PaymentProviderName.PAYPAL, OrderStatus.PENDING)
    made = stand_in.orders[order.provider_reference or ""]
    unit = made["purchase_units"][0]
    assert unit["amount"] == {"currency_code": "USD", "value": "25.00"}
    assert unit["reference_id"] == unit["custom_id"] == order.public_id
    assert made["_return_url"] == "http://shop.test/api/payments/paypal/return"


async def test_a_repeated_create_with_the_same_key_is_the_same_paypal_order(stand_in: PayPalStandIn) -> None:
    request = PaymentRequest("ord_same", 1000, "USD", "x", BUYER, "http://shop.test/o", "order-ord_same")

    first, second = await _provider().create_payment(request), await _provider().create_payment(request)

    assert first == second and len(stand_in.orders) == 1


def test_routing_sends_usd_sales_to_paypal_but_memberships_elsewhere() -> None:
    assert provider_for("USD") == PaymentProviderName.PAYPAL
    assert provider_for("EUR") == PaymentProviderName.SANDBOX
    assert membership_provider_for("USD") == PaymentProviderName.SANDBOX  # Stripe is off here


# --- Capture on return and by webhook ------------------------------------------------------------------


async def test_approve_then_return_captures_and_pays_once_and_the_webhook_after_changes_nothing(
    stand_in: PayPalStandIn, app_url: str
) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")

    back = _return(app_url, order)
    again = _return(app_url, order)  # a reload of the return page: PayPal says already captured

    assert back.status_code == again.status_code == 303
    assert back.headers["location"].startswith(f"http://shop.test/orders/{order.public_id}?key=")
    await _assert_paid_once(order, stand_in)
    [capture_id] = stand_in.captures
    delivered = stand_in.deliver(app_url, stand_in.capture_event("PAYMENT.CAPTURE.COMPLETED", capture_id))
    assert delivered.status_code == 200
    await _assert_paid_once(order, stand_in)


async def test_the_capture_webhook_first_and_the_return_later_pay_once(stand_in: PayPalStandIn, app_url: str) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")
    captured = await _provider().capture_order(order.provider_reference or "")  # PayPal's side captured it
    assert captured.capture_id is not None

    event = stand_in.capture_event("PAYMENT.CAPTURE.COMPLETED", captured.capture_id)
    assert stand_in.deliver(app_url, event).status_code == 200
    assert stand_in.deliver(app_url, event).status_code == 200  # a redelivery
    assert _return(app_url, order).status_code == 303

    await _assert_paid_once(order, stand_in)


async def test_a_declined_capture_on_return_fails_the_order(stand_in: PayPalStandIn, app_url: str) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")
    stand_in.decline_next_capture = True

    assert _return(app_url, order).status_code == 303

    failed = await _order(order.public_id)
    assert (failed.status, failed.paid_at) == (OrderStatus.FAILED, None)
    assert await _count(LedgerTransaction) == 0


async def test_the_denied_webhook_fails_the_order(stand_in: PayPalStandIn, app_url: str) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")
    stand_in.decline_next_capture = True
    captured = await _provider().capture_order(order.provider_reference or "")
    assert captured.capture_id is not None and captured.capture_status == "DECLINED"

    delivered = stand_in.deliver(app_url, stand_in.capture_event("PAYMENT.CAPTURE.DENIED", captured.capture_id))

    assert delivered.status_code == 200
    assert (await _order(order.public_id)).status == OrderStatus.FAILED
    assert await _count(LedgerTransaction) == 0


async def test_a_capture_for_another_amount_is_never_fulfilled(stand_in: PayPalStandIn, app_url: str) -> None:
    order = await _checkout()
    made = stand_in.orders[order.provider_reference or ""]
    made["purchase_units"][0]["amount"] = {"currency_code": "USD", "value": "0.01"}  # changed at PayPal's side
    stand_in.approve(order.provider_reference or "")

    assert _return(app_url, order).status_code == 303

    kept = await _order(order.public_id)
    assert (kept.status, kept.provider_payment_id) == (OrderStatus.PENDING, None)
    assert await _count(LedgerTransaction) == 0


async def test_a_return_with_a_token_not_ours_is_404(app_url: str) -> None:
    answer = httpx.get(f"{app_url}/api/payments/paypal/return", params={"token": "5O190127TN364715T"})

    assert answer.status_code == 404


async def test_a_tip_in_usd_goes_through_paypal_and_is_paid_on_return(stand_in: PayPalStandIn, app_url: str) -> None:
    made = await make_creator()
    started = await tips.start_tip(
        NewTip(handle=made.creator.handle, amount_text="7.50", buyer_email=BUYER, checkout_key=secrets.token_hex(8))
    )
    order = await _order(started.order_public_id)
    assert (order.kind, order.provider, order.amount) == (OrderKind.TIP, PaymentProviderName.PAYPAL, 750)
    assert stand_in.orders[order.provider_reference or ""]["purchase_units"][0]["amount"]["value"] == "7.50"
    stand_in.approve(order.provider_reference or "")

    assert _return(app_url, order).status_code == 303

    paid = await _order(order.public_id)
    assert (paid.status, paid.provider_fee) == (OrderStatus.PAID, 26)  # 3.49% of 7.50
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"USD": 0}


# --- Forged deliveries ---------------------------------------------------------------------------------


async def test_a_forged_or_altered_delivery_is_4xx_and_writes_nothing(stand_in: PayPalStandIn, app_url: str) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")
    captured = await _provider().capture_order(order.provider_reference or "")
    assert captured.capture_id is not None
    event = stand_in.capture_event("PAYMENT.CAPTURE.COMPLETED", captured.capture_id)
    before = await _counts()
    url = f"{app_url}/api/webhooks/paypal"

    raw = httpx.Request("POST", url, json=event).content
    headers = stand_in.signed_headers(raw)
    altered = raw.replace(b'"25.00"', b'"0.01"')
    made_up = {**headers, "PAYPAL-TRANSMISSION-ID": secrets.token_hex(16)}
    bad_signature = {**headers, "PAYPAL-TRANSMISSION-SIG": "c2lnbmF0dXJl"}
    no_headers = {"Content-Type": "application/json"}
    answers = [
        httpx.post(url, content=altered, headers=headers),
        httpx.post(url, content=raw, headers=made_up),
        httpx.post(url, content=raw, headers=bad_signature),
        httpx.post(url, content=raw, headers=no_headers),
    ]

    assert [answer.status_code for answer in answers] == [400, 400, 400, 400]
    assert await _counts() == before
    assert (await _order(order.public_id)).status == OrderStatus.PENDING


async def test_with_paypal_off_its_webhook_route_does_not_exist(
    stand_in: PayPalStandIn, app_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "paypal_client_id", "")
    before = await _counts()

    answer = httpx.post(
        f"{app_url}/api/webhooks/paypal", json={"id": "WH-1", "event_type": "PAYMENT.CAPTURE.COMPLETED"}
    )

    assert answer.status_code == 404
    assert await _counts() == before


async def test_a_delivery_paypal_cannot_be_asked_about_is_5xx_and_writes_nothing(
    stand_in: PayPalStandIn, app_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")
    captured = await _provider().capture_order(order.provider_reference or "")
    assert captured.capture_id is not None
    event = stand_in.capture_event("PAYMENT.CAPTURE.COMPLETED", captured.capture_id)
    before = await _counts()
    monkeypatch.setattr(settings, "paypal_api_url", f"http://127.0.0.1:{free_port()}")  # PayPal unreachable

    answer = stand_in.deliver(app_url, event)

    assert answer.status_code == 502  # PayPal delivers it again later
    assert await _counts() == before


# --- Refunds -------------------------------------------------------------------------------------------


async def _signed_in_creator(order: Order) -> str:
    from creatorly.models import Creator, User

    async with db.transaction() as session:
        creator = await session.get(Creator, order.creator_id)
        assert creator is not None
        user = await session.get(User, creator.user_id)
        assert user is not None
    signed_in = await accounts.sign_in(email=user.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


async def test_a_refund_goes_to_the_capture_once_and_its_webhook_posts_it_once(
    stand_in: PayPalStandIn, app_url: str
) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")
    assert _return(app_url, order).status_code == 303
    paid = await _assert_paid_once(order, stand_in)
    token = await _signed_in_creator(order)

    first = await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="10.00")
    again = await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="10.00")

    assert first.amount == again.amount == 1000
    [refund] = stand_in.refunds  # the same PayPal-Request-Id: PayPal refunded once
    assert refund["amount"] == {"value": "10.00", "currency_code": "USD"}
    assert refund["_capture_id"] == paid.provider_payment_id
    event = stand_in.refund_event(refund["id"])
    for _ in range(3):
        assert stand_in.deliver(app_url, event).status_code == 200
    refunded = await _order(order.public_id)
    assert (refunded.status, refunded.refunded_amount) == (OrderStatus.PARTIALLY_REFUNDED, 1000)
    assert await _count(LedgerTransaction) == 2
    assert await _count(Refund) == 1
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"USD": 0}


# --- PayPal Payouts ------------------------------------------------------------------------------------


async def _creator_with_earnings(gross: int) -> int:
    """A creator whose USD sale cleared its hold long ago: `gross` (no fees) is available to withdraw."""
    creator = (await make_creator()).creator
    assert creator.id is not None
    async with db.transaction() as session:
        await ledger.post_sale(
            session,
            order_id=900_000 + creator.id,
            creator_id=creator.id,
            provider="sandbox",
            gross=gross,
            provider_fee=0,
            currency="USD",
            paid_at=utc_now() - timedelta(days=30),
            platform_fee_percent=Decimal(0),
            hold_days=7,
        )
    return creator.id


def _paypal_form(email: str = "Creator.Paid@Example.com") -> PayoutAccountForm:
    return PayoutAccountForm(kind="paypal", currency="USD", paypal_email=email)


async def _payout(public_id: str) -> Payout:
    async with db.transaction() as session:
        return (await session.exec(select(Payout).where(col(Payout.public_id) == public_id))).one()


async def _withdrawn(creator_id: int) -> Payout:
    await payout_accounts.add_payout_account(creator_id, _paypal_form())
    opened = await withdrawals.withdraw(creator_id, "USD")
    await payouts.submit_payout(opened.public_id)
    await payouts.submit_payout(opened.public_id)  # a retried submit job: the same batch
    return await _payout(opened.public_id)


async def test_a_paypal_email_account_is_validated_and_labelled() -> None:
    creator_id = await _creator_with_earnings(5000)

    with pytest.raises(InvalidInput) as refused:
        await payout_accounts.add_payout_account(creator_id, _paypal_form("not-an-email"))
    view = await payout_accounts.add_payout_account(creator_id, _paypal_form())

    assert refused.value.field == "paypal_email"
    assert (view.kind, view.label) == ("paypal", "PayPal creator.paid@example.com")
    assert payout_provider_name_for("paypal", "USD") == "paypal"


async def test_a_paypal_payout_goes_out_once_and_its_succeeded_webhook_marks_it_paid(
    stand_in: PayPalStandIn, app_url: str
) -> None:
    creator_id = await _creator_with_earnings(5000)

    payout = await _withdrawn(creator_id)

    [(batch_id, batch)] = stand_in.payouts.items()
    assert (payout.provider, payout.status, payout.provider_reference) == ("paypal", "in_transit", batch_id)
    assert batch["batch_header"]["sender_batch_header"]["sender_batch_id"] == f"payout-{payout.public_id}"
    item = batch["items"][0]["payout_item"]
    assert (item["recipient_type"], item["receiver"], item["sender_item_id"]) == (
        "EMAIL",
        "creator.paid@example.com",
        payout.public_id,
    )
    assert item["amount"] == {"value": "50.00", "currency": "USD"}
    stand_in.settle_payout(batch_id)
    record = await PayPalPayoutProvider(_client()).payout_batch(batch_id)
    assert record is not None and (record.status, record.amount) == ("paid", 5000)
    event = stand_in.payout_item_event(batch_id)

    statuses = [stand_in.deliver(app_url, event).status_code for _ in range(2)]

    assert statuses == [200, 200]
    assert (await _payout(payout.public_id)).status == "paid"
    assert await _count(ExternalEvent) == 1
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"USD": 0}


async def test_a_failed_paypal_payout_returns_the_funds(stand_in: PayPalStandIn, app_url: str) -> None:
    creator_id = await _creator_with_earnings(5000)
    payout = await _withdrawn(creator_id)
    assert payout.provider_reference is not None
    stand_in.settle_payout(payout.provider_reference, is_paid=False)

    assert stand_in.deliver(app_url, stand_in.payout_item_event(payout.provider_reference)).status_code == 200

    failed = await _payout(payout.public_id)
    assert (failed.status, failed.failure_reason) == ("failed", "Receiver is unregistered")
    async with db.transaction() as session:
        [balance] = await ledger.balances_of_creator(session, creator_id, now=utc_now())
        assert (balance.available, balance.in_payout) == (5000, 0)


def _client() -> PayPalClient:
    return PayPalClient(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, api_url=settings.paypal_api_url)


# --- Recorded payloads (PayPal's documented samples), pointed at our objects, delivered twice --------------------


def _recorded(event_type: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / f"{event_type}.json").read_text())
    return loaded


def _pointed_at(event: dict[str, Any], order: Order, capture_id: str) -> dict[str, Any]:
    capture = event["resource"]
    capture.update(id=capture_id, custom_id=order.public_id, amount={"currency_code": "USD", "value": "25.00"})
    capture["supplementary_data"]["related_ids"]["order_id"] = order.provider_reference
    if "seller_receivable_breakdown" in capture:
        capture["seller_receivable_breakdown"]["paypal_fee"]["value"] = "0.87"
    return event


async def test_the_recorded_capture_completed_pays_once_when_delivered_twice(
    stand_in: PayPalStandIn, app_url: str
) -> None:
    order = await _checkout()
    event = _pointed_at(_recorded("PAYMENT.CAPTURE.COMPLETED"), order, "27M47624FP291604U")
    stand_in.captures["27M47624FP291604U"] = event["resource"]

    statuses = [stand_in.deliver(app_url, event).status_code for _ in range(2)]

    assert statuses == [200, 200]
    await _assert_paid_once(order, stand_in)
    assert await _count(ExternalEvent) == 1


async def test_the_recorded_capture_denied_fails_the_order_once(stand_in: PayPalStandIn, app_url: str) -> None:
    order = await _checkout()
    event = _pointed_at(_recorded("PAYMENT.CAPTURE.DENIED"), order, "7NW873794T343360M")

    statuses = [stand_in.deliver(app_url, event).status_code for _ in range(2)]

    assert statuses == [200, 200]
    assert (await _order(order.public_id)).status == OrderStatus.FAILED
    assert await _count(LedgerTransaction) == 0


async def test_the_recorded_capture_refunded_posts_a_refund_made_at_paypal_once(
    stand_in: PayPalStandIn, app_url: str
) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")
    assert _return(app_url, order).status_code == 303
    paid = await _assert_paid_once(order, stand_in)
    event = _recorded("PAYMENT.CAPTURE.REFUNDED")
    event["resource"]["links"][1]["href"] = f"https://api.paypal.com/v2/payments/captures/{paid.provider_payment_id}"

    statuses = [stand_in.deliver(app_url, event).status_code for _ in range(2)]

    assert statuses == [200, 200]
    refunded = await _order(order.public_id)
    assert (refunded.status, refunded.refunded_amount) == (OrderStatus.PARTIALLY_REFUNDED, 99)
    assert await _count(Refund) == 1 and await _count(LedgerTransaction) == 2


async def test_the_recorded_payout_item_succeeded_marks_the_payout_paid_once(
    stand_in: PayPalStandIn, app_url: str
) -> None:
    creator_id = await _creator_with_earnings(5000)
    payout = await _withdrawn(creator_id)
    event = _recorded("PAYMENT.PAYOUTS-ITEM.SUCCEEDED")
    event["resource"]["payout_batch_id"] = payout.provider_reference
    event["resource"]["payout_item"].update(
        sender_item_id=payout.public_id, amount={"currency": "USD", "value": "50.0"}
    )

    statuses = [stand_in.deliver(app_url, event).status_code for _ in range(2)]

    assert statuses == [200, 200]
    assert (await _payout(payout.public_id)).status == "paid"
    assert await _count(ExternalEvent) == 1


async def test_with_paypal_off_a_paypal_email_account_is_paid_by_the_sandbox(
    app_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "paypal_client_id", "")
    monkeypatch.setattr(settings, "payment_routing", "")
    monkeypatch.setattr(settings, "public_url", app_url)  # the sandbox gateway is served by the app
    creator_id = await _creator_with_earnings(5000)

    payout = await _withdrawn(creator_id)

    assert (payout.provider, payout.status) == ("sandbox", "in_transit")


async def test_reconciliation_reads_paypal_orders_back_and_finds_them_in_agreement(
    stand_in: PayPalStandIn, app_url: str
) -> None:
    order = await _checkout()
    stand_in.approve(order.provider_reference or "")
    assert _return(app_url, order).status_code == 303
    token = await _signed_in_creator(order)
    await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="5.00")
    [refund] = stand_in.refunds
    assert stand_in.deliver(app_url, stand_in.refund_event(refund["id"])).status_code == 200

    report = await reconciliation.reconcile(days=1)

    assert [mismatch for mismatch in report.mismatches if mismatch.provider == "paypal"] == []
    assert report.checked_payments == 1
    [record] = await _provider().list_payments([order.provider_reference or "", "5O190127TN364715T"])
    assert (record.status, record.amount, record.amount_refunded) == ("succeeded", PRICE, 500)


# --- Paid sessions -------------------------------------------------------------------------------------


async def test_a_session_paid_through_paypal_is_held_in_escrow_and_a_creator_cancel_refunds_it_at_paypal(
    stand_in: PayPalStandIn, app_url: str
) -> None:
    creator, token, _, type_id = await session_given.creator()
    start = await session_given.slot(creator, type_id)
    started = await session_booking.start_booking(session_given.new(creator, type_id, start, email=BUYER))
    order = await _order(started.order_public_id)
    assert (order.kind, order.provider, order.amount) == (OrderKind.SESSION, PaymentProviderName.PAYPAL, 4000)
    stand_in.approve(order.provider_reference or "")

    assert _return(app_url, order).status_code == 303

    paid = await _order(order.public_id)
    booked = await session_given.booking_of(paid)
    assert (paid.status, booked.status) == (OrderStatus.PAID, BookingStatus.BOOKED)
    with queue.intercepting(SETTLE_JOB):
        await lifecycle.cancel_as_creator(session_token=token, public_id=booked.public_id)
    assert booked.id is not None
    with queue.intercepting(SEND_REFUND_JOB) as refund_jobs:
        assert await settlement.settle_booking(booking_id=booked.id) == "creator_cancelled"
    [(_, (refund_id,))] = refund_jobs
    assert await refunds.send_settlement_refund(refund_id=refund_id) == "sent"
    [refund] = stand_in.refunds
    assert refund["amount"] == {"value": "40.00", "currency_code": "USD"}  # the fan gets all of it back
    assert stand_in.deliver(app_url, stand_in.refund_event(refund["id"])).status_code == 200
    refunded = await _order(order.public_id)
    assert (refunded.status, refunded.refunded_amount) == (OrderStatus.REFUNDED, 4000)
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"USD": 0}
