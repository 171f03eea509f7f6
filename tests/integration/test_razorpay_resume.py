"""Resuming a cancelling Razorpay membership against the local stand-in: the member authorises a new Razorpay
subscription starting at our period's end, whose webhook moves the membership onto it; the old subscription's end,
before or after, replays and a second press change nothing more; Razorpay failing changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from creatorly import db
from creatorly.kit.clock import as_utc
from creatorly.models import LedgerTransaction, Order
from creatorly.models.memberships import Subscription
from creatorly.services.delivery.library import library_url
from creatorly.services.external_events import service as external_events
from creatorly.services.external_events.schemas import HandleOutcome
from creatorly.services.memberships import clock, lifecycle, renewals
from creatorly.services.memberships import library as member_library
from creatorly.services.memberships.razorpay_billing import ENDED_WHILE_RESUMING
from creatorly.services.memberships.razorpay_resume import RESUME_REQUESTED, RESUMED, ResumeToAuthorise
from creatorly.services.memberships.razorpay_resume_cleanup import CANCEL_DUE
from tests.integration.razorpay_standin import (
    PLANS,
    SUBSCRIPTIONS,
    RazorpayStandIn,
    authenticate_subscription,
    subscription_webhook,
)
from tests.integration.test_razorpay_subscriptions import (  # noqa: F401 (fixtures)
    FAN,
    PRICE,
    WEBHOOK_SECRET,
    _active_member,
    _count,
    _kinds,
    _razorpay_settings,
    _subscription,
    stand_in,
)


async def _canceling_member() -> Subscription:
    member = await _active_member()
    await lifecycle.cancel_at_period_end(subscription_public_id=member.public_id, member_email=FAN)
    canceling = await _subscription()
    assert canceling.cancel_at_period_end is True
    return canceling


async def _resume(member: Subscription) -> ResumeToAuthorise:
    resuming = await lifecycle.resume(subscription_public_id=member.public_id, member_email=FAN)
    assert isinstance(resuming, ResumeToAuthorise)
    return resuming


def _new_id(resuming: ResumeToAuthorise) -> str:
    [razorpay_id] = [key for key, made in SUBSCRIPTIONS.items() if made["short_url"] == resuming.authorise_url]
    return razorpay_id


async def _deliver(raw: bytes, headers: dict[str, str], *, event_id: str = "") -> HandleOutcome:
    if event_id:
        headers["X-Razorpay-Event-Id"] = event_id
    result = await external_events.receive(provider="razorpay", raw_body=raw, headers=headers)
    return result.outcome


async def _send(event: str, razorpay_id: str, *, payment_id: str = "", event_id: str = "") -> HandleOutcome:
    raw, headers = subscription_webhook(event, razorpay_id, secret=WEBHOOK_SECRET, payment_id=payment_id, amount=PRICE)
    return await _deliver(raw, headers, event_id=event_id)


async def _authorise(razorpay_id: str, *, event_id: str = "") -> HandleOutcome:
    raw, headers = authenticate_subscription(razorpay_id, secret=WEBHOOK_SECRET)
    return await _deliver(raw, headers, event_id=event_id)


def _state(subscription: Subscription) -> tuple[str, bool, str | None]:
    return subscription.status, subscription.cancel_at_period_end, subscription.provider_reference


async def test_resuming_from_the_library_sends_the_member_to_authorise_a_subscription_from_the_period_end() -> None:
    member = await _canceling_member()
    assert member.current_period_end is not None
    made_before, ledger_before = len(SUBSCRIPTIONS), await _count(LedgerTransaction)

    done = await member_library.act_on_membership(
        session_token="",
        library_key=library_url(FAN).split("key=", 1)[1],
        subscription_public_id=member.public_id,
        action="resume",
    )

    assert len(SUBSCRIPTIONS) == made_before + 1
    [(razorpay_id, made)] = [(key, sub) for key, sub in SUBSCRIPTIONS.items() if sub["short_url"] == done.redirect_url]
    starts = int(as_utc(member.current_period_end).timestamp())
    assert done.message == (
        f"Authorise your membership on Razorpay to keep it. Nothing is charged before "
        f"{as_utc(member.current_period_end):%d %b %Y}."
    )
    assert (made["status"], made["start_at"], made["expire_by"], made["total_count"]) == (
        "created",
        starts,
        starts,
        120,
    )
    assert made["notes"] == {"merchant_reference": member.public_id, "purpose": "resume"}
    plan = PLANS[made["plan_id"]]
    assert (plan["period"], plan["interval"], plan["item"]["amount"], plan["item"]["currency"]) == (
        "monthly",
        1,
        PRICE,
        "INR",
    )
    unchanged = await _subscription()  # nothing of ours moves before Razorpay says the member authorised it
    assert _state(unchanged) == ("active", True, member.provider_reference)
    assert (await _kinds(unchanged))[-2:] == ["cancel_scheduled", RESUME_REQUESTED]
    assert await _count(LedgerTransaction) == ledger_before
    assert await _count(Order, col(Order.subscription_id) == member.id) == 1
    assert razorpay_id != member.provider_reference


async def test_authorising_moves_the_membership_onto_the_new_subscription_once() -> None:
    member = await _canceling_member()
    razorpay_id = _new_id(await _resume(member))

    assert await _authorise(razorpay_id, event_id="evt_resume_auth") is HandleOutcome.HANDLED
    resumed = await _subscription()
    await _authorise(razorpay_id, event_id="evt_resume_auth")  # a replay
    await _authorise(razorpay_id, event_id="evt_resume_auth_2")  # a second delivery
    await _send("subscription.activated.future_start_no_upfront", razorpay_id)  # its start, with no payment

    assert _state(resumed) == ("active", False, razorpay_id)
    after = await _subscription()
    assert _state(after) == _state(resumed)
    kinds = await _kinds(after)
    assert (kinds[-1], kinds.count(RESUMED)) == (RESUMED, 1)
    [card] = await member_library.list_library_memberships(
        session_token="", library_key=library_url(FAN).split("key=", 1)[1]
    )
    assert (card.status, card.can_cancel, card.can_resume) == ("active", True, False)
    assert card.history[-1].text == "Resumed: the membership renews"


async def test_the_old_subscriptions_end_after_the_move_does_not_end_the_membership() -> None:
    member = await _canceling_member()
    assert member.provider_reference is not None
    razorpay_id = _new_id(await _resume(member))
    await _authorise(razorpay_id)
    kinds_before = await _kinds(member)

    cancelled = await _send("subscription.cancelled", member.provider_reference)
    completed = await _send("subscription.completed", member.provider_reference)

    assert (cancelled, completed) == (HandleOutcome.HANDLED, HandleOutcome.HANDLED)  # handled, not retried
    assert _state(await _subscription()) == ("active", False, razorpay_id)
    assert await _kinds(member) == kinds_before


async def test_the_old_subscriptions_end_before_the_authorisation_arrives_leaves_the_resume_to_it() -> None:
    member = await _canceling_member()
    assert member.provider_reference is not None
    razorpay_id = _new_id(await _resume(member))

    await _send("subscription.cancelled", member.provider_reference, event_id="evt_old_cancelled")
    await _send("subscription.cancelled", member.provider_reference, event_id="evt_old_cancelled_2")
    waiting = await _subscription()
    await _authorise(razorpay_id)
    await _send("subscription.completed", member.provider_reference)

    assert _state(waiting) == ("active", True, member.provider_reference)
    assert _state(await _subscription()) == ("active", False, razorpay_id)
    kinds = await _kinds(member)
    assert (kinds.count(ENDED_WHILE_RESUMING), kinds.count(RESUMED), "provider_canceled" in kinds) == (1, 1, False)


async def test_an_unauthorised_resume_still_ends_at_the_period_end() -> None:
    member = await _canceling_member()
    assert member.provider_reference is not None
    await _resume(member)
    await _send("subscription.cancelled", member.provider_reference)

    clock.advance_by(timedelta(days=32))
    await renewals.run_due()

    ended = await _subscription()
    assert (ended.status, ended.provider_reference) == ("canceled", member.provider_reference)
    assert (await _kinds(ended))[-2:] == ["ended", CANCEL_DUE]  # its never-authorised subscription is cancelled


async def test_pressing_resume_twice_reuses_one_razorpay_subscription() -> None:
    member = await _canceling_member()
    made_before, plans_before = len(SUBSCRIPTIONS), len(PLANS)

    first = await _resume(member)
    second = await _resume(member)

    assert second.authorise_url == first.authorise_url
    assert (len(SUBSCRIPTIONS), len(PLANS)) == (made_before + 1, plans_before + 1)
    assert (await _kinds(member)).count(RESUME_REQUESTED) == 1


async def test_when_razorpay_fails_resume_says_so_and_nothing_changes(
    stand_in: RazorpayStandIn,  # noqa: F811 (the fixture)
) -> None:
    member = await _canceling_member()
    kinds_before, made_before = await _kinds(member), len(SUBSCRIPTIONS)

    for status in (500, 400):
        stand_in.fail_next_with_status = status
        with pytest.raises(lifecycle.BillingChangeFailed, match="couldn't reach Razorpay to resume"):
            await _resume(member)

    after = await _subscription()
    assert _state(after) == ("active", True, member.provider_reference)
    assert await _kinds(after) == kinds_before
    assert len(SUBSCRIPTIONS) == made_before
    retried = await _resume(member)  # Razorpay is back: the next press works
    assert _new_id(retried) in SUBSCRIPTIONS


async def test_resume_after_the_period_is_refused_with_a_clear_message() -> None:
    member = await _canceling_member()
    made_before = len(SUBSCRIPTIONS)
    clock.advance_by(timedelta(days=32))

    with pytest.raises(lifecycle.SubscriptionChangeRefused, match="paid period has ended"):
        await _resume(member)
    await renewals.run_due()
    with pytest.raises(lifecycle.SubscriptionChangeRefused, match="This membership has ended"):
        await _resume(member)

    assert (await _subscription()).status == "canceled"
    assert len(SUBSCRIPTIONS) == made_before
    assert RESUME_REQUESTED not in await _kinds(member)


async def test_the_new_subscriptions_charges_renew_the_membership_once() -> None:
    member = await _canceling_member()
    assert member.current_period_end is not None
    razorpay_id = _new_id(await _resume(member))
    await _authorise(razorpay_id)
    clock.advance_by(timedelta(days=31))
    await renewals.run_due()  # opens the renewal order; the new subscription charges it from its start_at

    await _send("subscription.charged", razorpay_id, payment_id="pay_resumed00001", event_id="evt_resumed_1")
    await _send("subscription.charged", razorpay_id, payment_id="pay_resumed00001", event_id="evt_resumed_1")
    await _send("subscription.charged", razorpay_id, payment_id="pay_resumed00001", event_id="evt_resumed_1b")

    renewed = await _subscription()
    assert _state(renewed) == ("active", False, razorpay_id)
    assert renewed.current_period_start == member.current_period_end
    assert await _count(LedgerTransaction) == 2  # the first charge and this renewal, each once
    assert (await _kinds(renewed))[-2:] == ["razorpay_payment", "renewed"]
    async with db.transaction() as session:
        statement = select(Order).where(Order.subscription_id == member.id, col(Order.public_id).startswith("msr_"))
        [renewal] = (await session.exec(statement)).all()
    assert (renewal.status, renewal.amount, renewal.provider_payment_id) == ("paid", PRICE, "pay_resumed00001")


async def test_a_first_charge_arriving_before_the_authorisation_moves_and_renews_the_membership() -> None:
    member = await _canceling_member()
    razorpay_id = _new_id(await _resume(member))
    clock.advance_by(timedelta(days=31))

    await _send("subscription.charged", razorpay_id, payment_id="pay_resumed00002")
    await _authorise(razorpay_id)  # late

    renewed = await _subscription()
    assert _state(renewed) == ("active", False, razorpay_id)
    assert renewed.current_period_start == member.current_period_end
    assert await _count(LedgerTransaction) == 2
    assert (await _kinds(renewed)).count(RESUMED) == 1
