"""Memberships on Razorpay Subscriptions against the local stand-in: the subscription is made through the official
SDK (plan, subscription), and Razorpay's documented subscription webhooks, signed with the webhook secret, activate,
renew, dun and end it; replays and events out of order end in the same state."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from creatorly import db, queue
from creatorly.config import settings
from creatorly.models import LedgerTransaction, Order
from creatorly.models.enums import SubscriptionStatus
from creatorly.models.memberships import Subscription, SubscriptionEvent, Tier, TierPrice
from creatorly.services.external_events import service as external_events
from creatorly.services.memberships import clock, join, razorpay_billing, renewals
from tests.factories import make_creator
from tests.integration.razorpay_standin import (
    KEY_ID,
    KEY_SECRET,
    PLANS,
    SUBSCRIPTIONS,
    RazorpayStandIn,
    running_razorpay_standin,
    subscription_webhook,
)

FAN = "fan@example.com"
WEBHOOK_SECRET = "whsec_razorpay_test"
PRICE = 49900


@pytest.fixture(scope="module")
def stand_in() -> Iterator[RazorpayStandIn]:
    with running_razorpay_standin() as running:
        yield running


@pytest.fixture(autouse=True)
def _razorpay_settings(stand_in: RazorpayStandIn, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", "http://shop.test")
    monkeypatch.setattr(settings, "razorpay_key_id", KEY_ID)
    monkeypatch.setattr(settings, "razorpay_key_secret", SecretStr(KEY_SECRET))
    monkeypatch.setattr(settings, "razorpay_webhook_secret", SecretStr(WEBHOOK_SECRET))
    monkeypatch.setattr(settings, "razorpay_api_base", stand_in.base_url)
    clock.reset()
    yield
    clock.reset()


async def _member() -> Subscription:
    made = await make_creator()
    assert made.creator.id is not None
    async with db.transaction() as session:
        tier = Tier(
            public_id=f"tier_{secrets.token_hex(6)}", creator_id=made.creator.id, name="Chai", is_published=True
        )
        session.add(tier)
        await session.flush()
        assert tier.id is not None
        session.add(TierPrice(tier_id=tier.id, interval="monthly", amount=PRICE, currency="INR"))
    await join.start_join(
        handle=made.creator.handle,
        tier_public_id=tier.public_id,
        interval="monthly",
        buyer_email=FAN,
        checkout_key=f"join-{secrets.token_hex(6)}",
    )
    pending = await _subscription()
    assert (pending.provider, pending.status) == ("razorpay", "incomplete")
    short_url = await razorpay_billing.subscribe_with_razorpay(
        subscription_public_id=pending.public_id, member_email=FAN
    )
    created = await _subscription()
    assert created.provider_reference in SUBSCRIPTIONS
    assert short_url == SUBSCRIPTIONS[created.provider_reference]["short_url"]
    return created


async def _subscription() -> Subscription:
    async with db.transaction() as session:
        return (await session.exec(select(Subscription).where(Subscription.member_email == FAN))).one()


async def _send(event: str, subscription: Subscription, *, payment_id: str = "", event_id: str | None = None) -> None:
    assert subscription.provider_reference is not None
    raw, headers = subscription_webhook(
        event, subscription.provider_reference, secret=WEBHOOK_SECRET, payment_id=payment_id, amount=PRICE
    )
    if event_id is not None:
        headers["X-Razorpay-Event-Id"] = event_id
    await external_events.receive(provider="razorpay", raw_body=raw, headers=headers)


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


async def test_a_razorpay_subscription_is_made_with_a_plan_and_activated_by_its_webhook() -> None:
    member = await _member()
    assert member.provider_reference is not None
    plan = PLANS[SUBSCRIPTIONS[member.provider_reference]["plan_id"]]
    assert (plan["period"], plan["interval"], plan["item"]["amount"]) == ("monthly", 1, PRICE)

    await _send("subscription.activated", member, payment_id="pay_first0000001")
    await _send("subscription.charged", member, payment_id="pay_first0000001")  # the same payment

    active = await _subscription()
    assert active.status == SubscriptionStatus.ACTIVE
    assert await _kinds(active) == ["created", "razorpay_subscription", "razorpay_payment", "activated"]
    assert await _count(LedgerTransaction) == 1
    async with db.transaction() as session:
        [first] = (await session.exec(select(Order).where(Order.subscription_id == member.id))).all()
    assert (first.status, first.amount, first.provider_payment_id) == ("paid", PRICE, "pay_first0000001")


async def test_a_razorpay_renewal_is_applied_once_whatever_the_order_and_replays() -> None:
    member = await _member()
    await _send("subscription.activated", member, payment_id="pay_first0000001")
    active = await _subscription()
    clock.advance("1M")
    await renewals.run_due()  # opens the renewal order; Razorpay charges it on its own schedule

    await _send("subscription.charged", member, payment_id="pay_renewal00001", event_id="evt_renewal_1")
    await _send("subscription.charged", member, payment_id="pay_renewal00001", event_id="evt_renewal_1")  # replay
    await _send("subscription.charged", member, payment_id="pay_renewal00001", event_id="evt_renewal_1b")
    await _send("subscription.pending", member, event_id="evt_late_pending")  # a late failure notice

    renewed = await _subscription()
    assert renewed.status == SubscriptionStatus.ACTIVE
    assert renewed.current_period_start == active.current_period_end
    assert (renewed.failed_attempts, renewed.next_retry_at) == (0, None)
    assert await _count(LedgerTransaction) == 2
    assert (await _kinds(renewed))[-2:] == ["razorpay_payment", "renewed"]


async def test_a_pending_charge_is_past_due_and_halted_ends_the_membership() -> None:
    member = await _member()
    await _send("subscription.activated", member, payment_id="pay_first0000001")
    clock.advance("1M")

    await _send("subscription.pending", member)
    past_due = await _subscription()
    await _send("subscription.halted", member)
    await _send("subscription.halted", member)  # a second delivery
    await _send("subscription.charged", member, payment_id="pay_after_end001")  # out of order, after the end

    assert (past_due.status, past_due.failed_attempts) == ("past_due", 1)
    ended = await _subscription()
    assert ended.status == SubscriptionStatus.CANCELED
    assert await _count(LedgerTransaction) == 1
