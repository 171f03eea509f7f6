"""Email capture: double opt-in, signed confirm and unsubscribe links, rate limits, and each creator's own list."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func
from sqlmodel import col, select

import creatorly.api.app
from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.models import OutboxEmail, Subscriber
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.errors import EmailRejected, NotAuthenticated, TooManyAttempts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.audience import service as audience
from creatorly.services.audience.schemas import ConfirmedSubscription, SubscriberItem, UnsubscribeResult
from creatorly.services.catalog.service import StorefrontNotFound
from creatorly.services.creators.service import NotACreator
from tests.accounts import PASSWORD, latest_link_token, new_requester, outbox_for, signed_up_and_verified
from tests.factories import make_creator

CONFIRM_SUBJECT = "Confirm your subscription to"
WELCOME_SUBJECT = "You're subscribed to"


async def _count(model: type[Subscriber] | type[OutboxEmail]) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def _subscriber(email: str) -> Subscriber:
    async with db.transaction() as session:
        return (await session.exec(select(Subscriber).where(Subscriber.email == email))).one()


async def _snapshot(email: str) -> dict[str, Any]:
    return (await _subscriber(email)).model_dump(warnings=False)


async def _session_token(creator_email: str) -> str:
    result = await accounts.sign_in(email=creator_email, password=PASSWORD, requester=new_requester())
    assert isinstance(result, SignedIn)
    return result.session_token


async def _subscribed(handle: str, email: str, *, source: str = "storefront") -> None:
    await audience.subscribe(handle=handle, email=email, requester=new_requester(), source=source)


async def _confirmed(handle: str, email: str) -> ConfirmedSubscription:
    await _subscribed(handle, email)
    return await audience.confirm_subscription(token=await latest_link_token(email, CONFIRM_SUBJECT))


async def _set_times(email: str, **moments: datetime | None) -> None:
    async with db.transaction() as session:
        subscriber = (await session.exec(select(Subscriber).where(Subscriber.email == email))).one()
        for name, moment in moments.items():
            setattr(subscriber, name, moment)


def _api_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=creatorly.api.app.api), base_url="http://test")


def _unsubscribe_token(url: str) -> str:
    return url.split("?token=", 1)[1]


# --- subscribe and confirm ----------------------------------------------------------------------------------


async def test_subscribing_adds_a_pending_subscriber_and_mails_one_confirmation_link() -> None:
    alice = await make_creator(handle="alice")
    await audience.subscribe(handle=" Alice ", email="  Fan.One@Example.com ", requester=new_requester())
    subscriber = await _subscriber("fan.one@example.com")
    assert subscriber.creator_id == alice.creator.id
    assert (subscriber.status, subscriber.source) == ("pending", "storefront")
    assert (subscriber.confirmed_at, subscriber.unsubscribed_at) == (None, None)
    [mail] = await outbox_for("fan.one@example.com")
    assert mail.subject == f"Confirm your subscription to {alice.creator.display_name}"
    assert f"{settings.resolved_public_url}/audience/confirm?token=" in mail.text_body


async def test_confirming_through_the_emailed_link_confirms_once_and_welcomes_with_an_unsubscribe_link() -> None:
    alice = await make_creator(handle="alice")
    await _subscribed("alice", "fan.two@example.com")
    token = await latest_link_token("fan.two@example.com", CONFIRM_SUBJECT)
    first = await audience.confirm_subscription(token=token)
    confirmed_at = (await _subscriber("fan.two@example.com")).confirmed_at
    second = await audience.confirm_subscription(token=token)
    subscriber = await _subscriber("fan.two@example.com")
    assert first == second
    assert (first.creator_display_name, first.creator_handle, first.email) == (
        alice.creator.display_name,
        "alice",
        "fan.two@example.com",
    )
    assert first.unsubscribe_url == audience.unsubscribe_link(subscriber.id or 0, "fan.two@example.com")
    assert (subscriber.status, subscriber.confirmed_at) == ("confirmed", confirmed_at)
    assert confirmed_at is not None
    assert [mail.subject for mail in await outbox_for("fan.two@example.com")] == [
        f"Confirm your subscription to {alice.creator.display_name}",
        f"You're subscribed to {alice.creator.display_name}",
    ]
    assert first.unsubscribe_url in (await outbox_for("fan.two@example.com"))[1].text_body


async def test_subscribing_a_confirmed_address_again_answers_the_same_and_sends_nothing() -> None:
    await make_creator(handle="alice")
    await _confirmed("alice", "fan.three@example.com")
    before = await _snapshot("fan.three@example.com")
    mails_before = len(await outbox_for("fan.three@example.com"))
    answer = await audience.subscribe(handle="alice", email="fan.three@example.com", requester=new_requester())
    assert answer is None
    assert await _snapshot("fan.three@example.com") == before
    assert len(await outbox_for("fan.three@example.com")) == mails_before == 2
    assert await _count(Subscriber) == 1


async def test_subscribing_a_pending_address_again_mails_a_fresh_confirmation_and_keeps_one_row() -> None:
    alice = await make_creator(handle="alice")
    await _subscribed("alice", "fan.four@example.com")
    answer = await audience.subscribe(handle="alice", email="fan.four@example.com", requester=new_requester())
    assert answer is None
    assert await _count(Subscriber) == 1
    assert (await _subscriber("fan.four@example.com")).status == "pending"
    assert [mail.subject for mail in await outbox_for("fan.four@example.com")] == [
        f"Confirm your subscription to {alice.creator.display_name}"
    ] * 2


async def test_the_same_address_on_two_creators_lists_is_two_subscriptions() -> None:
    alice = await make_creator(handle="alice")
    bob = await make_creator(handle="bob")
    await _subscribed("alice", "fan.five@example.com")
    await _subscribed("bob", "fan.five@example.com")
    async with db.transaction() as session:
        rows = (await session.exec(select(Subscriber).order_by(col(Subscriber.id)))).all()
    assert [(row.creator_id, row.email) for row in rows] == [
        (alice.creator.id, "fan.five@example.com"),
        (bob.creator.id, "fan.five@example.com"),
    ]


async def test_an_unknown_handle_is_not_found_and_nothing_is_written() -> None:
    await make_creator(handle="alice")
    with pytest.raises(StorefrontNotFound):
        await audience.subscribe(handle="nobody-here", email="fan.six@example.com", requester=new_requester())
    assert await _count(Subscriber) == 0
    assert await _count(OutboxEmail) == 0


@pytest.mark.parametrize("email", ["not-an-email", "fan@", "@example.com", "", "a" * 310 + "@example.com"])
async def test_an_invalid_email_is_refused_and_nothing_is_written(email: str) -> None:
    await make_creator(handle="alice")
    with pytest.raises(EmailRejected):
        await audience.subscribe(handle="alice", email=email, requester=new_requester())
    assert await _count(Subscriber) == 0
    assert await _count(OutboxEmail) == 0


async def test_an_unknown_source_is_refused_and_nothing_is_written() -> None:
    await make_creator(handle="alice")
    with pytest.raises(InvalidInput):
        await audience.subscribe(
            handle="alice", email="fan.seven@example.com", requester=new_requester(), source="=cmd"
        )
    assert await _count(Subscriber) == 0


async def test_a_confirmation_link_works_for_seven_days_and_no_longer(monkeypatch: pytest.MonkeyPatch) -> None:
    await make_creator(handle="alice")
    now = int(time.time())
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda _self: now - int(timedelta(days=7).total_seconds()) - 5
    )
    await _subscribed("alice", "fan.old@example.com")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: now - int(timedelta(days=6).total_seconds()))
    await _subscribed("alice", "fan.recent@example.com")
    monkeypatch.undo()
    with pytest.raises(audience.SubscriptionLinkInvalid) as refused:
        await audience.confirm_subscription(token=await latest_link_token("fan.old@example.com", CONFIRM_SUBJECT))
    await audience.confirm_subscription(token=await latest_link_token("fan.recent@example.com", CONFIRM_SUBJECT))
    assert refused.value.status == 400
    assert refused.value.message == "This link is invalid or has expired. Subscribe again from the creator's page."
    assert (await _subscriber("fan.old@example.com")).status == "pending"
    assert (await _subscriber("fan.recent@example.com")).status == "confirmed"


async def test_forged_or_foreign_confirmation_tokens_are_refused_and_nothing_changes() -> None:
    await make_creator(handle="alice")
    await _subscribed("alice", "fan.eight@example.com")
    subscriber = await _subscriber("fan.eight@example.com")
    payload = {"s": subscriber.id, "e": "fan.eight@example.com"}
    forged = [
        "",
        "garbage",
        URLSafeTimedSerializer("not-the-key", salt="creatorly-audience-confirm").dumps(payload),
        URLSafeTimedSerializer(settings.resolved_secret_key, salt="another-purpose").dumps(payload),
        URLSafeTimedSerializer(settings.resolved_secret_key, salt="creatorly-audience-confirm").dumps(
            {"s": subscriber.id, "e": "someone.else@example.com"}
        ),
        _unsubscribe_token(audience.unsubscribe_link(subscriber.id or 0, "fan.eight@example.com")),
    ]
    for token in forged:
        with pytest.raises(audience.SubscriptionLinkInvalid):
            await audience.confirm_subscription(token=token)
    assert (await _subscriber("fan.eight@example.com")).status == "pending"
    assert len(await outbox_for("fan.eight@example.com")) == 1


# --- unsubscribe --------------------------------------------------------------------------------------------


async def test_the_signed_link_unsubscribes_once_and_repeating_it_changes_nothing() -> None:
    alice = await make_creator(handle="alice")
    await _confirmed("alice", "fan.nine@example.com")
    token = await latest_link_token("fan.nine@example.com", WELCOME_SUBJECT)
    first = await audience.unsubscribe(token=token)
    unsubscribed_at = (await _subscriber("fan.nine@example.com")).unsubscribed_at
    second = await audience.unsubscribe(token=token)
    subscriber = await _subscriber("fan.nine@example.com")
    assert (
        first
        == second
        == UnsubscribeResult(
            email="fan.nine@example.com", creator_display_name=alice.creator.display_name, creator_handle="alice"
        )
    )
    assert (subscriber.status, subscriber.unsubscribed_at) == ("unsubscribed", unsubscribed_at)
    assert unsubscribed_at is not None


async def test_one_click_unsubscribe_route_answers_200_and_is_idempotent() -> None:
    await make_creator(handle="alice")
    await _confirmed("alice", "fan.ten@example.com")
    token = await latest_link_token("fan.ten@example.com", WELCOME_SUBJECT)
    async with _api_client() as client:
        first = await client.post(
            "/api/audience/unsubscribe", params={"token": token}, data={"List-Unsubscribe": "One-Click"}
        )
        unsubscribed_at = (await _subscriber("fan.ten@example.com")).unsubscribed_at
        second = await client.post("/api/audience/unsubscribe", params={"token": token})
    assert (first.status_code, first.text) == (200, "You're unsubscribed.")
    assert (second.status_code, second.text) == (200, "You're unsubscribed.")
    assert first.headers["cache-control"] == "no-store"
    subscriber = await _subscriber("fan.ten@example.com")
    assert (subscriber.status, subscriber.unsubscribed_at) == ("unsubscribed", unsubscribed_at)


async def test_a_tampered_unsubscribe_token_answers_400_and_changes_nothing() -> None:
    await make_creator(handle="alice")
    await _confirmed("alice", "fan.eleven@example.com")
    subscriber = await _subscriber("fan.eleven@example.com")
    before = subscriber.model_dump(warnings=False)
    payload = {"s": subscriber.id, "e": "fan.eleven@example.com"}
    confirm_token = await latest_link_token("fan.eleven@example.com", CONFIRM_SUBJECT)
    tampered = [
        URLSafeSerializer("not-the-key", salt="creatorly-audience-unsubscribe").dumps(payload),
        URLSafeSerializer(settings.resolved_secret_key, salt="another-purpose").dumps(payload),
        confirm_token,
        "garbage",
    ]
    async with _api_client() as client:
        answers = [await client.post("/api/audience/unsubscribe", params={"token": token}) for token in tampered]
        missing = await client.post("/api/audience/unsubscribe")
    expected = (400, "This unsubscribe link is invalid. Use the link from the latest email.")
    assert [(answer.status_code, answer.text) for answer in answers] == [expected] * 4
    assert (missing.status_code, missing.text) == expected
    assert (await _subscriber("fan.eleven@example.com")).model_dump(warnings=False) == before


async def test_an_old_confirmation_link_cannot_undo_an_unsubscribe() -> None:
    await make_creator(handle="alice")
    await _subscribed("alice", "fan.twelve@example.com")
    confirm_token = await latest_link_token("fan.twelve@example.com", CONFIRM_SUBJECT)
    subscriber = await _subscriber("fan.twelve@example.com")
    await audience.unsubscribe(
        token=_unsubscribe_token(audience.unsubscribe_link(subscriber.id or 0, subscriber.email))
    )
    with pytest.raises(audience.SubscriptionLinkInvalid):
        await audience.confirm_subscription(token=confirm_token)
    assert (await _subscriber("fan.twelve@example.com")).status == "unsubscribed"


async def test_an_unsubscribed_fan_may_subscribe_again_and_must_confirm_again() -> None:
    await make_creator(handle="alice")
    await _confirmed("alice", "fan.back@example.com")
    await audience.unsubscribe(token=await latest_link_token("fan.back@example.com", WELCOME_SUBJECT))
    await _subscribed("alice", "fan.back@example.com", source="profile")
    pending = await _subscriber("fan.back@example.com")
    await audience.confirm_subscription(token=await latest_link_token("fan.back@example.com", CONFIRM_SUBJECT))
    confirmed = await _subscriber("fan.back@example.com")
    assert (pending.status, pending.source, pending.confirmed_at, pending.unsubscribed_at) == (
        "pending",
        "profile",
        None,
        None,
    )
    assert (confirmed.status, confirmed.unsubscribed_at) == ("confirmed", None)
    assert [mail.subject.split(" to ")[0] for mail in await outbox_for("fan.back@example.com")] == [
        "Confirm your subscription",
        "You're subscribed",
        "Confirm your subscription",
        "You're subscribed",
    ]


async def test_unsubscribing_after_the_creator_removed_the_address_still_succeeds() -> None:
    alice = await make_creator(handle="alice")
    await _confirmed("alice", "fan.gone@example.com")
    subscriber = await _subscriber("fan.gone@example.com")
    await audience.remove_subscriber(session_token=await _session_token(alice.email), subscriber_id=subscriber.id or 0)
    result = await audience.unsubscribe(token=await latest_link_token("fan.gone@example.com", WELCOME_SUBJECT))
    assert result == UnsubscribeResult(email="fan.gone@example.com", creator_display_name=None, creator_handle=None)
    assert await _count(Subscriber) == 0


# --- rate limits --------------------------------------------------------------------------------------------


async def test_one_ip_may_subscribe_ten_times_an_hour_then_is_refused_and_nothing_is_written() -> None:
    await make_creator(handle="alice")
    requester = new_requester()
    for number in range(10):
        await audience.subscribe(handle="alice", email=f"ip.fan{number}@example.com", requester=requester)
    with pytest.raises(TooManyAttempts):
        await audience.subscribe(handle="alice", email="ip.fan10@example.com", requester=requester)
    assert await _count(Subscriber) == 10
    assert await _count(OutboxEmail) == 10
    assert await outbox_for("ip.fan10@example.com") == []


async def test_one_address_may_be_subscribed_to_a_creator_three_times_an_hour() -> None:
    await make_creator(handle="alice")
    for _attempt in range(3):
        await _subscribed("alice", "often@example.com")
    with pytest.raises(TooManyAttempts):
        await _subscribed("alice", "often@example.com")
    assert await _count(Subscriber) == 1
    assert len(await outbox_for("often@example.com")) == 3


# --- the creator's list -------------------------------------------------------------------------------------


async def test_a_creator_lists_only_their_own_subscribers_newest_first_in_pages() -> None:
    alice = await make_creator(handle="alice")
    await make_creator(handle="bob")
    for email in ("a1@example.com", "a2@example.com", "a3@example.com"):
        await _subscribed("alice", email)
    await _subscribed("bob", "b1@example.com")
    await audience.confirm_subscription(token=await latest_link_token("a2@example.com", CONFIRM_SUBJECT))
    token = await _session_token(alice.email)
    everyone = await audience.list_subscribers(session_token=token)
    second_page = await audience.list_subscribers(session_token=token, page=2, page_size=2)
    confirmed = await audience.list_subscribers(session_token=token, status="confirmed")
    assert [item.email for item in everyone.items] == ["a3@example.com", "a2@example.com", "a1@example.com"]
    assert (everyone.total, everyone.page, everyone.page_size) == (3, 1, 50)
    assert [item.email for item in second_page.items] == ["a1@example.com"]
    assert (second_page.total, second_page.page, second_page.page_size) == (3, 2, 2)
    a2 = await _subscriber("a2@example.com")
    assert confirmed.items == [
        SubscriberItem(
            id=a2.id or 0,
            email="a2@example.com",
            status="confirmed",
            source="storefront",
            created_at=a2.created_at,
            confirmed_at=a2.confirmed_at,
        )
    ]
    assert confirmed.total == 1


async def test_listing_refuses_an_unknown_status_and_a_bad_page() -> None:
    alice = await make_creator(handle="alice")
    token = await _session_token(alice.email)
    with pytest.raises(InvalidInput):
        await audience.list_subscribers(session_token=token, status="everyone")
    with pytest.raises(InvalidInput):
        await audience.list_subscribers(session_token=token, page=0)
    with pytest.raises(InvalidInput):
        await audience.list_subscribers(session_token=token, page_size=201)


async def test_creator_b_cannot_see_export_or_remove_creator_as_subscribers() -> None:
    await make_creator(handle="alice")
    bob = await make_creator(handle="bob")
    await _confirmed("alice", "alice.fan@example.com")
    await _subscribed("bob", "bob.fan@example.com")
    alice_fan = await _subscriber("alice.fan@example.com")
    before = alice_fan.model_dump(warnings=False)
    token = await _session_token(bob.email)
    listed = await audience.list_subscribers(session_token=token)
    exported = await audience.export_subscribers_csv(session_token=token)
    with pytest.raises(audience.SubscriberNotFound) as refused:
        await audience.remove_subscriber(session_token=token, subscriber_id=alice_fan.id or 0)
    assert [item.email for item in listed.items] == ["bob.fan@example.com"]
    assert listed.total == 1
    assert "alice.fan@example.com" not in exported
    assert exported.count("\r\n") == 2
    assert isinstance(refused.value, NotFound)
    assert (refused.value.status, refused.value.message) == (404, "We couldn't find that subscriber.")
    assert (await _subscriber("alice.fan@example.com")).model_dump(warnings=False) == before
    assert await _count(Subscriber) == 2


async def test_a_creator_removes_their_own_subscriber() -> None:
    alice = await make_creator(handle="alice")
    await _subscribed("alice", "leaving@example.com")
    await _subscribed("alice", "staying@example.com")
    token = await _session_token(alice.email)
    await audience.remove_subscriber(
        session_token=token, subscriber_id=(await _subscriber("leaving@example.com")).id or 0
    )
    listed = await audience.list_subscribers(session_token=token)
    assert [item.email for item in listed.items] == ["staying@example.com"]


async def test_a_user_without_a_creator_page_or_a_session_gets_no_list() -> None:
    await make_creator(handle="alice")
    await _subscribed("alice", "someone@example.com")
    fan = await signed_up_and_verified("plain.fan@example.com")
    with pytest.raises(NotACreator):
        await audience.list_subscribers(session_token=fan.session_token)
    with pytest.raises(NotACreator):
        await audience.export_subscribers_csv(session_token=fan.session_token)
    with pytest.raises(NotACreator):
        await audience.remove_subscriber(
            session_token=fan.session_token, subscriber_id=(await _subscriber("someone@example.com")).id or 0
        )
    with pytest.raises(NotAuthenticated):
        await audience.list_subscribers(session_token="not-a-session")
    assert await _count(Subscriber) == 1


async def test_the_csv_export_lists_every_subscriber_with_utc_times_and_defused_formulas() -> None:
    alice = await make_creator(handle="alice")
    await _confirmed("alice", "=cmd@example.com")
    await _subscribed("alice", "+1@example.com", source="profile")
    await _confirmed("alice", "-2@example.com")
    await audience.unsubscribe(token=await latest_link_token("-2@example.com", WELCOME_SUBJECT))
    await _subscribed("alice", "plain@example.com")
    await _set_times(
        "=cmd@example.com",
        created_at=datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
        confirmed_at=datetime(2026, 3, 1, 9, 45, tzinfo=UTC),
    )
    await _set_times("+1@example.com", created_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    await _set_times(
        "-2@example.com",
        created_at=datetime(2026, 3, 3, 11, 0, tzinfo=UTC),
        confirmed_at=datetime(2026, 3, 3, 11, 5, tzinfo=UTC),
        unsubscribed_at=datetime(2026, 3, 4, 8, 0, tzinfo=UTC),
    )
    await _set_times("plain@example.com", created_at=datetime(2026, 3, 5, 23, 59, 59, tzinfo=UTC))
    exported = await audience.export_subscribers_csv(session_token=await _session_token(alice.email))
    assert exported == (
        "email,status,source,subscribed_at,confirmed_at,unsubscribed_at\r\n"
        "plain@example.com,pending,storefront,2026-03-05T23:59:59Z,,\r\n"
        "'-2@example.com,unsubscribed,storefront,2026-03-03T11:00:00Z,2026-03-03T11:05:00Z,2026-03-04T08:00:00Z\r\n"
        "'+1@example.com,pending,profile,2026-03-02T10:00:00Z,,\r\n"
        "'=cmd@example.com,confirmed,storefront,2026-03-01T09:30:15Z,2026-03-01T09:45:00Z,\r\n"
    )


async def test_an_empty_list_exports_only_the_header() -> None:
    alice = await make_creator(handle="alice")
    exported = await audience.export_subscribers_csv(session_token=await _session_token(alice.email))
    assert exported == "email,status,source,subscribed_at,confirmed_at,unsubscribed_at\r\n"
