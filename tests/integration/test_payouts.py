"""Payouts on a real database: withdrawals once and never more than available, refusals that write nothing,
provider outcomes applied once in any order, payout accounts encrypted at rest, schedules and the sweeper."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text, update
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.routing import Mount

import creatorly.api.app
from creatorly import db, queue
from creatorly.cli import main
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit import crypto
from creatorly.kit.clock import utc_now
from creatorly.models import (
    LedgerEntry,
    LedgerTransaction,
    Payout,
    PayoutAccount,
    SandboxPayoutTransfer,
    SandboxWebhook,
)
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.accounts.service import sign_in
from creatorly.services.payouts import accounts, balances, schedules, service, withdrawals
from creatorly.services.payouts.outcomes import apply_payout_outcome, find_lost_payouts, submit_payout
from creatorly.services.payouts.rules import PayoutRefused
from creatorly.services.payouts.schemas import PayoutAccountForm
from creatorly.services.sandbox_gateway import payouts as sandbox_payouts
from creatorly.services.sandbox_gateway import service as sandbox_gateway
from tests.accounts import PASSWORD, new_requester
from tests.integration.payout_helpers import (
    US_BANK,
    Seller,
    add_us_bank,
    make_seller,
    net_of,
    payout_rows,
    refund,
    sell,
    trial_balance,
)
from tests.processes import free_port, serving

NET = net_of(2000)  # 1712


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    queue.huey.flush()


async def _ready_seller(sales: int = 2) -> Seller:
    seller = await make_seller(hold_days=0)
    for _ in range(sales):
        await sell(seller)
    await add_us_bank(seller)
    return seller


async def _available(seller: Seller, currency: str = "USD") -> int:
    [balance] = [b for b in await balances.balances_of(seller.creator_id) if b.currency == currency]
    return balance.available


async def _ledger_lines(public_id: str) -> list[tuple[str, str, int, str]]:
    async with db.transaction() as session:
        statement = (
            select(LedgerTransaction.kind, LedgerEntry.account, LedgerEntry.amount, LedgerEntry.memo)
            .join(LedgerEntry, col(LedgerEntry.transaction_id) == col(LedgerTransaction.id))
            .where(LedgerTransaction.reference == f"payout:{public_id}")
            .order_by(col(LedgerEntry.id))
        )
        return [tuple(row) for row in (await session.exec(statement)).all()]  # type: ignore[misc]


async def _apply(public_id: str, outcome: str, *, reason: str = "", reference: str | None = "tr_1") -> bool:
    async with db.transaction() as session:
        return await apply_payout_outcome(
            session,
            provider="sandbox",
            provider_reference=reference,
            merchant_reference=public_id,
            outcome=outcome,  # type: ignore[arg-type]
            reason=reason,
            cause=f"test {outcome}",
        )


# --- withdraw ---------------------------------------------------------------------------------------------------


async def test_a_withdrawal_moves_all_available_earnings_into_a_pending_payout() -> None:
    seller = await _ready_seller()

    payout = await withdrawals.withdraw(seller.creator_id, "usd")

    assert (payout.amount, payout.currency, payout.status, payout.trigger) == (2 * NET, "USD", "pending", "manual")
    assert (payout.amount_label, payout.account_label, payout.failure_reason) == ("$34.24", "Bank ···· 6789", "")
    assert [(e.from_status, e.to_status, e.cause) for e in payout.events] == [("", "pending", "withdrawal requested")]
    earnings, in_transit = f"creator:{seller.creator_id}:earnings", f"creator:{seller.creator_id}:payouts_in_transit"
    assert await _ledger_lines(payout.public_id) == [
        ("payout", earnings, 3424, "payout"),
        ("payout", in_transit, -3424, "payout"),
    ]
    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.available, balance.pending, balance.in_payout, balance.paid_out) == (0, 0, 3424, 0)
    assert balance.lifetime_earnings == 3424
    assert await trial_balance() == {"USD": 0}
    assert [view.public_id for view in await withdrawals.list_payouts(seller.creator_id)] == [payout.public_id]


async def test_twenty_concurrent_withdrawals_make_exactly_one_payout() -> None:
    seller = await _ready_seller()

    results = await asyncio.gather(
        *(withdrawals.withdraw(seller.creator_id, "USD") for _ in range(20)), return_exceptions=True
    )

    made = [result for result in results if not isinstance(result, BaseException)]
    refused = [result for result in results if isinstance(result, BaseException)]
    assert len(made) == 1 and made[0].amount == 3424
    assert len(refused) == 19
    assert all(isinstance(error, PayoutRefused) and error.code == "payout_open" for error in refused)
    # The creator's payout lock turned them away; the unique "one open payout" index never had to.
    assert all(error.__context__ is None for error in refused)
    # Two sales of four legs each, then one payout of two legs.
    assert await payout_rows() == (1, 1, 3, 2 * 4 + 2)
    assert await _available(seller) == 0
    assert await trial_balance() == {"USD": 0}


async def test_a_withdrawal_above_the_available_balance_is_refused_and_writes_nothing() -> None:
    seller = await _ready_seller()
    before = await payout_rows()

    with pytest.raises(PayoutRefused) as refused:
        await withdrawals.withdraw(seller.creator_id, "USD", amount=3425)

    assert refused.value.code == "above_available"
    assert refused.value.message == "You can withdraw at most $34.24 right now."
    assert refused.value.next_step
    assert refused.value.status == 409
    assert await payout_rows() == before
    assert await _available(seller) == 3424


async def test_a_withdrawal_below_the_minimum_is_refused_and_writes_nothing() -> None:
    seller = await make_seller(hold_days=0)
    await sell(seller, gross=1000)  # earns 1000 - 88 - 100 = 812, under the 10.00 minimum
    await add_us_bank(seller)
    before = await payout_rows()

    with pytest.raises(PayoutRefused) as refused:
        await withdrawals.withdraw(seller.creator_id, "USD")

    assert (refused.value.code, refused.value.message) == (
        "below_minimum",
        "The minimum payout is $10.00; you have $8.12.",
    )
    assert await payout_rows() == before
    readiness = await withdrawals.payout_readiness(seller.creator_id, "USD")
    assert (readiness.can_withdraw, readiness.amount, readiness.reason_code) == (False, 812, "below_minimum")


async def test_without_a_payout_account_the_reason_says_to_add_one() -> None:
    seller = await make_seller(hold_days=0)
    await sell(seller)
    before = await payout_rows()

    with pytest.raises(PayoutRefused) as refused:
        await withdrawals.withdraw(seller.creator_id, "USD")

    assert refused.value.code == "no_payout_account"
    assert "Add a bank account" in refused.value.next_step
    assert await payout_rows() == before


def _review(*arguments: str) -> str:
    result = CliRunner().invoke(main, ["admin", "payout-review", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


async def test_an_account_under_review_cannot_withdraw_until_released() -> None:
    seller = await _ready_seller()
    output = await asyncio.to_thread(_review, seller.handle, "--on", "--note", "We are checking recent refunds.")
    before = await payout_rows()

    with pytest.raises(PayoutRefused) as refused:
        await withdrawals.withdraw(seller.creator_id, "USD")
    readiness = await withdrawals.payout_readiness(seller.creator_id, "USD")

    assert output == f"Payouts of {seller.handle} are under review.\n"
    assert refused.value.code == "under_review"
    assert refused.value.message == "Your account is under review. We are checking recent refunds."
    assert (readiness.can_withdraw, readiness.reason) == (False, refused.value.message)
    assert await payout_rows() == before

    await asyncio.to_thread(_review, seller.handle, "--off", "--reason", "Refunds checked.")
    assert (await withdrawals.withdraw(seller.creator_id, "USD")).amount == 3424


async def test_readiness_when_a_withdrawal_can_go() -> None:
    seller = await _ready_seller()

    readiness = await withdrawals.payout_readiness(seller.creator_id, "USD")

    assert (readiness.can_withdraw, readiness.amount, readiness.reason_code) == (True, 3424, None)
    assert readiness.reason == "$34.24 is ready to go to Bank ···· 6789."


# --- outcomes ---------------------------------------------------------------------------------------------------


async def test_a_failed_payout_returns_the_funds_with_the_providers_reason() -> None:
    seller = await _ready_seller()
    payout = await withdrawals.withdraw(seller.creator_id, "USD")

    assert await _apply(payout.public_id, "in_transit")
    assert await _apply(payout.public_id, "failed", reason="The bank account has been closed.")

    detail = await withdrawals.payout_detail(seller.creator_id, payout.public_id)
    assert (detail.status, detail.failure_reason) == ("failed", "The bank account has been closed.")
    assert [(e.from_status, e.to_status, e.cause) for e in detail.events] == [
        ("", "pending", "withdrawal requested"),
        ("pending", "in_transit", "test in_transit"),
        ("in_transit", "failed", "test failed: The bank account has been closed."),
    ]
    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.available, balance.in_payout, balance.paid_out, balance.lifetime_earnings) == (3424, 0, 0, 3424)
    assert await trial_balance() == {"USD": 0}
    # The funds can go out again, in a new payout.
    assert (await withdrawals.withdraw(seller.creator_id, "USD")).amount == 3424


async def test_outcomes_apply_once_and_a_late_or_repeated_event_changes_nothing() -> None:
    seller = await _ready_seller()
    payout = await withdrawals.withdraw(seller.creator_id, "USD")

    assert await _apply(payout.public_id, "paid")  # paid arrives before in_transit
    after_paid = await payout_rows()
    assert not await _apply(payout.public_id, "in_transit")
    assert not await _apply(payout.public_id, "paid")
    assert not await _apply(payout.public_id, "paid", reference="tr_other")

    assert await payout_rows() == after_paid
    detail = await withdrawals.payout_detail(seller.creator_id, payout.public_id)
    assert (detail.status, detail.failure_reason, detail.paid_at is not None) == ("paid", "", True)
    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.available, balance.in_payout, balance.paid_out, balance.lifetime_earnings) == (0, 0, 3424, 3424)
    async with db.transaction() as session:
        disbursed = (
            await session.exec(
                select(LedgerEntry.amount).where(LedgerEntry.account == "payout_provider:sandbox:disbursed")
            )
        ).all()
    assert disbursed == [-3424]
    assert await trial_balance() == {"USD": 0}

    # A failure after "paid" is the bank sending the money back (a reversal): it returns to available, once.
    assert await _apply(payout.public_id, "failed", reason="Returned by the bank")
    assert not await _apply(payout.public_id, "failed", reason="Returned by the bank")
    assert not await _apply(payout.public_id, "paid")
    reversed_detail = await withdrawals.payout_detail(seller.creator_id, payout.public_id)
    assert (reversed_detail.status, reversed_detail.failure_reason) == ("failed", "Returned by the bank")
    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.available, balance.in_payout, balance.paid_out, balance.lifetime_earnings) == (3424, 0, 0, 3424)
    assert await trial_balance() == {"USD": 0}


async def test_an_outcome_for_an_unknown_payout_or_another_provider_changes_nothing() -> None:
    seller = await _ready_seller()
    payout = await withdrawals.withdraw(seller.creator_id, "USD")
    before = await payout_rows()

    assert not await _apply("po_unknown", "paid")
    async with db.transaction() as session:
        assert not await apply_payout_outcome(
            session,
            provider="stripe",
            provider_reference="po_1",
            merchant_reference=payout.public_id,
            outcome="paid",
            reason="",
            cause="wrong provider",
        )

    assert await payout_rows() == before


# --- refunds after payout ---------------------------------------------------------------------------------------


async def test_a_refund_after_a_payout_makes_the_balance_negative_until_the_next_sale_recovers_it() -> None:
    seller = await make_seller(hold_days=0)
    order = await sell(seller)
    await sell(seller)
    await add_us_bank(seller)
    payout = await withdrawals.withdraw(seller.creator_id, "USD")
    await _apply(payout.public_id, "paid")

    await refund(order, 2000)  # the creator gives back 1800 (all but the platform fee)

    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.available, balance.is_negative, balance.paid_out) == (-1800, True, 3424)
    assert balance.lifetime_earnings == 3424 - 1800
    readiness = await withdrawals.payout_readiness(seller.creator_id, "USD")
    assert (readiness.can_withdraw, readiness.amount, readiness.reason_code) == (False, 0, "negative_balance")
    assert readiness.reason == "Your balance is negative (-$18.00) after refunds or disputes."
    with pytest.raises(PayoutRefused):
        await withdrawals.withdraw(seller.creator_id, "USD")

    await sell(seller, gross=5000)  # earns 5000 - 88 - 500 = 4412

    [recovered] = await balances.balances_of(seller.creator_id)
    assert (recovered.available, recovered.is_negative) == (4412 - 1800, False)
    assert (await withdrawals.withdraw(seller.creator_id, "USD")).amount == 2612
    assert await trial_balance() == {"USD": 0}


# --- submission to the provider ---------------------------------------------------------------------------------


async def test_submitting_a_payout_the_provider_cannot_be_reached_for_leaves_it_pending_for_the_sweeper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "public_url", f"http://127.0.0.1:{free_port()}")
    seller = await _ready_seller()
    payout = await withdrawals.withdraw(seller.creator_id, "USD")

    assert await submit_payout(payout.public_id) == "pending"
    assert await find_lost_payouts() == []  # too recent to be lost

    async with db.transaction() as session:
        await session.exec(
            update(Payout)
            .where(col(Payout.public_id) == payout.public_id)
            .values(created_at=utc_now() - timedelta(minutes=2))
        )
    assert await find_lost_payouts() == [payout.public_id]
    detail = await withdrawals.payout_detail(seller.creator_id, payout.public_id)
    assert (detail.status, len(detail.events)) == ("pending", 1)


async def test_submitting_a_payout_that_is_no_longer_pending_does_nothing() -> None:
    seller = await _ready_seller()
    payout = await withdrawals.withdraw(seller.creator_id, "USD")
    await _apply(payout.public_id, "paid")
    before = await payout_rows()

    assert await submit_payout(payout.public_id) == "paid"
    assert await submit_payout("po_missing") == "missing"

    assert await payout_rows() == before


@asynccontextmanager
async def _closing_database(_app: Starlette) -> AsyncIterator[None]:
    yield
    await db.dispose_engine()  # the server thread's own loop opened these connections


@pytest.fixture
def app_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Our real API (the sandbox gateway and the webhook route) over HTTP; payouts settle at once."""
    app = Starlette(routes=[Mount("/", app=creatorly.api.app.api)], lifespan=_closing_database)
    with serving(app, lifespan="on") as url:
        monkeypatch.setattr(settings, "public_url", url)
        monkeypatch.setattr(settings, "sandbox_payout_settle_seconds", 0)
        yield url


async def _settle_through_the_sandbox(public_id: str) -> None:
    """The gateway settles the transfer and its signed webhook is delivered to our route, as the worker does."""
    async with db.transaction() as session:
        transfer = (
            await session.exec(
                select(SandboxPayoutTransfer).where(SandboxPayoutTransfer.merchant_reference == public_id)
            )
        ).one()
    assert transfer.id is not None
    assert await sandbox_payouts.settle_transfer(transfer_id=transfer.id) is None
    async with db.transaction() as session:
        webhook_ids = (
            await session.exec(select(SandboxWebhook.id).where(col(SandboxWebhook.delivered_at).is_(None)))
        ).all()
    for webhook_id in webhook_ids:
        assert webhook_id is not None
        await sandbox_gateway.deliver_webhook(webhook_id=webhook_id)


@pytest.mark.usefixtures("app_url")
async def test_a_payout_goes_through_the_sandbox_provider_from_pending_to_paid() -> None:
    seller = await _ready_seller()
    payout = await withdrawals.withdraw(seller.creator_id, "USD")

    assert await submit_payout(payout.public_id) == "in_transit"
    assert await submit_payout(payout.public_id) == "in_transit"  # the job ran twice: one transfer
    await _settle_through_the_sandbox(payout.public_id)

    detail = await withdrawals.payout_detail(seller.creator_id, payout.public_id)
    assert [event.to_status for event in detail.events] == ["pending", "in_transit", "paid"]
    async with db.transaction() as session:
        row = (await session.exec(select(Payout).where(Payout.public_id == payout.public_id))).one()
        transfers = (await session.exec(select(SandboxPayoutTransfer))).all()
    assert [transfer.reference for transfer in transfers] == [row.provider_reference]
    [balance] = await balances.balances_of(seller.creator_id)
    assert (balance.available, balance.in_payout, balance.paid_out) == (0, 0, 3424)
    assert await trial_balance() == {"USD": 0}


@pytest.mark.usefixtures("app_url")
async def test_a_payout_to_a_closed_account_fails_through_the_sandbox_and_returns_the_funds() -> None:
    seller = await make_seller(hold_days=0)
    await sell(seller)
    await add_us_bank(seller, account_number="000111111113")
    payout = await withdrawals.withdraw(seller.creator_id, "USD")

    assert await submit_payout(payout.public_id) == "in_transit"
    await _settle_through_the_sandbox(payout.public_id)

    detail = await withdrawals.payout_detail(seller.creator_id, payout.public_id)
    assert (detail.status, detail.failure_reason) == ("failed", "The bank account has been closed.")
    assert await _available(seller) == NET
    assert await trial_balance() == {"USD": 0}


# --- payout accounts --------------------------------------------------------------------------------------------


async def _raw_account_columns(public_id: str) -> tuple[str, str]:
    async with db.get_engine().connect() as connection:
        row = (
            await connection.execute(
                text("SELECT account_number_encrypted, account_last4 FROM payout_accounts WHERE public_id = :id"),
                {"id": public_id},
            )
        ).one()
    return str(row[0]), str(row[1])


async def test_a_bank_account_number_is_stored_only_encrypted_and_shown_as_its_last_four() -> None:
    seller = await make_seller()

    view = await add_us_bank(seller, account_number="0001 2345 6789")

    assert (view.kind, view.currency, view.country, view.label) == ("bank", "USD", "US", "Bank ···· 6789")
    assert (view.holder_name, view.is_default) == ("Ada Lovelace", True)
    encrypted, last4 = await _raw_account_columns(view.public_id)
    assert "000123456789" not in encrypted and "123456789" not in encrypted
    assert last4 == "6789"
    assert crypto.decrypt(encrypted, secret=settings.resolved_payout_encryption_key, purpose="payout-account") == (
        "000123456789"
    )


async def test_one_default_per_currency() -> None:
    seller = await make_seller()
    first = await add_us_bank(seller)
    second = await add_us_bank(seller, account_number="000999998888")
    upi = await accounts.add_payout_account(
        seller.creator_id, PayoutAccountForm(kind="upi", currency="INR", upi_id="ravi@okhdfc")
    )
    assert (first.is_default, second.is_default, upi.is_default) == (True, False, True)

    switched = await accounts.set_default_account(seller.creator_id, second.public_id)
    third = await add_us_bank(seller, account_number="000777776666", make_default=True)

    listed = {view.public_id: view.is_default for view in await accounts.list_payout_accounts(seller.creator_id)}
    assert switched.is_default
    assert listed == {first.public_id: False, second.public_id: False, third.public_id: True, upi.public_id: True}

    await accounts.remove_payout_account(seller.creator_id, third.public_id)

    listed_after = {view.public_id: view.is_default for view in await accounts.list_payout_accounts(seller.creator_id)}
    assert listed_after == {first.public_id: False, second.public_id: True, upi.public_id: True}


async def test_an_invalid_account_is_refused_with_the_field_and_nothing_is_stored() -> None:
    seller = await make_seller()

    with pytest.raises(InvalidInput) as refused:
        await add_us_bank(seller, routing_code="011000016")

    assert refused.value.field == "routing_code"
    async with db.transaction() as session:
        assert (await session.exec(select(PayoutAccount))).all() == []


async def test_another_creators_account_and_payout_are_not_found() -> None:
    owner = await _ready_seller()
    stranger = await make_seller()
    [account] = await accounts.list_payout_accounts(owner.creator_id)
    payout = await withdrawals.withdraw(owner.creator_id, "USD")

    with pytest.raises(NotFound):
        await withdrawals.payout_detail(stranger.creator_id, payout.public_id)
    with pytest.raises(NotFound):
        await accounts.set_default_account(stranger.creator_id, account.public_id)
    with pytest.raises(NotFound):
        await accounts.remove_payout_account(stranger.creator_id, account.public_id)
    assert await withdrawals.list_payouts(stranger.creator_id) == []
    assert [view.is_default for view in await accounts.list_payout_accounts(owner.creator_id)] == [True]


# --- schedules --------------------------------------------------------------------------------------------------

NEXT_MONDAY = datetime(2031, 6, 2, 0, 20, tzinfo=UTC)


async def test_a_weekly_schedule_pays_out_once_when_due_and_skips_creators_who_cannot_be_paid() -> None:
    seller = await _ready_seller()
    held = await make_seller(hold_days=30)
    await sell(held)
    await add_us_bank(held)
    assert await schedules.set_schedule(seller.creator_id, "weekly") == "weekly"
    await schedules.set_schedule(held.creator_id, "Weekly")

    first = await schedules.run_scheduled_payouts(now=NEXT_MONDAY)
    again = await schedules.run_scheduled_payouts(now=NEXT_MONDAY + timedelta(hours=1))

    assert (first.opened, first.skipped) == (1, 1)
    assert (again.opened, again.skipped) == (0, 0)
    [payout] = await withdrawals.list_payouts(seller.creator_id)
    assert (payout.amount, payout.trigger, payout.events[0].cause) == (3424, "weekly", "weekly payout schedule")
    assert await withdrawals.list_payouts(held.creator_id) == []
    assert await schedules.get_schedule(seller.creator_id) == "weekly"


async def test_a_new_schedule_waits_for_its_next_due_moment_and_manual_never_runs() -> None:
    seller = await _ready_seller()
    await schedules.set_schedule(seller.creator_id, "monthly")

    assert (await schedules.run_scheduled_payouts(now=utc_now())).opened == 0
    await schedules.set_schedule(seller.creator_id, "manual")
    assert (await schedules.run_scheduled_payouts(now=NEXT_MONDAY)).opened == 0
    with pytest.raises(InvalidInput):
        await schedules.set_schedule(seller.creator_id, "hourly")
    assert await schedules.get_schedule(seller.creator_id) == "manual"


async def test_a_withdrawal_enqueues_its_submission_after_commit_and_a_refusal_enqueues_nothing() -> None:
    seller = await _ready_seller()
    queue.huey.flush()  # the sales' receipt emails

    payout = await withdrawals.withdraw(seller.creator_id, "USD")
    with pytest.raises(PayoutRefused):
        await withdrawals.withdraw(seller.creator_id, "USD")

    submissions = [task.args for task in queue.huey.pending() if task.name == "submit_payout"]
    assert submissions == [(payout.public_id,)]


# --- the signed-in creator's use cases ---------------------------------------------------------------------------


async def _session_token(email: str) -> str:
    signed_in = await sign_in(email=email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


async def test_the_signed_in_creator_sees_and_moves_only_their_own_money() -> None:
    seller = await make_seller(hold_days=0)
    await sell(seller)
    stranger = await make_seller()
    token, stranger_token = await _session_token(seller.email), await _session_token(stranger.email)

    added = await service.add_payout_account(session_token=token, form=US_BANK)
    payout = await service.withdraw(session_token=token, currency="USD")
    await service.set_schedule(session_token=token, schedule="daily")

    assert [b.in_payout for b in await service.balances_of(session_token=token)] == [NET]
    assert (await service.payout_readiness(session_token=token, currency="USD")).reason_code == "payout_open"
    assert [view.public_id for view in await service.list_payout_accounts(session_token=token)] == [added.public_id]
    assert [view.public_id for view in await service.list_payouts(session_token=token)] == [payout.public_id]
    assert (await service.payout_detail(session_token=token, payout_public_id=payout.public_id)).amount == NET
    assert await service.get_schedule(session_token=token) == "daily"
    assert await service.balances_of(session_token=stranger_token) == []
    with pytest.raises(NotFound):
        await service.payout_detail(session_token=stranger_token, payout_public_id=payout.public_id)
    with pytest.raises(NotFound):
        await service.remove_payout_account(session_token=stranger_token, account_public_id=added.public_id)
