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
from datetime import UTC, datetime, timedelta
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
from creatorly.services.memberships import clock, join, lifecycle, provider_changes, renewals, stripe_billing
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
    subscribed = await stripe_billing.subscribe_with_stripe(
        subscription_public_id=pending.public_id, member_email=FAN, payment_method_id=_card(localstripe_url)
    )
    assert (subscribed.status, subscribed.stripe_status) == ("succeeded", "active")
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
    deleted["data"]["object"].update(customer=member.provider_reference, id=await _stripe_id(member))
    ended = _signed_post(app_url, {**deleted, "created": int(time.time())})

    assert (failed.status_code, ended.status_code) == (200, 200)
    assert (past_due.status, past_due.failed_attempts) == ("past_due", 1)
    assert (await _subscription()).status == SubscriptionStatus.CANCELED


# --- Joining through the card page, and the member's changes made on Stripe --------------------------------------


async def _stripe_id(subscription: Subscription) -> str:
    async with db.transaction() as session:
        return await provider_changes.stripe_subscription_id(session, subscription)


def _stripe(localstripe_url: str) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe_url})


def _stripe_subscription(localstripe_url: str, subscription_id: str) -> dict[str, Any]:
    return _stripe(localstripe_url).v1.subscriptions.retrieve(subscription_id).to_dict()


async def _eur_tiers(creator_id: int, *, trial_days: int = 0) -> tuple[Tier, Tier]:
    """Supporter (EUR 10.00 a month) and Patron above it (EUR 30.00)."""
    tiers = []
    async with db.transaction() as session:
        for position, (name, amount) in enumerate((("Supporter", 1000), ("Patron", 3000))):
            tier = Tier(
                public_id=f"tier_{secrets.token_hex(6)}",
                creator_id=creator_id,
                name=name,
                is_published=True,
                position=position,
                trial_days=trial_days,
            )
            session.add(tier)
            await session.flush()
            assert tier.id is not None
            session.add(TierPrice(tier_id=tier.id, interval="monthly", amount=amount, currency="EUR"))
            tiers.append(tier)
    return tiers[0], tiers[1]


def _confirm(app_url: str, order_public_id: str, payment_method: str) -> httpx.Response:
    return httpx.post(
        f"{app_url}/api/pay/stripe/membership/{order_public_id}/confirm",
        json={"payment_method": payment_method},
        timeout=30,
    )


async def _join_on_card_page(app_url: str, *, trial_days: int = 0) -> tuple[str, Tier, Tier]:
    """A fan joins the EUR Supporter tier: start_join sends them to the membership card page. Answers the page."""
    made = await make_creator()
    assert made.creator.id is not None
    supporter, patron = await _eur_tiers(made.creator.id, trial_days=trial_days)
    started = await join.start_join(
        handle=made.creator.handle,
        tier_public_id=supporter.public_id,
        interval="monthly",
        buyer_email=FAN,
        checkout_key=f"join-{secrets.token_hex(6)}",
    )
    assert started.redirect_url == f"{app_url}/pay/stripe/membership/{started.order_public_id}"
    return started.order_public_id, supporter, patron


@pytest.fixture
def _eur_on_stripe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "payment_routing", "EUR:stripe")


@pytest.mark.usefixtures("_eur_on_stripe")
async def test_a_fan_joins_on_the_card_page_and_stripes_first_invoice_activates_the_membership(
    localstripe_url: str, app_url: str
) -> None:
    order_public_id, _, _ = await _join_on_card_page(app_url)
    page = httpx.get(f"{app_url}/pay/stripe/membership/{order_public_id}", timeout=20)
    card = _card(localstripe_url)

    answers = [_confirm(app_url, order_public_id, card), _confirm(app_url, order_public_id, card)]  # double submit

    assert page.status_code == 200
    assert "Supporter membership" in page.text and "€10.00 / month" in page.text
    assert "Join and pay €10.00" in page.text
    assert [(answer.status_code, answer.json()["status"]) for answer in answers] == [(200, "succeeded")] * 2
    member = await _wait_for(SubscriptionStatus.ACTIVE)
    assert member.provider_reference is not None
    made = _stripe(localstripe_url).v1.subscriptions.list(params={"customer": member.provider_reference})
    assert [(made_one.id, made_one.status) for made_one in made.data] == [(await _stripe_id(member), "active")]
    assert await _kinds(member) == ["created", "stripe_subscription", "stripe_invoice_paid", "activated"]
    state = httpx.get(f"{app_url}/api/pay/stripe/membership/{order_public_id}/state", timeout=20)
    assert state.json() == {"state": "active"}
    assert "Your membership is active" in httpx.get(f"{app_url}/pay/stripe/membership/{order_public_id}").text
    assert await _count(LedgerTransaction) == 1


@pytest.mark.usefixtures("_eur_on_stripe")
async def test_a_declined_card_changes_nothing_and_another_card_then_joins(localstripe_url: str, app_url: str) -> None:
    order_public_id, _, _ = await _join_on_card_page(app_url)

    declined = _confirm(app_url, order_public_id, _card(localstripe_url, "4000000000000002"))
    pending = await _subscription()
    kinds_after_decline = await _kinds(pending)
    accepted = _confirm(app_url, order_public_id, _card(localstripe_url))

    assert declined.status_code == 402
    assert declined.json()["status"] == "declined" and declined.json()["message"]
    assert pending.status == SubscriptionStatus.INCOMPLETE
    assert kinds_after_decline == ["created"]
    assert accepted.json()["status"] == "succeeded"
    member = await _wait_for(SubscriptionStatus.ACTIVE)
    assert member.provider_reference != pending.provider_reference  # the new card's customer
    assert await _count(LedgerTransaction) == 1


@pytest.mark.usefixtures("_eur_on_stripe")
async def test_a_trial_join_asks_stripe_for_the_trial_and_its_free_first_invoice_starts_it(
    localstripe_url: str, app_url: str
) -> None:
    order_public_id, _, _ = await _join_on_card_page(app_url, trial_days=7)
    page = httpx.get(f"{app_url}/pay/stripe/membership/{order_public_id}", timeout=20)

    answer = _confirm(app_url, order_public_id, _card(localstripe_url))
    pending = await _subscription()
    assert pending.provider_reference is not None
    made = _stripe_subscription(localstripe_url, await _stripe_id(pending))
    # localstripe makes no invoice for a trial; Stripe's is for nothing, paid at once: it comes signed here.
    free_invoice = _invoice_event(pending.provider_reference, event_id="evt_trial", invoice_id="in_trial")
    free_invoice["data"]["object"].update(
        amount_paid=0, amount_due=0, currency="eur", billing_reason="subscription_create"
    )
    delivered = _signed_post(app_url, free_invoice)

    assert "Free for 7 days, then €10.00 / month" in page.text and "Start free trial" in page.text
    assert answer.json()["status"] == "succeeded"
    assert made["trial_period_days"] == 7
    assert delivered.status_code == 200
    trialing = await _subscription()
    assert trialing.status == SubscriptionStatus.TRIALING
    assert trialing.trial_end is not None and trialing.current_period_start is not None
    assert trialing.trial_end - trialing.current_period_start == timedelta(days=7)


def _card_token(localstripe_url: str) -> str:
    """What Stripe.js without PaymentMethods (localstripe's, in the browser) hands over: a card token."""
    details = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    return _stripe(localstripe_url).v1.tokens.create(params={"card": details}).id


async def _active_eur_member(
    localstripe_url: str, app_url: str, *, is_token: bool = False
) -> tuple[Subscription, Tier, Tier]:
    order_public_id, supporter, patron = await _join_on_card_page(app_url)
    card = _card_token(localstripe_url) if is_token else _card(localstripe_url)
    assert _confirm(app_url, order_public_id, card).json()["status"] == "succeeded"
    return await _wait_for(SubscriptionStatus.ACTIVE), supporter, patron


@pytest.mark.usefixtures("_eur_on_stripe")
async def test_cancel_resume_pause_and_unpause_change_the_stripe_subscription_then_ours(
    localstripe_url: str, app_url: str
) -> None:
    member, _, _ = await _active_eur_member(localstripe_url, app_url)
    stripe_id = await _stripe_id(member)
    ids = {"subscription_public_id": member.public_id, "member_email": FAN}

    canceling = await lifecycle.cancel_at_period_end(**ids)
    on_stripe_canceling = _stripe_subscription(localstripe_url, stripe_id)
    resumed = await lifecycle.resume(**ids)
    on_stripe_resumed = _stripe_subscription(localstripe_url, stripe_id)
    paused = await lifecycle.pause(**ids)
    on_stripe_paused = _stripe_subscription(localstripe_url, stripe_id)
    unpaused = await lifecycle.unpause(**ids)
    on_stripe_unpaused = _stripe_subscription(localstripe_url, stripe_id)

    assert (canceling.cancel_at_period_end, on_stripe_canceling["cancel_at_period_end"]) == (True, True)
    assert (resumed.cancel_at_period_end, on_stripe_resumed["cancel_at_period_end"]) == (False, False)
    assert (paused.status, on_stripe_paused["pause_collection"]) == ("paused", {"behavior": "void"})
    assert (unpaused.status, on_stripe_unpaused["pause_collection"]) == ("active", None)
    kinds = await _kinds(member)
    assert kinds[-4:] == ["cancel_scheduled", "cancel_undone", "paused", "unpaused"]


@pytest.mark.usefixtures("_eur_on_stripe")
async def test_when_stripe_fails_a_change_is_refused_and_nothing_of_ours_changes(
    localstripe_url: str, app_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    member, supporter, patron = await _active_eur_member(localstripe_url, app_url)
    kinds_before = await _kinds(member)
    monkeypatch.setattr(settings, "stripe_api_base", "http://127.0.0.1:9")  # nothing listens there
    ids = {"subscription_public_id": member.public_id, "member_email": FAN}

    with pytest.raises(lifecycle.BillingChangeFailed):
        await lifecycle.cancel_at_period_end(**ids)
    with pytest.raises(lifecycle.BillingChangeFailed):
        await lifecycle.pause(**ids)
    with pytest.raises(lifecycle.BillingChangeFailed):
        await lifecycle.change_tier(**ids, tier_public_id=patron.public_id)

    after = await _subscription()
    assert (after.status, after.cancel_at_period_end, after.tier_id) == ("active", False, supporter.id)
    assert await _kinds(after) == kinds_before
    assert await _count(Order, col(Order.public_id).startswith("msu_")) == 0
    assert _stripe_subscription(localstripe_url, await _stripe_id(member))["cancel_at_period_end"] is False


@pytest.mark.usefixtures("_eur_on_stripe")
async def test_an_upgrade_moves_the_stripe_price_and_charges_our_prorated_difference_a_downgrade_waits(
    localstripe_url: str, app_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    member, supporter, patron = await _active_eur_member(localstripe_url, app_url, is_token=True)
    start = datetime(2030, 1, 1, tzinfo=UTC)
    async with db.transaction() as session:
        row = await session.get(Subscription, member.id)
        assert row is not None
        row.current_period_start, row.current_period_end = start, start + timedelta(days=30)
        session.add(row)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=10))
    ids = {"subscription_public_id": member.public_id, "member_email": FAN}
    stripe_id = await _stripe_id(member)

    upgrade = await lifecycle.change_tier(**ids, tier_public_id=patron.public_id)
    upgraded = await _wait_for_tier(patron)
    on_stripe_upgraded = _stripe_subscription(localstripe_url, stripe_id)
    downgrade = await lifecycle.change_tier(**ids, tier_public_id=supporter.public_id)
    on_stripe_downgraded = _stripe_subscription(localstripe_url, stripe_id)

    assert (upgrade.is_upgrade, upgrade.charged_amount, upgrade.currency) == (True, 1333, "EUR")  # 20 of 30 days
    charges = [
        charge.to_dict() for charge in _stripe(localstripe_url).v1.payment_intents.list(params={"limit": 100}).data
    ]
    upgrade_charge = [
        (charge["amount"], charge["status"])
        for charge in charges
        if (charge.get("metadata") or {}).get("merchant_reference") == upgrade.order_public_id
    ]
    assert upgrade_charge == [(1333, "succeeded")]
    assert (upgraded.amount, on_stripe_upgraded["plan"]["amount"]) == (3000, 3000)
    assert (downgrade.is_upgrade, downgrade.charged_amount) == (False, 0)
    assert on_stripe_downgraded["plan"]["amount"] == 1000
    scheduled = await _subscription()
    assert (scheduled.tier_id, scheduled.pending_tier_price_id is not None) == (patron.id, True)
    assert _stripe(localstripe_url).v1.invoice_items.list().data == []  # no proration from Stripe itself


async def _wait_for_tier(tier: Tier, *, seconds: float = 15) -> Subscription:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        subscription = await _subscription()
        if subscription.tier_id == tier.id:
            return subscription
        await asyncio.sleep(0.2)
    raise AssertionError(f"subscription never moved to {tier.name}")


@pytest.mark.usefixtures("_eur_on_stripe")
async def test_a_late_subscription_update_cannot_undo_a_newer_one_and_stripe_side_cancel_and_pause_are_mirrored(
    localstripe_url: str, app_url: str
) -> None:
    member, _, _ = await _active_eur_member(localstripe_url, app_url)
    stripe_id = await _stripe_id(member)
    ids = {"subscription_public_id": member.public_id, "member_email": FAN}
    await lifecycle.cancel_at_period_end(**ids)
    stale = _stripe_subscription(localstripe_url, stripe_id)  # as it was while canceling
    await lifecycle.resume(**ids)

    late = {
        "id": f"evt_late_{secrets.token_hex(4)}",
        "object": "event",
        "type": "customer.subscription.updated",
        "created": int(time.time()) - 60,
        "data": {"object": stale},
    }
    assert stale["cancel_at_period_end"] is True
    assert _signed_post(app_url, late).status_code == 200
    assert _signed_post(app_url, late).status_code == 200  # and its replay
    assert (await _subscription()).cancel_at_period_end is False

    # The fan cancels in Stripe's own customer portal: Stripe's update event is mirrored.
    _stripe(localstripe_url).v1.subscriptions.update(stripe_id, params={"cancel_at_period_end": True})
    deadline = time.monotonic() + 15
    while not (await _subscription()).cancel_at_period_end:
        assert time.monotonic() < deadline, "Stripe's own cancellation was never mirrored"
        await asyncio.sleep(0.2)
    assert (await _kinds(member))[-3:] == ["cancel_scheduled", "cancel_undone", "cancel_scheduled"]

    # The creator pauses collection in Stripe's dashboard, then resumes it: both are mirrored.
    pause: Any = {"behavior": "void"}
    _stripe(localstripe_url).v1.subscriptions.update(stripe_id, params={"pause_collection": pause})
    await _wait_for(SubscriptionStatus.PAUSED)
    _stripe(localstripe_url).v1.subscriptions.update(stripe_id, params={"pause_collection": ""})
    assert (await _wait_for(SubscriptionStatus.ACTIVE)).paused_at is None
    assert (await _kinds(member))[-2:] == ["paused", "unpaused"]
