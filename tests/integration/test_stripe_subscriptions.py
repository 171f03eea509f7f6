"""Memberships on Stripe Billing against a real localstripe: the subscription is made through the SDK (customer
with the card, plan, subscription) and its first invoice's Stripe-signed webhook activates the membership.

localstripe cannot move time, so a renewal's `invoice.payment_succeeded` and a failure are signed here exactly as
Stripe signs them (HMAC-SHA256 over "{t}.{body}"), from the invoice event recorded from localstripe
(tests/payloads/stripe/invoice.payment_succeeded.json), and verified by the official SDK in the app.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.models import ExternalEvent, LedgerTransaction, Order
from creatorly.models.enums import SubscriptionStatus
from creatorly.models.memberships import Subscription, SubscriptionEvent, Tier, TierPrice
from creatorly.services.memberships import clock, join, renewals, stripe_billing
from tests.factories import make_creator
from tests.localstripe import running_localstripe, send_webhooks_to
from tests.processes import serving

FAN = "fan@example.com"
SECRET_KEY = "sk_test_12345"
WEBHOOK_SECRET = "whsec_test"
PAYLOADS = Path(__file__).resolve().parent.parent / "payloads" / "stripe"


@pytest.fixture(scope="module")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log") as url:
        yield url


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _stripe_enabled(localstripe_url: str, app_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    queue.huey.flush()
    send_webhooks_to(localstripe_url, f"{app_url}/api/webhooks/stripe", secret=WEBHOOK_SECRET)
    monkeypatch.setattr(settings, "public_url", app_url)
    monkeypatch.setattr(settings, "stripe_api_base", localstripe_url)
    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr(SECRET_KEY))
    monkeypatch.setattr(settings, "stripe_publishable_key", "pk_test_12345")
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr(WEBHOOK_SECRET))
    clock.reset()
    yield
    clock.reset()


async def _tier(creator_id: int) -> Tier:
    async with db.transaction() as session:
        tier = Tier(
            public_id=f"tier_{secrets.token_hex(6)}", creator_id=creator_id, name="Supporter", is_published=True
        )
        session.add(tier)
        await session.flush()
        assert tier.id is not None
        session.add(TierPrice(tier_id=tier.id, interval="monthly", amount=1000, currency="USD"))
    return tier


def _card(localstripe_url: str, number: str = "4242424242424242") -> str:
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe_url})
    details = {"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    return client.v1.payment_methods.create(params={"type": "card", "card": details}).id


async def _subscription() -> Subscription:
    async with db.transaction() as session:
        return (await session.exec(select(Subscription).where(Subscription.member_email == FAN))).one()


async def _wait_for(status: SubscriptionStatus, *, seconds: float = 15) -> Subscription:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        subscription = await _subscription()
        if subscription.status == status:
            return subscription
        await asyncio.sleep(0.2)
    raise AssertionError(f"subscription never became {status}")


async def _count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def _kinds(subscription: Subscription) -> list[str]:
    async with db.transaction() as session:
        statement = select(SubscriptionEvent.kind).where(SubscriptionEvent.subscription_id == subscription.id)
        return list((await session.exec(statement.order_by(col(SubscriptionEvent.id)))).all())


async def _member(localstripe_url: str) -> Subscription:
    made = await make_creator()
    assert made.creator.id is not None
    tier = await _tier(made.creator.id)
    await join.start_join(
        handle=made.creator.handle,
        tier_public_id=tier.public_id,
        interval="monthly",
        buyer_email=FAN,
        checkout_key=f"join-{secrets.token_hex(6)}",
    )
    pending = await _subscription()
    assert (pending.provider, pending.status) == ("stripe", "incomplete")
    status = await stripe_billing.subscribe_with_stripe(
        subscription_public_id=pending.public_id, member_email=FAN, payment_method_id=_card(localstripe_url)
    )
    assert status == "active"
    return await _wait_for(SubscriptionStatus.ACTIVE)


def _signed_post(app_url: str, event: dict[str, Any]) -> httpx.Response:
    body = json.dumps(event).encode()
    timestamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    headers = {"Stripe-Signature": f"t={timestamp},v1={digest}", "Content-Type": "application/json"}
    return httpx.post(f"{app_url}/api/webhooks/stripe", content=body, headers=headers, timeout=20)


def _invoice_event(
    customer: str, *, event_id: str, invoice_id: str, event_type: str = "invoice.payment_succeeded"
) -> dict[str, Any]:
    """The invoice event localstripe sent (recorded), for another invoice of the same customer."""
    event = json.loads((PAYLOADS / "invoice.payment_succeeded.json").read_text())
    invoice = event["data"]["object"]
    invoice.update(
        id=invoice_id, customer=customer, amount_paid=1000, amount_due=1000, billing_reason="subscription_cycle"
    )
    if event_type == "invoice.payment_failed":
        invoice.update(amount_paid=0, status="open", paid=False)
    return {**event, "id": event_id, "type": event_type, "created": int(time.time())}


async def test_a_stripe_subscription_is_created_and_its_invoice_webhook_activates_the_membership(
    localstripe_url: str,
) -> None:
    member = await _member(localstripe_url)

    assert member.provider_reference is not None and member.provider_reference.startswith("cus_")
    assert member.current_period_end is not None
    assert await _kinds(member) == ["created", "stripe_subscription", "stripe_invoice_paid", "activated"]
    async with db.transaction() as session:
        [first] = (await session.exec(select(Order).where(Order.subscription_id == member.id))).all()
        types = set((await session.exec(select(ExternalEvent.event_type))).all())
    assert (first.status, first.amount, first.provider) == ("paid", 1000, "stripe")
    assert "invoice.payment_succeeded" in types
    assert await _count(LedgerTransaction) == 1


async def test_a_stripe_renewal_invoice_renews_once_and_replays_and_late_failures_change_nothing(
    localstripe_url: str, app_url: str
) -> None:
    member = await _member(localstripe_url)
    assert member.provider_reference is not None
    clock.advance("1M")
    await renewals.run_due()  # opens the period's renewal order; Stripe charges it on its own schedule
    renewal = _invoice_event(member.provider_reference, event_id="evt_renewal_1", invoice_id="in_renewal_1")

    responses = [_signed_post(app_url, renewal), _signed_post(app_url, {**renewal, "id": "evt_renewal_1b"})]
    late_failure = _invoice_event(
        member.provider_reference,
        event_id="evt_late_fail",
        invoice_id="in_renewal_1",
        event_type="invoice.payment_failed",
    )
    responses.append(_signed_post(app_url, late_failure))
    responses.append(_signed_post(app_url, renewal))  # a replay of the same event

    assert [response.status_code for response in responses] == [200, 200, 200, 200]
    renewed = await _subscription()
    assert renewed.status == SubscriptionStatus.ACTIVE
    assert renewed.current_period_start == member.current_period_end
    assert await _count(LedgerTransaction) == 2
    assert await _count(Order, Order.subscription_id == member.id, Order.status == "paid") == 2


async def test_a_failed_stripe_renewal_goes_past_due_and_a_deleted_subscription_ends_it(
    localstripe_url: str, app_url: str
) -> None:
    member = await _member(localstripe_url)
    assert member.provider_reference is not None
    clock.advance("1M")

    failed = _signed_post(
        app_url,
        _invoice_event(
            member.provider_reference,
            event_id="evt_fail_1",
            invoice_id="in_fail_1",
            event_type="invoice.payment_failed",
        ),
    )
    past_due = await _subscription()
    deleted = json.loads((PAYLOADS / "customer.subscription.deleted.json").read_text())
    deleted["data"]["object"]["customer"] = member.provider_reference
    ended = _signed_post(app_url, {**deleted, "created": int(time.time())})

    assert (failed.status_code, ended.status_code) == (200, 200)
    assert (past_due.status, past_due.failed_attempts) == ("past_due", 1)
    assert (await _subscription()).status == SubscriptionStatus.CANCELED
