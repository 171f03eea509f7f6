"""Subscriptions on the sandbox gateway end to end: join, pay on the hosted page, renew by the test clock
through the job's use case, fail and retry, upgrade with proration; every charge paid by its signed webhook."""

from __future__ import annotations

import asyncio
import json
import secrets
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
from creatorly.models import AnalyticsDaily, LedgerTransaction, Order, OutboxEmail, SandboxPayment, SandboxWebhook
from creatorly.models.enums import OrderStatus, SubscriptionStatus
from creatorly.models.memberships import Subscription, SubscriptionEvent, Tier, TierPrice, TrialUse
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.services.external_events import service as external_events
from creatorly.services.memberships import clock, join, lifecycle, renewals
from creatorly.services.sandbox_gateway import service as sandbox_gateway
from creatorly.services.sandbox_gateway.rules import FIRST_RENEWAL_DECLINED_CARD, RENEWALS_DECLINED_CARD
from tests.factories import make_creator
from tests.processes import serving

FAN = "fan@example.com"
GOOD_CARD = "4242424242424242"


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _sandbox(app_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)
    clock.reset()
    yield
    clock.reset()


# --- Given helpers ---------------------------------------------------------------------------------


async def _tier(
    creator_id: int,
    *,
    name: str = "Supporter",
    position: int = 0,
    trial_days: int = 0,
    cap: int | None = None,
    prices: dict[str, int] | None = None,
    welcome: str = "Thanks for joining!",
) -> Tier:
    async with db.transaction() as session:
        tier = Tier(
            public_id=f"tier_{secrets.token_hex(6)}",
            creator_id=creator_id,
            name=name,
            position=position,
            trial_days=trial_days,
            member_cap=cap,
            welcome_message=welcome,
            is_published=True,
        )
        session.add(tier)
        await session.flush()
        assert tier.id is not None
        for interval, amount in (prices or {"monthly": 1000}).items():
            session.add(TierPrice(tier_id=tier.id, interval=interval, amount=amount, currency="USD"))
    return tier


async def _creator_and_tier(**tier: Any) -> tuple[str, int, Tier]:
    made = await make_creator()
    assert made.creator.id is not None
    return made.creator.handle, made.creator.id, await _tier(made.creator.id, **tier)


async def _join(handle: str, tier: Tier, *, email: str = FAN, key: str | None = None, interval: str = "monthly") -> str:
    started = await join.start_join(
        handle=handle,
        tier_public_id=tier.public_id,
        interval=interval,
        buyer_email=email,
        checkout_key=key or f"join-{secrets.token_hex(6)}",
    )
    return started.order_public_id


async def _deliver_webhooks() -> None:
    """What the worker does: deliver every signed webhook the gateway owes to our webhook route."""
    async with db.transaction() as session:
        ids = list(
            (await session.exec(select(SandboxWebhook.id).where(col(SandboxWebhook.delivered_at).is_(None)))).all()
        )
    for webhook_id in ids:
        assert webhook_id is not None
        await sandbox_gateway.deliver_webhook(webhook_id=webhook_id)


async def _pay(order_public_id: str, card: str = GOOD_CARD) -> None:
    order = await _order(order_public_id)
    assert order.provider_reference is not None
    await sandbox_gateway.pay(
        reference=order.provider_reference, card_number=card, expiry="12/40", cvc="123", name="Fan"
    )
    await _deliver_webhooks()


async def _member(handle: str, tier: Tier, *, card: str = GOOD_CARD, email: str = FAN) -> Subscription:
    await _pay(await _join(handle, tier, email=email), card)
    return await _subscription(email)


async def _advance_and_run(step: str | timedelta) -> None:
    """Move the test clock, run the memberships job's use case, deliver what the gateway sends."""
    if isinstance(step, str):
        clock.advance(step)
    else:
        clock.advance_by(step)
    await renewals.run_due()
    await _deliver_webhooks()


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _subscription(email: str = FAN) -> Subscription:
    async with db.transaction() as session:
        statement = select(Subscription).where(Subscription.member_email == email).order_by(col(Subscription.id).desc())
        return (await session.exec(statement)).first()  # type: ignore[return-value]


async def _count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def _event_kinds(subscription: Subscription) -> list[str]:
    async with db.transaction() as session:
        statement = select(SubscriptionEvent.kind).where(SubscriptionEvent.subscription_id == subscription.id)
        return list((await session.exec(statement.order_by(col(SubscriptionEvent.id)))).all())


async def _subjects(email: str = FAN) -> list[str]:
    async with db.transaction() as session:
        statement = select(OutboxEmail.subject).where(OutboxEmail.to_address == email).order_by(col(OutboxEmail.id))
        return list((await session.exec(statement)).all())


async def _membership_orders(subscription: Subscription) -> list[tuple[str, int, str]]:
    async with db.transaction() as session:
        statement = select(Order).where(Order.subscription_id == subscription.id).order_by(col(Order.id))
        return [(order.public_id[:4], order.amount, order.status) for order in (await session.exec(statement)).all()]


# --- Joining ---------------------------------------------------------------------------------------


async def test_joining_opens_an_incomplete_subscription_and_paying_activates_it_through_the_webhook() -> None:
    handle, _, tier = await _creator_and_tier(prices={"monthly": 1000, "yearly": 10000})

    order_id = await _join(handle, tier)

    pending = await _subscription()
    assert (pending.status, pending.amount, pending.interval, pending.provider) == (
        "incomplete",
        1000,
        "monthly",
        "sandbox",
    )
    assert (await _order(order_id)).subscription_id == pending.id
    await _pay(order_id)

    active = await _subscription()
    assert active.status == SubscriptionStatus.ACTIVE
    assert active.current_period_start is not None and active.current_period_end is not None
    assert active.current_period_end - active.current_period_start in (
        timedelta(days=28),
        timedelta(days=29),
        timedelta(days=30),
        timedelta(days=31),
    )
    assert active.provider_reference == (await _order(order_id)).provider_reference  # the saved card
    assert (await _order(order_id)).status == OrderStatus.PAID
    assert await _count(LedgerTransaction) == 1
    assert await _event_kinds(active) == ["created", "activated"]
    async with db.transaction() as session:
        [welcome] = (await session.exec(select(OutboxEmail).where(OutboxEmail.to_address == FAN))).all()
    assert welcome.subject == f"Welcome to {tier.name}"
    assert "Thanks for joining!" in welcome.text_body and "Amount paid: $10.00" in welcome.text_body


async def test_a_double_click_on_join_opens_one_subscription_and_one_payment() -> None:
    handle, _, tier = await _creator_and_tier()

    results = await asyncio.gather(*(_join(handle, tier, key="join-double-click") for _ in range(3)))

    assert len(set(results)) == 1
    assert await _count(Subscription) == 1
    assert await _count(SandboxPayment) == 1


async def test_the_member_cap_holds_under_concurrent_joins() -> None:
    handle, _, tier = await _creator_and_tier(cap=2)

    results = await asyncio.gather(
        *(_join(handle, tier, email=f"fan{n}@example.com") for n in range(5)), return_exceptions=True
    )

    assert sum(isinstance(result, str) for result in results) == 2
    assert all(isinstance(result, (str, join.TierFull)) for result in results)
    assert await _count(Subscription) == 2


async def test_a_live_member_cannot_join_twice_and_nothing_is_written() -> None:
    handle, _, tier = await _creator_and_tier()
    await _member(handle, tier)
    orders_before = await _count(Order)

    with pytest.raises(join.AlreadyMember):
        await _join(handle, tier)

    assert await _count(Order) == orders_before
    assert await _count(Subscription) == 1


# --- Renewals --------------------------------------------------------------------------------------


async def test_moving_the_clock_one_period_renews_once_with_a_receipt() -> None:
    handle, creator_id, tier = await _creator_and_tier()
    member = await _member(handle, tier)
    assert member.current_period_end is not None

    await _advance_and_run("1M")
    await _advance_and_run("1h")  # the job runs again: nothing more is due

    renewed = await _subscription()
    assert renewed.status == SubscriptionStatus.ACTIVE
    assert renewed.current_period_start == member.current_period_end
    assert renewed.current_period_end is not None and renewed.current_period_end > clock.now()
    assert await _membership_orders(renewed) == [("msf_", 1000, "paid"), ("msr_", 1000, "paid")]
    assert await _count(LedgerTransaction) == 2
    assert await _count(SandboxPayment) == 2
    assert await _event_kinds(renewed) == ["created", "activated", "renewed"]
    assert await _subjects() == [f"Welcome to {tier.name}", "Your membership renewal receipt"]
    [view] = await lifecycle.list_member_subscriptions(email=FAN)
    assert (view.status, view.next_charge_at, view.next_charge_amount) == ("active", renewed.current_period_end, 1000)
    [figure] = await lifecycle.mrr_by_tier(creator_id=creator_id)
    assert (figure.monthly_amount, figure.active_members) == (1000, 1)
    [row] = await lifecycle.members_of(creator_id=creator_id)
    assert (row.member_email, row.tier_name, row.status, row.lifetime_value) == (FAN, tier.name, "active", 2000)
    assert await lifecycle.active_members_by_tier(creator_id=creator_id) == {tier.public_id: 1}


async def test_a_failed_renewal_is_past_due_then_recovered_by_the_retry() -> None:
    handle, _, tier = await _creator_and_tier()
    member = await _member(handle, tier, card=FIRST_RENEWAL_DECLINED_CARD)

    await _advance_and_run("1M")

    past_due = await _subscription()
    assert (past_due.status, past_due.failed_attempts) == ("past_due", 1)
    assert past_due.next_retry_at is not None and past_due.grace_until is not None
    assert past_due.current_period_end == member.current_period_end  # not renewed
    assert await _subjects() == [f"Welcome to {tier.name}", "We couldn't renew your membership"]
    assert await _count(LedgerTransaction) == 1

    await _advance_and_run("1d")

    recovered = await _subscription()
    assert (recovered.status, recovered.failed_attempts, recovered.next_retry_at, recovered.grace_until) == (
        "active",
        0,
        None,
        None,
    )
    assert recovered.current_period_start == member.current_period_end
    assert await _event_kinds(recovered) == ["created", "activated", "charge_failed", "past_due", "recovered"]
    assert await _membership_orders(recovered) == [("msf_", 1000, "paid"), ("msr_", 1000, "paid")]
    assert await _count(LedgerTransaction) == 2


async def test_a_renewal_that_keeps_failing_is_cancelled_after_the_last_retry() -> None:
    handle, _, tier = await _creator_and_tier()
    await _member(handle, tier, card=RENEWALS_DECLINED_CARD)

    await _advance_and_run("1M")
    for days in (1, 2, 2):
        assert (await _subscription()).status == SubscriptionStatus.PAST_DUE
        await _advance_and_run(f"{days}d")

    ended = await _subscription()
    assert ended.status == SubscriptionStatus.CANCELED and ended.canceled_at is not None
    assert await _event_kinds(ended) == [
        "created",
        "activated",
        "charge_failed",
        "past_due",
        "charge_failed",
        "past_due",
        "charge_failed",
        "past_due",
        "charge_failed",
        "canceled_unpaid",
    ]
    assert await _count(SandboxPayment, SandboxPayment.status == "declined") == 4
    assert await _count(LedgerTransaction) == 1
    assert (await _subjects())[-1] == "Your membership has ended"


# --- Trials ----------------------------------------------------------------------------------------


async def test_a_trial_saves_the_card_then_converts_to_paid_at_its_end() -> None:
    handle, _, tier = await _creator_and_tier(trial_days=7)

    order_id = await _join(handle, tier)
    setup = await _order(order_id)
    assert setup.amount == 0 and setup.provider_reference is not None
    view = await sandbox_gateway.get_checkout(reference=setup.provider_reference)
    assert (view.amount, view.amount_label, view.is_payable) == (0, "No charge today", True)
    await _pay(order_id)

    trialing = await _subscription()
    assert trialing.status == SubscriptionStatus.TRIALING and trialing.trial_end is not None
    assert trialing.trial_end - clock.now() > timedelta(days=6, hours=23)
    assert trialing.card_fingerprint is not None and trialing.card_fingerprint.startswith("fp_")
    assert await _count(LedgerTransaction) == 0
    assert await _count(TrialUse) == 2  # the email and the card

    await _advance_and_run("6d")
    assert (await _subscription()).status == SubscriptionStatus.TRIALING
    await _advance_and_run("1d")

    converted = await _subscription()
    assert converted.status == SubscriptionStatus.ACTIVE
    assert converted.current_period_start == trialing.trial_end
    assert await _membership_orders(converted) == [("msf_", 0, "paid"), ("msr_", 1000, "paid")]
    assert await _event_kinds(converted) == ["created", "trial_started", "trial_converted"]
    assert await _count(LedgerTransaction) == 1


async def test_a_cancelled_trial_ends_at_its_end_without_a_charge() -> None:
    handle, _, tier = await _creator_and_tier(trial_days=7)
    member = await _member(handle, tier)

    await lifecycle.cancel_at_period_end(subscription_public_id=member.public_id, member_email=FAN)
    await _advance_and_run("8d")

    ended = await _subscription()
    assert ended.status == SubscriptionStatus.CANCELED
    assert await _event_kinds(ended) == ["created", "trial_started", "cancel_scheduled", "trial_ended"]
    assert await _count(SandboxPayment) == 1  # the card setup only


async def test_a_second_trial_for_the_same_email_is_refused_and_the_join_is_charged() -> None:
    handle, _, tier = await _creator_and_tier(trial_days=7)
    first = await _member(handle, tier)
    await lifecycle.cancel_at_period_end(subscription_public_id=first.public_id, member_email=FAN)
    await _advance_and_run("8d")

    order_id = await _join(handle, tier)

    assert (await _order(order_id)).amount == 1000
    await _pay(order_id)
    assert (await _subscription()).status == SubscriptionStatus.ACTIVE


async def test_a_second_trial_with_the_same_card_is_refused() -> None:
    handle, _, tier = await _creator_and_tier(trial_days=7)
    await _member(handle, tier, email="first@example.com")

    await _pay(await _join(handle, tier, email="second@example.com"))

    refused = await _subscription("second@example.com")
    assert refused.status == SubscriptionStatus.CANCELED
    assert await _event_kinds(refused) == ["created", "trial_refused"]
    assert await _count(TrialUse) == 2  # only the first member's
    assert (await _subjects("second@example.com")) == ["Your free trial could not start"]


# --- Changes ---------------------------------------------------------------------------------------


async def _set_period(subscription: Subscription, *, used_days: int, left_days: int) -> None:
    async with db.transaction() as session:
        row = await session.get(Subscription, subscription.id)
        assert row is not None
        now = clock.now()
        row.current_period_start, row.current_period_end = (
            now - timedelta(days=used_days),
            now + timedelta(days=left_days),
        )
        session.add(row)


async def test_an_upgrade_mid_period_charges_the_prorated_difference_exactly() -> None:
    handle, creator_id, basic = await _creator_and_tier(name="Basic", prices={"monthly": 1000})
    pro = await _tier(creator_id, name="Pro", position=1, prices={"monthly": 2500})
    member = await _member(handle, basic)
    await _set_period(member, used_days=12, left_days=18)  # 18 of 30 days left: 1500 × 18 / 30 = 900

    change = await lifecycle.change_tier(
        subscription_public_id=member.public_id, member_email=FAN, tier_public_id=pro.public_id
    )
    await _deliver_webhooks()

    assert (change.is_upgrade, change.charged_amount) == (True, 900)
    upgraded = await _subscription()
    assert (upgraded.tier_id, upgraded.amount) == (pro.id, 2500)
    assert await _membership_orders(upgraded) == [("msf_", 1000, "paid"), ("msu_", 900, "paid")]
    assert await _count(LedgerTransaction) == 2
    assert (await _subjects())[-1] == "Your membership upgrade receipt"


async def test_a_downgrade_waits_for_the_renewal() -> None:
    handle, creator_id, basic = await _creator_and_tier(name="Basic", prices={"monthly": 1000})
    pro = await _tier(creator_id, name="Pro", position=1, prices={"monthly": 2500})
    member = await _member(handle, pro)

    change = await lifecycle.change_tier(
        subscription_public_id=member.public_id, member_email=FAN, tier_public_id=basic.public_id
    )

    assert (change.is_upgrade, change.charged_amount) == (False, 0)
    [view] = await lifecycle.list_member_subscriptions(email=FAN)
    assert (view.tier_name, view.pending_tier_name, view.next_charge_amount) == ("Pro", "Basic", 1000)
    await _advance_and_run("1M")
    renewed = await _subscription()
    assert (renewed.tier_id, renewed.amount, renewed.pending_tier_price_id) == (basic.id, 1000, None)
    assert await _membership_orders(renewed) == [("msf_", 2500, "paid"), ("msr_", 1000, "paid")]


async def test_pause_stops_charges_and_unpause_charges_again() -> None:
    handle, _, tier = await _creator_and_tier()
    member = await _member(handle, tier)

    paused = await lifecycle.pause(subscription_public_id=member.public_id, member_email=FAN)
    await _advance_and_run("2M")
    assert (paused.status, paused.next_charge_at) == ("paused", None)
    assert await _count(Order) == 1
    await lifecycle.unpause(subscription_public_id=member.public_id, member_email=FAN)
    await _advance_and_run("1m")

    active = await _subscription()
    assert active.status == SubscriptionStatus.ACTIVE
    assert await _event_kinds(active) == ["created", "activated", "paused", "unpaused", "renewed"]


async def test_cancel_then_resume_keeps_renewing_and_a_stranger_cannot_cancel() -> None:
    handle, _, tier = await _creator_and_tier()
    member = await _member(handle, tier)

    with pytest.raises(lifecycle.SubscriptionNotFound):
        await lifecycle.cancel_at_period_end(subscription_public_id=member.public_id, member_email="other@example.com")
    cancelling = await lifecycle.cancel_at_period_end(subscription_public_id=member.public_id, member_email=FAN)
    resumed = await lifecycle.resume(subscription_public_id=member.public_id, member_email=FAN)
    await _advance_and_run("1M")

    assert (cancelling.cancel_at_period_end, cancelling.next_charge_at) == (True, None)
    assert resumed.cancel_at_period_end is False
    assert (await _subscription()).status == SubscriptionStatus.ACTIVE
    history = await lifecycle.history(subscription_public_id=member.public_id, member_email=FAN)
    assert [entry.kind for entry in history if entry.kind == "receipt"] == ["receipt", "receipt"]


# --- Replays and events out of order ---------------------------------------------------------------


async def _redeliver(payload: dict[str, Any], *, event_id: str | None = None) -> None:
    if event_id is not None:
        payload = {**payload, "id": event_id}
    raw = json.dumps(payload).encode()
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    await external_events.receive(provider="sandbox", raw_body=raw, headers={"Creatorly-Signature": signature})


async def _state(subscription: Subscription) -> tuple[Any, ...]:
    row = await _subscription(subscription.member_email)
    return (row.status, row.current_period_start, row.current_period_end, row.failed_attempts, row.next_retry_at)


async def test_replayed_and_out_of_order_subscription_events_end_in_the_same_state() -> None:
    handle, _, tier = await _creator_and_tier()
    await _member(handle, tier, card=FIRST_RENEWAL_DECLINED_CARD)
    await _advance_and_run("1M")
    await _advance_and_run("1d")
    member = await _subscription()
    settled = await _state(member)
    ledger, emails = await _count(LedgerTransaction), await _count(OutboxEmail)
    async with db.transaction() as session:
        payloads = [
            json.loads(row.payload)
            for row in (await session.exec(select(SandboxWebhook).order_by(col(SandboxWebhook.id)))).all()
        ]
    failure = next(payload for payload in payloads if payload["type"] == "payment.failed")
    success = payloads[-1]

    await _redeliver(success)  # the same event again: a duplicate
    await _redeliver(success, event_id="evt_replayed_success")  # the same payment, new event id
    await _redeliver(failure, event_id="evt_late_failure")  # the old failure, after the recovery

    assert await _state(member) == settled
    assert await _count(LedgerTransaction) == ledger
    assert await _count(OutboxEmail) == emails


# --- The test clock --------------------------------------------------------------------------------


def test_the_clock_command_moves_the_memberships_clock_and_runs_what_came_due() -> None:
    from click.testing import CliRunner

    from creatorly.cli import main

    result = CliRunner().invoke(main, ["clock", "advance", "3d"])

    assert result.exit_code == 0, result.output
    assert "0 subscription(s) came due" in result.output
    assert timedelta(days=2, hours=23) < timedelta(seconds=clock.offset_seconds()) <= timedelta(days=3)


def test_a_command_in_a_fresh_process_can_enqueue_jobs() -> None:
    """`creatorly clock advance` (renewals, dunning emails) or `events retry` run their use cases outside the app:
    the jobs those enqueue are registered there too, or the enqueue would raise and roll their work back."""
    import subprocess
    import sys

    program = (
        "from click.testing import CliRunner\n"
        "from creatorly import queue\n"
        "from creatorly.cli import main\n"
        "from creatorly.services.memberships import renewals\n"
        "from creatorly.services.email import service as email\n"
        "assert CliRunner().invoke(main, ['clock', 'reset']).exit_code == 0\n"
        "print(renewals.RUN_DUE_JOB in queue._jobs, email.DELIVER_JOB in queue._jobs)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["True", "True"]


def test_the_test_clock_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    clock.advance("1d")
    with monkeypatch.context() as production:
        production.setattr(settings, "env", "production")

        with pytest.raises(clock.TestClockRefused):
            clock.advance("1M")

        assert clock.offset_seconds() == 0  # production reads the real time, whatever the file says
    assert clock.offset_seconds() == 86_400


# --- The welcome message ---------------------------------------------------------------------------


async def test_the_new_member_gets_the_tiers_welcome_message_sanitized_by_email() -> None:
    from creatorly.services.creators import service as creators
    from creatorly.services.creators.schemas import ProfileInput
    from creatorly.services.memberships import tiers
    from creatorly.services.memberships.content_schemas import TierInput
    from tests.accounts import signed_up_and_verified

    signed_in = await signed_up_and_verified("welcoming@example.com")
    token = signed_in.session_token
    await creators.become_creator(session_token=token, profile=ProfileInput(handle="welcoming", display_name="W"))
    tier_id = await tiers.create_tier(
        session_token=token,
        values=TierInput(
            name="Inner Circle",
            price_monthly="7",
            welcome_message="Hi <b>friend</b>!<script>alert(1)</script>\n\nThe Discord invite: discord.gg/abc",
        ),
    )
    await tiers.set_tier_published(session_token=token, tier_id=tier_id, is_published=True)
    async with db.transaction() as session:
        tier = await session.get(Tier, tier_id)
    assert tier is not None

    await _pay(await _join("welcoming", tier))

    async with db.transaction() as session:
        [welcome] = (await session.exec(select(OutboxEmail).where(OutboxEmail.to_address == FAN))).all()
    assert welcome.subject == "Welcome to Inner Circle"
    assert welcome.text_body.startswith(
        "Welcome to Inner Circle!\n\nHi friend!\n\nThe Discord invite: discord.gg/abc\n\nAmount paid: $7.00\n"
    )
    assert "<" not in welcome.text_body and "alert" not in welcome.text_body


async def test_analytics_count_a_membership_start_its_charges_and_its_end() -> None:
    handle, _, tier = await _creator_and_tier()
    await _member(handle, tier, card=RENEWALS_DECLINED_CARD)
    await _advance_and_run("1M")
    for days in (1, 2, 2):
        await _advance_and_run(f"{days}d")

    async with db.transaction() as session:
        rows = (await session.exec(select(AnalyticsDaily).where(AnalyticsDaily.dimension == ""))).all()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.kind] = counts.get(row.kind, 0) + row.events
    assert counts == {"membership_started": 1, "membership_payment": 1, "membership_cancelled": 1}
