"""Memberships on Razorpay Subscriptions against the local stand-in: the subscription is made through the official
SDK (plan, subscription), and Razorpay's documented subscription webhooks, signed with the webhook secret, activate,
renew, dun and end it; replays and events out of order end in the same state."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from creatorly import db, queue
from creatorly.config import settings
from creatorly.models import Creator, LedgerTransaction, Order
from creatorly.models.enums import SubscriptionStatus
from creatorly.models.memberships import Subscription, SubscriptionEvent, Tier, TierPrice
from creatorly.services.checkout import pay_pages
from creatorly.services.checkout.razorpay_callback import confirm_razorpay_callback
from creatorly.services.checkout.service import CheckoutPaymentUnavailable
from creatorly.services.external_events import service as external_events
from creatorly.services.ledger import service as ledger
from creatorly.services.memberships import clock, join, lifecycle, razorpay_upgrades, renewals
from creatorly.services.memberships.razorpay_resume import RESUME_REQUESTED, ResumeToAuthorise
from creatorly.services.memberships.razorpay_upgrades import TierChangeToPay
from tests.factories import make_creator
from tests.integration.razorpay_standin import (
    KEY_ID,
    KEY_SECRET,
    PLANS,
    SUBSCRIPTIONS,
    RazorpayStandIn,
    payment_webhook,
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


async def _tier(creator_id: int, *, name: str = "Chai", amount: int = PRICE, position: int = 0) -> Tier:
    async with db.transaction() as session:
        tier = Tier(
            public_id=f"tier_{secrets.token_hex(6)}",
            creator_id=creator_id,
            name=name,
            is_published=True,
            position=position,
            trial_days=7,  # Razorpay charges on authorisation: no trial there
        )
        session.add(tier)
        await session.flush()
        assert tier.id is not None
        session.add(TierPrice(tier_id=tier.id, interval="monthly", amount=amount, currency="INR"))
    return tier


async def _member(*, creator_id: int | None = None) -> Subscription:
    if creator_id is None:
        made = await make_creator()
        assert made.creator.id is not None
        creator_id = made.creator.id
    tier = await _tier(creator_id)
    async with db.transaction() as session:
        creator = await session.get(Creator, creator_id)
        assert creator is not None
    started = await join.start_join(
        handle=creator.handle,
        tier_public_id=tier.public_id,
        interval="monthly",
        buyer_email=FAN,
        checkout_key=f"join-{secrets.token_hex(6)}",
    )
    created = await _subscription()
    assert (created.provider, created.status) == ("razorpay", "incomplete")
    assert created.provider_reference in SUBSCRIPTIONS
    assert started.redirect_url == SUBSCRIPTIONS[created.provider_reference]["short_url"]  # to authorise it
    return created


async def _subscription() -> Subscription:
    async with db.transaction() as session:
        return (await session.exec(select(Subscription).where(Subscription.member_email == FAN))).one()


async def _send(
    event: str, subscription: Subscription, *, payment_id: str = "", event_id: str | None = None, amount: int = PRICE
) -> None:
    assert subscription.provider_reference is not None
    raw, headers = subscription_webhook(
        event, subscription.provider_reference, secret=WEBHOOK_SECRET, payment_id=payment_id, amount=amount
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


# --- The member's changes made on Razorpay -----------------------------------------------------------------------


async def _active_member() -> Subscription:
    member = await _member()
    await _send("subscription.activated", member, payment_id="pay_first0000001")
    active = await _subscription()
    assert active.status == SubscriptionStatus.ACTIVE
    return active


async def test_the_authorisation_page_answers_and_the_first_order_waits_for_the_webhook(
    stand_in: RazorpayStandIn,
) -> None:
    member = await _member()
    assert member.provider_reference is not None

    page = httpx.get(SUBSCRIPTIONS[member.provider_reference]["short_url"], timeout=10)

    assert page.status_code == 200 and member.provider_reference in page.text
    async with db.transaction() as session:
        [first] = (await session.exec(select(Order).where(Order.subscription_id == member.id))).all()
    assert (first.status, first.amount) == ("pending", PRICE)  # no trial on Razorpay: the fan pays at once


async def test_cancel_pause_and_unpause_change_the_razorpay_subscription_then_ours() -> None:
    member = await _active_member()
    assert member.provider_reference is not None
    on_razorpay = SUBSCRIPTIONS[member.provider_reference]
    ids = {"subscription_public_id": member.public_id, "member_email": FAN}

    paused = await lifecycle.pause(**ids)
    status_paused = on_razorpay["status"]
    unpaused = await lifecycle.unpause(**ids)
    status_unpaused = on_razorpay["status"]
    canceling = await lifecycle.cancel_at_period_end(**ids)

    assert (paused.status, status_paused) == ("paused", "paused")
    assert (unpaused.status, status_unpaused) == ("active", "active")
    assert (canceling.cancel_at_period_end, on_razorpay.get("cancel_at_cycle_end")) == (True, True)
    resuming = await lifecycle.resume(**ids)  # Razorpay can't undo it: a new subscription to authorise
    assert isinstance(resuming, ResumeToAuthorise) and resuming.cancel_at_period_end is True
    assert (await _subscription()).cancel_at_period_end is True
    assert (await _kinds(member))[-4:] == ["paused", "unpaused", "cancel_scheduled", RESUME_REQUESTED]


async def test_when_razorpay_fails_a_change_is_refused_and_nothing_of_ours_changes(stand_in: RazorpayStandIn) -> None:
    member = await _active_member()
    assert member.provider_reference is not None
    kinds_before = await _kinds(member)

    stand_in.fail_next_with_status = 500
    with pytest.raises(lifecycle.BillingChangeFailed):
        await lifecycle.pause(subscription_public_id=member.public_id, member_email=FAN)
    stand_in.fail_next_with_status = 400
    with pytest.raises(lifecycle.BillingChangeFailed):
        await lifecycle.cancel_at_period_end(subscription_public_id=member.public_id, member_email=FAN)

    after = await _subscription()
    assert (after.status, after.cancel_at_period_end, after.paused_at) == ("active", False, None)
    assert await _kinds(after) == kinds_before
    assert SUBSCRIPTIONS[member.provider_reference]["status"] != "paused"
    assert "cancel_at_cycle_end" not in SUBSCRIPTIONS[member.provider_reference]


async def test_a_razorpay_downgrade_is_scheduled_at_the_cycle_end() -> None:
    made = await make_creator()
    assert made.creator.id is not None
    member = await _member(creator_id=made.creator.id)
    await _send("subscription.activated", member, payment_id="pay_first0000001")
    lower = await _tier(made.creator.id, name="Tea", amount=19900, position=-1)
    assert member.provider_reference is not None
    ids = {"subscription_public_id": member.public_id, "member_email": FAN}

    downgrade = await lifecycle.change_tier(**ids, tier_public_id=lower.public_id)

    on_razorpay = SUBSCRIPTIONS[member.provider_reference]
    assert (downgrade.is_upgrade, downgrade.charged_amount) == (False, 0)
    assert PLANS[on_razorpay["scheduled_plan_id"]]["item"]["amount"] == 19900
    assert on_razorpay["plan_id"] != on_razorpay["scheduled_plan_id"]
    scheduled = await _subscription()
    assert (scheduled.amount, scheduled.pending_tier_price_id is not None) == (PRICE, True)

    clock.advance("1M")  # Razorpay's renewal at the new price comes before our renewal run: it still applies
    await _send("subscription.charged", member, payment_id="pay_renewal00002", amount=19900)
    renewed = await _subscription()
    assert (renewed.tier_id, renewed.amount, renewed.status) == (lower.id, 19900, "active")


async def test_when_razorpay_cannot_make_the_subscription_the_join_says_so_and_its_order_fails(
    stand_in: RazorpayStandIn,
) -> None:
    made = await make_creator()
    assert made.creator.id is not None
    tier = await _tier(made.creator.id)
    stand_in.fail_next_with_status = 500

    with pytest.raises(CheckoutPaymentUnavailable):
        await join.start_join(
            handle=made.creator.handle,
            tier_public_id=tier.public_id,
            interval="monthly",
            buyer_email=FAN,
            checkout_key=f"join-{secrets.token_hex(6)}",
        )

    pending = await _subscription()
    assert (pending.status, pending.provider_reference) == ("incomplete", None)
    async with db.transaction() as session:
        [first] = (await session.exec(select(Order).where(Order.subscription_id == pending.id))).all()
    assert first.status == "failed"


# --- Upgrading now: the member pays our prorated difference on Razorpay's page ------------------------------------

HIGHER = 99900
# 20 of 30 days left: (99900 - 49900) × 20 / 30 = 33333.33… → 33333 (a few seconds of test time change nothing)
PRORATED = 33333


async def _upgrading_member() -> tuple[Subscription, Tier]:
    """An active member 10 days into a 30-day period, and a higher tier of the same creator."""
    made = await make_creator()
    assert made.creator.id is not None
    member = await _member(creator_id=made.creator.id)
    await _send("subscription.activated", member, payment_id="pay_first0000001")
    higher = await _tier(made.creator.id, name="Feast", amount=HIGHER, position=1)
    async with db.transaction() as session:
        active = await session.get(Subscription, member.id)
        assert active is not None
        now = clock.now()
        active.current_period_start, active.current_period_end = now - timedelta(days=10), now + timedelta(days=20)
        session.add(active)
    return await _subscription(), higher


async def _upgrade(member: Subscription, higher: Tier) -> TierChangeToPay:
    change = await lifecycle.change_tier(
        subscription_public_id=member.public_id, member_email=FAN, tier_public_id=higher.public_id
    )
    assert isinstance(change, TierChangeToPay)
    return change


async def _pay(stand_in: RazorpayStandIn, order_public_id: str, event: str, *, event_id: str = "") -> None:
    [razorpay_order] = [order for order in stand_in.orders if order["receipt"] == order_public_id]
    raw, headers = payment_webhook(event, razorpay_order, secret=WEBHOOK_SECRET, payment_id="pay_upgrade00001")
    if event_id:
        headers["X-Razorpay-Event-Id"] = event_id
    await external_events.receive(provider="razorpay", raw_body=raw, headers=headers)


async def _order_of(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def test_upgrade_now_opens_an_order_for_exactly_the_prorated_difference_on_razorpays_page(
    stand_in: RazorpayStandIn,
) -> None:
    member, higher = await _upgrading_member()
    assert member.provider_reference is not None
    razorpay_orders_before = len(stand_in.orders)

    change = await _upgrade(member, higher)
    again = await _upgrade(member, higher)  # a second click: the same order and page

    order = await _order_of(change.order_public_id)
    assert (change.is_upgrade, change.charged_amount, change.currency) == (True, PRORATED, "INR")
    assert (order.status, order.amount, order.provider, order.kind) == ("pending", PRORATED, "razorpay", "membership")
    assert change.payment_url == f"http://shop.test/pay/razorpay/{order.provider_reference}"
    assert (again.order_public_id, again.payment_url) == (change.order_public_id, change.payment_url)
    assert len(stand_in.orders) == razorpay_orders_before + 1
    assert (stand_in.orders[-1]["amount"], stand_in.orders[-1]["receipt"]) == (PRORATED, order.public_id)
    page = await pay_pages.razorpay_pay_page(order.provider_reference or "")
    assert (page.page.amount, page.page.is_paid, page.page.product_title) == (PRORATED, False, "Membership")
    unchanged = await _subscription()  # nothing applies before the payment's webhook
    assert (unchanged.amount, unchanged.tier_id) == (PRICE, member.tier_id)
    assert "scheduled_plan_id" not in SUBSCRIPTIONS[member.provider_reference]
    assert (await _kinds(unchanged))[-1] == "upgrade_requested"


async def test_paying_the_upgrade_applies_it_once_in_any_order_and_schedules_the_plan_change(
    stand_in: RazorpayStandIn,
) -> None:
    member, higher = await _upgrading_member()
    assert member.provider_reference is not None
    change = await _upgrade(member, higher)
    queue.huey.flush()

    await _pay(stand_in, change.order_public_id, "order.paid", event_id="evt_upgrade_paid")
    await _pay(stand_in, change.order_public_id, "payment.captured", event_id="evt_upgrade_captured")
    await _pay(stand_in, change.order_public_id, "order.paid", event_id="evt_upgrade_paid")  # a replay

    upgraded = await _subscription()
    order = await _order_of(change.order_public_id)
    assert (upgraded.tier_id, upgraded.amount, upgraded.status) == (higher.id, HIGHER, "active")
    assert (order.status, order.amount, order.provider_payment_id) == ("paid", PRORATED, "pay_upgrade00001")
    assert await _count(LedgerTransaction) == 2  # the first charge and the upgrade, each once
    async with db.transaction() as session:
        assert await ledger.trial_balance(session) == {"INR": 0}
    kinds = await _kinds(upgraded)
    assert (kinds.count("upgraded"), kinds[-1]) == (1, razorpay_upgrades.PLAN_CHANGE_DUE)
    pushes = [task.args for task in queue.huey.pending() if task.name.endswith("push_razorpay_plan_change")]
    assert pushes == [(change.order_public_id,)]  # queued once: the job asks Razorpay

    assert await razorpay_upgrades.push_plan_change(change.order_public_id) is razorpay_upgrades.PlanPush.SCHEDULED
    on_razorpay = SUBSCRIPTIONS[member.provider_reference]
    scheduled_plan = on_razorpay["scheduled_plan_id"]
    assert PLANS[scheduled_plan]["item"]["amount"] == HIGHER and on_razorpay["plan_id"] != scheduled_plan
    assert await razorpay_upgrades.push_plan_change(change.order_public_id) is razorpay_upgrades.PlanPush.NOTHING_TO_DO
    assert on_razorpay["scheduled_plan_id"] == scheduled_plan  # a second run asked nothing
    assert (await _kinds(upgraded))[-1] == razorpay_upgrades.PLAN_CHANGED

    clock.advance_by(timedelta(days=21))  # Razorpay's next charge is at the new price: our renewal takes it
    await _send("subscription.charged", member, payment_id="pay_renewal00003", amount=HIGHER)
    renewed = await _subscription()
    assert (renewed.amount, renewed.status, renewed.current_period_start) == (
        HIGHER,
        "active",
        upgraded.current_period_end,
    )


async def test_razorpay_checkout_comes_back_to_the_library_after_paying_an_upgrade(stand_in: RazorpayStandIn) -> None:
    member, higher = await _upgrading_member()
    change = await _upgrade(member, higher)
    order = await _order_of(change.order_public_id)
    assert order.provider_reference is not None
    payment_id = "pay_upgrade00001"
    signature = hmac.new(
        KEY_SECRET.encode(), f"{order.provider_reference}|{payment_id}".encode(), hashlib.sha256
    ).hexdigest()

    confirmed = await confirm_razorpay_callback(
        order_public_id=order.public_id,
        razorpay_order_id=order.provider_reference,
        razorpay_payment_id=payment_id,
        razorpay_signature=signature,
    )

    assert (confirmed.redirect_url, confirmed.is_paid) == ("http://shop.test/library", False)


async def test_a_failing_plan_change_keeps_the_paid_upgrade_and_is_asked_again(stand_in: RazorpayStandIn) -> None:
    member, higher = await _upgrading_member()
    assert member.provider_reference is not None
    change = await _upgrade(member, higher)
    await _pay(stand_in, change.order_public_id, "payment.captured")

    stand_in.fail_next_with_status = 500
    failed = await razorpay_upgrades.push_plan_change(change.order_public_id)

    assert failed is razorpay_upgrades.PlanPush.FAILED
    kept = await _subscription()
    assert (kept.tier_id, kept.amount) == (higher.id, HIGHER)
    assert (await _order_of(change.order_public_id)).status == "paid"
    assert "scheduled_plan_id" not in SUBSCRIPTIONS[member.provider_reference]
    assert (await _kinds(kept))[-1] == razorpay_upgrades.PLAN_CHANGE_FAILED

    retried = await razorpay_upgrades.push_plan_change(change.order_public_id)  # the job's retry

    assert retried is razorpay_upgrades.PlanPush.SCHEDULED
    assert PLANS[SUBSCRIPTIONS[member.provider_reference]["scheduled_plan_id"]]["item"]["amount"] == HIGHER
    assert await _count(LedgerTransaction) == 2
    assert (await _kinds(kept))[-3:] == [
        razorpay_upgrades.PLAN_CHANGE_DUE,
        razorpay_upgrades.PLAN_CHANGE_FAILED,
        razorpay_upgrades.PLAN_CHANGED,
    ]


async def test_when_razorpay_cannot_make_the_upgrade_order_the_membership_is_unchanged(
    stand_in: RazorpayStandIn,
) -> None:
    member, higher = await _upgrading_member()
    stand_in.fail_next_with_status = 500

    with pytest.raises(CheckoutPaymentUnavailable):
        await _upgrade(member, higher)

    unchanged = await _subscription()
    assert (unchanged.amount, unchanged.tier_id) == (PRICE, member.tier_id)
    async with db.transaction() as session:
        statement = select(Order).where(Order.subscription_id == member.id, col(Order.public_id).startswith("msu_"))
        [upgrade_order] = (await session.exec(statement)).all()
    assert upgrade_order.status == "failed"
    assert await _count(LedgerTransaction) == 1
