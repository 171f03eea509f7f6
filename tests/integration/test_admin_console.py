"""The admin console: platform figures by day, week and month per currency; users, payouts and webhook events
searched, paged and read in detail; holding payouts and retrying an event, audited with a reason, refused (writing
nothing) to anyone but an admin with two-factor on."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp
import pytest
from click.testing import CliRunner
from sqlalchemy import func, update
from sqlmodel import SQLModel, col, select

from creatorly import db
from creatorly.cli import main
from creatorly.errors import Forbidden, InvalidInput
from creatorly.models import AuditEntry, ExternalEvent, LedgerTransaction, Order, Payout, PayoutSettings
from creatorly.models.enums import OrderStatus
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts import two_factor
from creatorly.services.accounts.errors import TwoFactorSetupRequired
from creatorly.services.accounts.schemas import SignedIn, TwoFactorChallenge
from creatorly.services.admin import console, console_actions, overview
from creatorly.services.admin.schemas import BucketFigures, EventStatus
from creatorly.services.external_events import service as external_events
from creatorly.services.external_events.schemas import InboundEvent
from creatorly.services.payouts import withdrawals
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.integration.payout_helpers import Seller, add_us_bank, make_seller, refund, sell

ADMIN_EMAIL = "admin@example.com"
NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # a Wednesday
TODAY = NOW.date()


async def _signed_in(email: str) -> str:
    signed_in = await accounts.sign_in(email=email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


async def _admin_with_two_factor() -> str:
    await accounts.create_admin(email=ADMIN_EMAIL, password=PASSWORD)
    first = await _signed_in(ADMIN_EMAIL)
    setup = await two_factor.begin_setup(session_token=first)
    await two_factor.confirm_setup(session_token=first, code=pyotp.TOTP(setup.secret).now())
    challenge = await accounts.sign_in(email=ADMIN_EMAIL, password=PASSWORD, requester=new_requester())
    assert isinstance(challenge, TwoFactorChallenge)
    done = await accounts.complete_two_factor(
        challenge_token=challenge.challenge_token, code=pyotp.TOTP(setup.secret).now(), requester=new_requester()
    )
    return done.session_token


async def _refused_tokens() -> dict[str, tuple[str, type[Exception]]]:
    """A fan's token (Forbidden) and an admin's who has not turned on two-factor (TwoFactorSetupRequired)."""
    fan = await signed_up_and_verified("fan-refused@example.com")
    await accounts.create_admin(email="fresh-admin@example.com", password=PASSWORD)
    return {
        "fan": (fan.session_token, Forbidden),
        "admin without two-factor": (await _signed_in("fresh-admin@example.com"), TwoFactorSetupRequired),
    }


async def _count(model: type[SQLModel]) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def _audit() -> list[AuditEntry]:
    async with db.transaction() as session:
        return list((await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all())


async def _set_times(order: Order, *, paid_at: datetime, email: str | None = None) -> None:
    """Move a sale (its order and its ledger posting) to `paid_at`."""
    async with db.transaction() as session:
        values: dict[str, Any] = {"paid_at": paid_at}
        if email is not None:
            values["buyer_email"] = email
        await session.exec(update(Order).where(col(Order.id) == order.id).values(**values))  # type: ignore[call-overload]
        await session.exec(
            update(LedgerTransaction)  # type: ignore[call-overload]
            .where(col(LedgerTransaction.reference) == f"order:{order.id}")
            .values(created_at=paid_at)
        )


async def _refund_at(order: Order, amount: int, at: datetime) -> None:
    """A refund as the refunds service leaves it: the ledger posting and the order's refunded amount."""
    await refund(order, amount)
    async with db.transaction() as session:
        await session.exec(
            update(LedgerTransaction)  # type: ignore[call-overload]
            .where(col(LedgerTransaction.reference) == f"order:{order.id}:refund:re_1")
            .values(created_at=at)
        )
        await session.exec(
            update(Order)  # type: ignore[call-overload]
            .where(col(Order.id) == order.id)
            .values(refunded_amount=amount, status=OrderStatus.PARTIALLY_REFUNDED)
        )


def _event(event_id: str, event_type: str, **values: Any) -> ExternalEvent:
    fields: dict[str, Any] = {
        "provider": "sandbox",
        "received_at": NOW,
        "payload": json.dumps({"id": event_id, "type": event_type}),
    }
    fields.update(values)
    return ExternalEvent(event_id=event_id, event_type=event_type, **fields)


async def _store(*events: ExternalEvent) -> list[int]:
    async with db.transaction() as session:
        for event in events:
            session.add(event)
        await session.flush()
        return [event.id or 0 for event in events]


async def _platform_history() -> tuple[Seller, Seller]:
    """USD: 20.00 today, 30.00 yesterday (10.00 of it refunded today), 99.00 400 days ago; INR: 500.00 40 days ago;
    a dispute opened today; every sale pays a 0.88 provider fee and the 10% platform fee."""
    dollars, rupees = await make_seller(), await make_seller(currency="INR")
    today_sale = await sell(dollars, 2000)
    yesterday_sale = await sell(dollars, 3000)
    await _set_times(today_sale, paid_at=NOW - timedelta(hours=2))
    await _set_times(yesterday_sale, paid_at=NOW - timedelta(days=1), email="FAN@example.com")
    await _refund_at(yesterday_sale, 1000, NOW - timedelta(hours=1))
    await _set_times(await sell(dollars, 9900), paid_at=NOW - timedelta(days=400), email="old@example.com")
    await _set_times(await sell(rupees, 50000), paid_at=NOW - timedelta(days=40), email="rupee@example.com")
    await _store(_event("dp_1", "charge.dispute.created", provider="stripe", handled_at=NOW))
    return dollars, rupees


def _by_start(figures: list[BucketFigures]) -> dict[date, BucketFigures]:
    return {bucket.start: bucket for bucket in figures if bucket.gmv or bucket.disputes or bucket.platform_fees}


async def test_daily_figures_per_currency_come_from_paid_orders_and_the_ledger() -> None:
    token = await _admin_with_two_factor()
    dollars, _rupees = await _platform_history()
    await add_us_bank(dollars)
    payout = await withdrawals.withdraw(dollars.creator_id, "USD")

    found = await overview.platform_overview(session_token=token, granularity="day", now=NOW)

    assert (found.since, found.until, len(found.buckets)) == (TODAY - timedelta(days=29), TODAY, 30)
    assert [bucket.start for bucket in found.buckets][-2:] == [TODAY - timedelta(days=1), TODAY]
    active = _by_start(found.buckets)
    assert sorted(active) == [TODAY - timedelta(days=1), TODAY]
    yesterday, today = active[TODAY - timedelta(days=1)], active[TODAY]
    assert (yesterday.gmv, yesterday.platform_fees, yesterday.creator_share) == (
        {"USD": 3000},
        {"USD": 300},
        {"USD": 3000 - 88 - 300},
    )
    assert (yesterday.paid_orders, yesterday.refunded_orders, yesterday.paying_fans, yesterday.active_creators) == (
        1,
        1,
        1,
        1,
    )
    # Today: a 20.00 sale, and the refund of yesterday's 10.00 (1.00 of platform fee back, 9.00 of earnings)
    assert (today.gmv, today.platform_fees, today.creator_share, today.disputes) == (
        {"USD": 2000},
        {"USD": 200 - 100},
        {"USD": 2000 - 88 - 200 - 900},
        1,
    )
    totals = found.totals
    assert (totals.gmv, totals.platform_fees, totals.creator_share) == ({"USD": 5000}, {"USD": 400}, {"USD": 3424})
    # "fan@example.com" and "FAN@example.com" are one paying fan
    assert (totals.paid_orders, totals.refunded_orders, totals.paying_fans, totals.active_creators) == (2, 1, 1, 1)
    assert totals.disputes == 1
    async with db.transaction() as session:
        status = (await session.exec(select(Payout.status).where(Payout.public_id == payout.public_id))).one()
    assert [(row.status, row.currency, row.count, row.amount) for row in found.in_flight] == [(status, "USD", 1, 12246)]
    assert status in ("pending", "in_transit")  # 12246: every USD sale's earnings, the old one's too


async def test_weekly_and_monthly_buckets_take_in_older_sales_in_other_currencies() -> None:
    token = await _admin_with_two_factor()
    await _platform_history()

    weekly = await overview.platform_overview(session_token=token, granularity="week", now=NOW)
    monthly = await overview.platform_overview(session_token=token, granularity="month", now=NOW)

    monday = date(2026, 12, 7)
    assert [bucket.start for bucket in weekly.buckets] == [monday - timedelta(weeks=n) for n in range(11, -1, -1)]
    rupee_week = monday - timedelta(weeks=6)  # 40 days before Wednesday 9 December: Monday 26 October's week
    assert {start: bucket.gmv for start, bucket in _by_start(weekly.buckets).items()} == {
        rupee_week: {"INR": 50000},
        monday: {"USD": 5000},
    }
    assert weekly.totals.gmv == {"USD": 5000, "INR": 50000}
    assert weekly.totals.platform_fees == {"USD": 400, "INR": 5000}
    assert weekly.totals.creator_share == {"USD": 3424, "INR": 50000 - 88 - 5000}
    assert (weekly.totals.paying_fans, weekly.totals.active_creators, weekly.totals.paid_orders) == (2, 2, 3)
    assert weekly.currencies == ["USD", "INR"]  # the one with more paid orders first

    assert [bucket.start for bucket in monthly.buckets][:2] == [date(2026, 1, 1), date(2026, 2, 1)]
    assert monthly.buckets[-1].start == date(2026, 12, 1)
    assert {start: bucket.gmv for start, bucket in _by_start(monthly.buckets).items()} == {
        date(2026, 10, 1): {"INR": 50000},
        date(2026, 12, 1): {"USD": 5000},
    }
    assert monthly.totals.paid_orders == 3  # the sale 400 days ago is outside every period


async def test_the_overview_and_every_list_are_refused_to_others() -> None:
    await _platform_history()
    reads: list[Callable[[str], Awaitable[object]]] = [
        lambda token: overview.platform_overview(session_token=token, granularity="day"),
        lambda token: console.list_users(session_token=token),
        lambda token: console.user_detail(session_token=token, user_id=1),
        lambda token: console.list_payouts(session_token=token),
        lambda token: console.list_events(session_token=token),
        lambda token: console.event_detail(session_token=token, event_id=1),
    ]
    for token, refusal in (await _refused_tokens()).values():
        for read in reads:
            with pytest.raises(refusal):
                await read(token)
    admin = await _admin_with_two_factor()
    with pytest.raises(InvalidInput):
        await overview.platform_overview(session_token=admin, granularity="year")


async def test_users_are_searched_by_email_paged_and_read_in_detail() -> None:
    token = await _admin_with_two_factor()
    dollars, _rupees = await _platform_history()
    fans = [await signed_up_and_verified(f"reader{number}@example.com") for number in range(3)]
    async with db.transaction() as session:
        await session.exec(
            update(Order).where(col(Order.buyer_email) == "rupee@example.com").values(buyer_user_id=fans[0].user.id)  # type: ignore[call-overload]
        )

    first = await console.list_users(session_token=token, email="READER", limit=2)
    rest = await console.list_users(session_token=token, email="reader", before_id=first.next_cursor, limit=2)
    reader = await console.user_detail(session_token=token, user_id=fans[0].user.id)
    seller = await console.user_detail(session_token=token, user_id=(await _user_id(dollars.email)))
    admin = await console.user_detail(session_token=token, user_id=await _user_id(ADMIN_EMAIL))

    assert [row.email for row in first.items] == ["reader2@example.com", "reader1@example.com"]
    assert [row.email for row in rest.items] == ["reader0@example.com"]
    assert rest.next_cursor is None
    assert (reader.user.role, reader.orders, reader.active_sessions, reader.user.creator_id) == ("fan", 1, 1, None)
    assert (seller.user.role, seller.user.creator_id, seller.user.creator_handle) == (
        "creator",
        dollars.creator_id,
        dollars.handle,
    )
    assert (seller.active_sessions, seller.orders, seller.payouts_under_review) == (0, 0, False)
    assert (admin.user.role, admin.user.has_two_factor, admin.active_sessions) == ("admin", True, 2)
    with pytest.raises(console.UserNotFound):
        await console.user_detail(session_token=token, user_id=9999)


async def _user_id(email: str) -> int:
    from creatorly.models import User

    async with db.transaction() as session:
        found = (await session.exec(select(User.id).where(User.email == email))).one()
    assert found is not None
    return found


async def test_payouts_are_filtered_by_status_and_read_with_their_ledger_and_account() -> None:
    token = await _admin_with_two_factor()
    dollars, _rupees = await _platform_history()
    await add_us_bank(dollars)
    opened = await withdrawals.withdraw(dollars.creator_id, "USD")

    everything = await console.list_payouts(session_token=token)
    [row] = everything.items
    same_status = await console.list_payouts(session_token=token, status=row.status)
    paid = await console.list_payouts(session_token=token, status="paid")
    by_handle = await console.list_payouts(session_token=token, search=dollars.handle)
    detail = await console.payout_detail(session_token=token, payout_id=row.id)

    assert (row.public_id, row.creator_id, row.creator_handle, row.amount, row.currency) == (
        opened.public_id,
        dollars.creator_id,
        dollars.handle,
        12246,  # every USD sale's earnings, the old one's too
        "USD",
    )
    assert [item.id for item in same_status.items] == [row.id]
    assert (paid.items, [item.id for item in by_handle.items]) == ([], [row.id])
    assert detail.account_label == "bank ···· 6789"
    assert [(line.kind, line.account, line.amount, line.memo) for line in detail.ledger][:2] == [
        ("payout", f"creator:{dollars.creator_id}:earnings", 12246, "payout"),
        ("payout", f"creator:{dollars.creator_id}:payouts_in_transit", -12246, "payout"),
    ]
    assert detail.steps[0].to_status == "pending"
    with pytest.raises(InvalidInput):
        await console.list_payouts(session_token=token, status="lost")


async def test_webhook_events_by_status_and_search_with_the_payload_pretty_printed() -> None:
    token = await _admin_with_two_factor()
    handled, failed, stuck, pending = await _store(
        _event("evt_handled", "payment.succeeded", handled_at=NOW, attempts=1),
        _event("evt_failed", "payment.succeeded", attempts=2, last_error="RuntimeError: boom"),
        _event("evt_stuck", "payout.paid", attempts=25, last_error="RuntimeError: still"),
        _event("evt_pending", "refund.updated"),
    )

    statuses = {
        status: [row.id for row in (await console.list_events(session_token=token, status=status)).items]
        for status in EventStatus
    }
    by_id = await console.list_events(session_token=token, search="evt_stuck")
    by_type = await console.list_events(session_token=token, search="payment.")
    detail = await console.event_detail(session_token=token, event_id=failed)

    assert statuses == {
        EventStatus.HANDLED: [handled],
        EventStatus.FAILED: [failed],
        EventStatus.STUCK: [stuck],
        EventStatus.PENDING: [pending],
    }
    assert [row.id for row in by_id.items] == [stuck]
    assert [row.id for row in by_type.items] == [failed, handled]
    assert detail.payload == '{\n  "id": "evt_failed",\n  "type": "payment.succeeded"\n}'
    assert (detail.event.status, detail.event.attempts, detail.last_error, detail.can_retry) == (
        EventStatus.FAILED,
        2,
        "RuntimeError: boom",
        True,
    )


async def _review_state(creator_id: int) -> tuple[bool, str] | None:
    async with db.transaction() as session:
        found = await session.get(PayoutSettings, creator_id)
        return None if found is None else (found.under_review, found.review_note)


async def test_an_admin_holds_and_releases_a_creators_payouts_with_a_reason_in_the_audit_log() -> None:
    token = await _admin_with_two_factor()
    seller = await make_seller()
    before = len(await _audit())

    await console_actions.hold_payouts(session_token=token, creator_id=seller.creator_id, reason=" Chargebacks  x3 ")
    held = await _review_state(seller.creator_id)
    detail = await console.user_detail(session_token=token, user_id=await _user_id(seller.email))
    await console_actions.release_payouts(session_token=token, creator_id=seller.creator_id, reason="Cleared")

    assert held == (True, "Chargebacks x3")
    assert (detail.payouts_under_review, detail.review_note) == (True, "Chargebacks x3")
    assert await _review_state(seller.creator_id) == (False, "")
    hold, release = (await _audit())[before:]
    assert [(entry.action, entry.actor_email, entry.actor_role, entry.reason) for entry in (hold, release)] == [
        ("payouts.held", ADMIN_EMAIL, "admin", "Chargebacks x3"),
        ("payouts.released", ADMIN_EMAIL, "admin", "Cleared"),
    ]
    assert (hold.target_type, hold.target_id, hold.creator_id) == ("creator", seller.handle, seller.creator_id)
    assert (json.loads(hold.before), json.loads(hold.after)) == ({"under_review": False}, {"under_review": True})
    assert (json.loads(release.before), json.loads(release.after)) == ({"under_review": True}, {"under_review": False})


async def test_holding_payouts_is_refused_without_a_reason_or_to_others_and_writes_nothing() -> None:
    seller = await make_seller()
    refused = await _refused_tokens()
    token = await _admin_with_two_factor()
    entries = len(await _audit())

    for other, refusal in refused.values():
        with pytest.raises(refusal):
            await console_actions.hold_payouts(session_token=other, creator_id=seller.creator_id, reason="Because")
        with pytest.raises(refusal):
            await console_actions.release_payouts(session_token=other, creator_id=seller.creator_id, reason="Ok")
    for reason in ("", "  ", "no"):
        with pytest.raises(InvalidInput):
            await console_actions.hold_payouts(session_token=token, creator_id=seller.creator_id, reason=reason)

    assert len(await _audit()) == entries
    assert await _review_state(seller.creator_id) is None


async def _fixed_handler(session: Any, event: InboundEvent) -> None:
    return None


async def test_an_admin_retries_a_failed_event_once_its_cause_is_fixed_and_the_retry_is_audited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = await _admin_with_two_factor()
    monkeypatch.setitem(external_events._handlers, ("sandbox", "test.ping"), _fixed_handler)
    [failed] = await _store(_event("evt_1", "test.ping", attempts=25, last_error="RuntimeError: boom"))
    entries = len(await _audit())

    outcome = await console_actions.retry_webhook_event(session_token=token, event_id=failed, reason="Fixed the bug")
    detail = await console.event_detail(session_token=token, event_id=failed)

    assert (outcome.event_id, outcome.outcome) == (failed, "handled")
    assert (detail.event.status, detail.event.attempts, detail.last_error, detail.can_retry) == (
        EventStatus.HANDLED,
        1,
        "",
        False,
    )
    [entry] = (await _audit())[entries:]
    assert (entry.action, entry.target_type, entry.target_id, entry.actor_email, entry.reason) == (
        "webhook_event.retried",
        "external_event",
        str(failed),
        ADMIN_EMAIL,
        "Fixed the bug",
    )
    assert (json.loads(entry.before), json.loads(entry.after)) == (
        {"status": "stuck", "attempts": 25},
        {"status": "retried", "attempts": 0},
    )
    with pytest.raises(console_actions.EventNotRetryable):
        await console_actions.retry_webhook_event(session_token=token, event_id=failed, reason="Again please")
    assert len(await _audit()) == entries + 1


async def test_retrying_an_event_is_refused_without_a_reason_or_to_others_and_writes_nothing() -> None:
    refused = await _refused_tokens()
    token = await _admin_with_two_factor()
    [failed] = await _store(_event("evt_1", "test.ping", attempts=2, last_error="RuntimeError: boom"))
    entries = len(await _audit())

    for other, refusal in refused.values():
        with pytest.raises(refusal):
            await console_actions.retry_webhook_event(session_token=other, event_id=failed, reason="Fixed it")
    with pytest.raises(InvalidInput):
        await console_actions.retry_webhook_event(session_token=token, event_id=failed, reason="")

    assert len(await _audit()) == entries
    async with db.transaction() as session:
        event = await session.get(ExternalEvent, failed)
    assert event is not None
    assert (event.attempts, event.handled_at, event.last_error) == (2, None, "RuntimeError: boom")


def _cli(*arguments: str) -> Any:
    return CliRunner().invoke(main, list(arguments))


async def test_the_command_line_retry_is_the_same_audited_use_case_and_needs_a_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    monkeypatch.setitem(external_events._handlers, ("sandbox", "test.ping"), _fixed_handler)
    [failed] = await _store(_event("evt_1", "test.ping", attempts=25, last_error="RuntimeError: boom"))

    without = await asyncio.to_thread(_cli, "events", "retry", str(failed))
    done = await asyncio.to_thread(_cli, "events", "retry", str(failed), "--reason", "Provider outage over")

    assert without.exit_code == 2
    assert "--reason" in without.output
    assert done.exit_code == 0, done.output
    assert done.output.endswith(f"Event #{failed}: handled\n")
    [entry] = await _audit()
    assert (entry.action, entry.actor_role, entry.reason) == ("webhook_event.retried", "system", "Provider outage over")
    assert entry.actor_email.startswith("cli:")
