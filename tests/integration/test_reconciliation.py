"""Reconciliation end to end: real sandbox sales, a refund and a payout through our own gateway over HTTP, Stripe
through localstripe; then drift is made in the database (as a bug or a hand edit would) and each is reported.

The books are built with the real use cases: checkout, the gateway's card payment and refund, their signed
events, withdraw, the payout's submission, settling and its signed webhook delivered to our route over HTTP.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import stripe
from click.testing import CliRunner, Result
from pydantic import SecretStr
from sqlalchemy import delete, update
from sqlmodel import col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.cli import main
from creatorly.config import settings
from creatorly.errors import Forbidden, InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.models import (
    LedgerEntry,
    LedgerTransaction,
    Order,
    Payout,
    SandboxPayment,
    SandboxPayoutTransfer,
    SandboxWebhook,
)
from creatorly.models.enums import OrderStatus
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.providers.registry import sandbox_api_key
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts import two_factor
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.checkout import service as checkout
from creatorly.services.external_events import service as external_events
from creatorly.services.external_events.schemas import HandleOutcome
from creatorly.services.payouts import accounts as payout_accounts
from creatorly.services.payouts import service as payouts
from creatorly.services.payouts import withdrawals
from creatorly.services.reconciliation import rules
from creatorly.services.reconciliation import service as reconciliation
from creatorly.services.reconciliation.schemas import Mismatch, ReconciliationReport
from creatorly.services.refunds import service as refunds
from creatorly.services.sandbox_gateway import payouts as sandbox_payouts
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.sandbox_gateway.schemas import DeliveryResult
from tests.accounts import PASSWORD, new_requester
from tests.integration.payout_helpers import US_BANK, Seller, make_seller
from tests.localstripe import running_localstripe, send_webhooks_to
from tests.processes import free_port, serving

BUYER = "fan@example.com"
STRIPE_SECRET_KEY = "sk_test_reconcile"
STRIPE_WEBHOOK_SECRET = "whsec_reconcile"
SUCCEEDING_CARD = "4242424242424242"


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    """Our own API (the gateway's routes and our webhook routes) on a free port: the providers' base URL."""
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


# --- Given: books built by the real use cases --------------------------------------------------------------------


@dataclass(frozen=True)
class Books:
    seller: Seller
    token: str
    sold: Order  # paid, not refunded
    refunded: Order  # paid, 5.00 of 20.00 refunded
    payout: Payout  # paid by the sandbox payout gateway


async def _signed_in(email: str) -> str:
    signed_in = await accounts.sign_in(email=email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(col(Order.public_id) == public_id))).one()


async def _payout(public_id: str) -> Payout:
    async with db.transaction() as session:
        return (await session.exec(select(Payout).where(col(Payout.public_id) == public_id))).one()


async def _deliver_latest(event_type: str, needle: str) -> HandleOutcome:
    """The gateway's latest stored event of this type naming `needle`, delivered signed to our webhook handling."""
    async with db.transaction() as session:
        statement = select(SandboxWebhook).where(col(SandboxWebhook.event_type) == event_type)
        webhooks = list((await session.exec(statement.order_by(col(SandboxWebhook.id)))).all())
    raw = [row for row in webhooks if needle in row.payload][-1].payload.encode()
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    result = await external_events.receive(provider="sandbox", raw_body=raw, headers={"Creatorly-Signature": signature})
    return result.outcome


async def _started(seller: Seller, key: str) -> Order:
    started = await checkout.start_checkout(
        handle=seller.handle, slug=seller.product.slug, buyer_email=BUYER, checkout_key=key
    )
    return await _order(started.order_public_id)


async def _sandbox_sale(seller: Seller, key: str) -> Order:
    """A fan checks out and pays with a test card on the gateway; its signed event fulfils the order."""
    order = await _started(seller, key)
    assert order.provider_reference is not None
    await gateway.pay(
        reference=order.provider_reference, card_number=SUCCEEDING_CARD, expiry="12/40", cvc="123", name="Fan"
    )
    assert await _deliver_latest("payment.succeeded", order.public_id) is HandleOutcome.HANDLED
    return await _order(order.public_id)


async def _paid_sandbox_payout(seller: Seller) -> Payout:
    """Withdraw everything, submit it to the sandbox gateway, settle it and deliver its webhook over HTTP."""
    await payout_accounts.add_payout_account(seller.creator_id, US_BANK)
    opened = await withdrawals.withdraw(seller.creator_id, "USD")
    await payouts.submit_payout(opened.public_id)
    async with db.transaction() as session:
        transfer = (
            await session.exec(
                select(SandboxPayoutTransfer).where(col(SandboxPayoutTransfer.merchant_reference) == opened.public_id)
            )
        ).one()
        transfer.settles_at = utc_now() - timedelta(seconds=1)
    await sandbox_payouts.settle_transfer(transfer_id=transfer.id or 0)
    async with db.transaction() as session:
        statement = select(SandboxWebhook).where(col(SandboxWebhook.event_id) == f"evt_{transfer.reference}")
        webhook = (await session.exec(statement)).one()
    outcome = await gateway.deliver_webhook(webhook_id=webhook.id or 0)
    assert (outcome.result, outcome.status_code) == (DeliveryResult.DELIVERED, 200)
    payout = await _payout(opened.public_id)
    assert payout.status == "paid"
    return payout


async def _books() -> Books:
    seller = await make_seller(hold_days=0)
    token = await _signed_in(seller.email)
    sold = await _sandbox_sale(seller, "reconcile-sale-1")
    refunded = await _sandbox_sale(seller, "reconcile-sale-2")
    await refunds.refund_order(session_token=token, order_public_id=refunded.public_id, amount_text="5.00")
    assert await _deliver_latest("refund.succeeded", refunded.public_id) is HandleOutcome.HANDLED
    await _started(seller, "reconcile-abandoned")  # never paid: nothing posted, nothing to compare
    payout = await _paid_sandbox_payout(seller)
    return Books(seller, token, await _order(sold.public_id), await _order(refunded.public_id), payout)


async def _change(model: Any, where: Any, **values: Any) -> None:
    """Drift made by hand, as a bug or an edit in the database would."""
    async with db.transaction() as session:
        await session.exec(update(model).where(where).values(**values))


def _rows(report: ReconciliationReport) -> set[tuple[str, str, str, str, str, str]]:
    return {
        (item.area, item.reference, item.provider, item.problem, item.ours, item.theirs) for item in report.mismatches
    }


# --- A clean run ----------------------------------------------------------------------------------------------


async def test_sandbox_sales_a_refund_and_a_paid_payout_reconcile_without_a_mismatch() -> None:
    books = await _books()

    report = await reconciliation.reconcile(days=30)

    assert (books.sold.status, books.refunded.status, books.refunded.refunded_amount) == (
        OrderStatus.PAID,
        OrderStatus.PARTIALLY_REFUNDED,
        500,
    )
    assert report.mismatches == []
    assert report.is_clean
    assert (report.checked_orders, report.checked_payouts, report.checked_payments) == (3, 1, 2)
    assert report.notes == []
    assert report.days == 30


async def test_orders_older_than_the_window_are_not_checked() -> None:
    books = await _books()
    await _change(Order, col(Order.id) == books.sold.id, created_at=utc_now() - timedelta(days=40), amount=1)

    report = await reconciliation.reconcile(days=30)

    assert report.mismatches == []
    assert report.checked_orders == 2


# --- Drift between orders, the ledger and the payment provider ---------------------------------------------------


async def test_an_order_amount_or_refunded_amount_that_drifted_is_reported_against_ledger_and_gateway() -> None:
    books = await _books()
    await _change(Order, col(Order.id) == books.sold.id, amount=2100)
    await _change(Order, col(Order.id) == books.refunded.id, refunded_amount=700)

    report = await reconciliation.reconcile(days=30)

    sold, refunded = books.sold.public_id, books.refunded.public_id
    assert _rows(report) == {
        ("orders", sold, "sandbox", "the sale's gross differs from the order amount", "$21.00", "$20.00"),
        ("payment provider", sold, "sandbox", "the provider's amount differs", "$21.00", "$20.00"),
        ("orders", refunded, "sandbox", "the refunds posted differ from the order's refunded amount", "$7.00", "$5.00"),
        ("payment provider", refunded, "sandbox", "the provider's refunded amount differs", "$7.00", "$5.00"),
    }
    assert len(report.mismatches) == 4


async def test_a_payment_the_gateway_lost_or_changed_is_reported() -> None:
    books = await _books()
    async with db.transaction() as session:
        await session.exec(delete(SandboxPayment).where(col(SandboxPayment.reference) == books.sold.provider_reference))
    await _change(SandboxPayment, col(SandboxPayment.reference) == books.refunded.provider_reference, amount=1999)

    report = await reconciliation.reconcile(days=30)

    assert _rows(report) == {
        (
            "payment provider",
            books.sold.public_id,
            "sandbox",
            "missing at the provider",
            books.sold.provider_reference,
            "none",
        ),
        ("payment provider", books.refunded.public_id, "sandbox", "the provider's amount differs", "$20.00", "$19.99"),
    }


async def test_a_sale_posted_for_an_order_that_is_not_paid_is_reported() -> None:
    books = await _books()
    await _change(Order, col(Order.id) == books.sold.id, status=OrderStatus.EXPIRED)

    report = await reconciliation.reconcile(days=30)

    assert _rows(report) == {
        ("orders", books.sold.public_id, "sandbox", "a sale is posted but the order is expired", "expired", "sale")
    }
    assert report.checked_payments == 1  # an order that is not paid is not compared with the gateway


async def test_an_unbalanced_ledger_and_a_posting_without_its_order_are_reported() -> None:
    books = await _books()
    async with db.transaction() as session:
        sale = (
            await session.exec(
                select(LedgerTransaction).where(col(LedgerTransaction.reference) == f"order:{books.sold.id}")
            )
        ).one()
        session.add(LedgerEntry(transaction_id=sale.id or 0, account="platform:revenue", amount=-7, currency="USD"))
        orphan = LedgerTransaction(kind="refund", reference="order:999999:refund:re_x", currency="USD")
        session.add(orphan)
        await session.flush()
        for account, amount, memo in [("provider:sandbox:clearing", -5, "refund"), ("platform:revenue", 5, "")]:
            session.add(
                LedgerEntry(transaction_id=orphan.id or 0, account=account, amount=amount, currency="USD", memo=memo)
            )

    report = await reconciliation.reconcile(days=30)

    assert _rows(report) == {
        ("ledger", "USD", "", "the trial balance is not zero", "-$0.07", "0"),
        ("ledger", "order:999999", "", "postings for an order that does not exist", "", ""),
    }


# --- Payouts against the ledger and the payout provider ---------------------------------------------------------


async def test_a_payout_paid_here_but_failed_at_the_provider_is_reported() -> None:
    books = await _books()
    await _change(
        SandboxPayoutTransfer, col(SandboxPayoutTransfer.merchant_reference) == books.payout.public_id, status="failed"
    )

    report = await reconciliation.reconcile(days=30)

    assert _rows(report) == {
        ("payout provider", books.payout.public_id, "sandbox", "the provider's status differs", "paid", "failed")
    }


async def test_a_payout_whose_amount_or_status_drifted_from_its_postings_is_reported() -> None:
    books = await _books()
    amount = books.payout.amount
    await _change(Payout, col(Payout.id) == books.payout.id, amount=amount + 100)

    report = await reconciliation.reconcile(days=30)

    public_id = books.payout.public_id
    ours, theirs = rules.money(amount + 100, "USD"), rules.money(amount, "USD")
    assert _rows(report) == {
        ("payouts", public_id, "sandbox", "the payout posting differs from the payout amount", ours, theirs),
        ("payouts", public_id, "sandbox", "the payout_paid posting differs from the payout amount", ours, theirs),
        ("payout provider", public_id, "sandbox", "the provider's amount differs", ours, theirs),
    }

    await _change(Payout, col(Payout.id) == books.payout.id, amount=amount, status="in_transit")

    report = await reconciliation.reconcile(days=30)

    assert _rows(report) == {
        ("payouts", public_id, "sandbox", "a payout_paid posting for a in_transit payout", "in_transit", "payout_paid"),
        ("payout provider", public_id, "sandbox", "the provider's status differs", "in_transit", "paid"),
    }


async def test_a_paid_payout_the_bank_reversed_matches_its_postings() -> None:
    books = await _books()
    async with db.transaction() as session:
        assert await payouts.apply_payout_outcome(
            session,
            provider="sandbox",
            provider_reference=books.payout.provider_reference,
            merchant_reference=books.payout.public_id,
            outcome="failed",
            reason="The bank returned the payout.",
            cause="test reversal",
        )
    await _change(
        SandboxPayoutTransfer, col(SandboxPayoutTransfer.merchant_reference) == books.payout.public_id, status="failed"
    )

    report = await reconciliation.reconcile(days=30)

    assert (await _payout(books.payout.public_id)).status == "failed"
    assert report.mismatches == []


async def test_an_open_payout_still_in_transit_at_the_provider_matches() -> None:
    seller = await make_seller(hold_days=0)
    await _sandbox_sale(seller, "reconcile-open-payout")
    await payout_accounts.add_payout_account(seller.creator_id, US_BANK)
    opened = await withdrawals.withdraw(seller.creator_id, "USD")
    waiting = await reconciliation.reconcile(days=30)  # not handed to the provider yet: nothing to find there
    await payouts.submit_payout(opened.public_id)

    report = await reconciliation.reconcile(days=30)

    assert (await _payout(opened.public_id)).status == "in_transit"
    assert waiting.mismatches == [] and report.mismatches == []
    assert report.checked_payouts == 1


# --- Providers switched off or unreachable ---------------------------------------------------------------------


async def test_an_unreachable_or_switched_off_provider_is_one_row_each_never_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    books = await _books()
    await _change(Order, col(Order.id) == books.sold.id, provider="stripe")
    monkeypatch.setattr(settings, "public_url", f"http://127.0.0.1:{free_port()}")

    report = await reconciliation.reconcile(days=30)

    problems = {(item.area, item.reference, item.provider, item.problem) for item in report.mismatches}
    unreachable = "the provider's records could not be read (sandbox gateway unreachable: ConnectError)"
    assert problems == {
        ("orders", books.sold.public_id, "stripe", "the sale is posted to another provider's clearing account"),
        ("payment provider", "all", "stripe", "the provider is switched off: 1 orders not checked"),
        ("payment provider", "all", "sandbox", f"{unreachable}: 1 orders not checked"),
        ("payout provider", "all", "sandbox", f"{unreachable}: 1 payouts not checked"),
    }
    assert report.checked_payments == 0


async def test_razorpay_orders_are_noted_as_not_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    books = await _books()
    await _change(Order, col(Order.id) == books.sold.id, provider="razorpay")
    monkeypatch.setattr(settings, "razorpay_key_id", "rzp_test_reconcile")
    monkeypatch.setattr(settings, "razorpay_key_secret", SecretStr("secret"))
    monkeypatch.setattr(settings, "razorpay_webhook_secret", SecretStr("whsec"))

    report = await reconciliation.reconcile(days=30)

    assert report.notes == ["razorpay: its payments cannot be listed yet, so 1 orders were not compared with it"]
    assert {item.problem for item in report.mismatches} == {"the sale is posted to another provider's clearing account"}


# --- Stripe through localstripe --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory, app_server: str) -> Iterator[str]:
    with running_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log") as url:
        send_webhooks_to(url, f"{app_server}/api/webhooks/stripe", secret=STRIPE_WEBHOOK_SECRET)
        yield url


@pytest.fixture
def stripe_on(localstripe_url: str, monkeypatch: pytest.MonkeyPatch) -> stripe.StripeClient:
    """Stripe configured against localstripe; the client plays the buyer's side (Stripe.js)."""
    monkeypatch.setattr(settings, "stripe_api_base", localstripe_url)
    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr(STRIPE_SECRET_KEY))
    monkeypatch.setattr(settings, "stripe_publishable_key", "pk_test_reconcile")
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr(STRIPE_WEBHOOK_SECRET))
    return stripe.StripeClient(STRIPE_SECRET_KEY, base_addresses={"api": localstripe_url})


def _pay_on_stripe(client: stripe.StripeClient, payment_intent_id: str) -> str:
    """Attach a card, then confirm without arguments (localstripe cannot confirm with a payment_method)."""
    card = {"number": SUCCEEDING_CARD, "exp_month": 12, "exp_year": 2040, "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(payment_intent_id).status


async def _paid_stripe_order(client: stripe.StripeClient) -> Order:
    seller = await make_seller(hold_days=0)
    order = await _started(seller, "reconcile-stripe-1")
    assert order.provider == "stripe" and order.provider_reference is not None
    assert await asyncio.to_thread(_pay_on_stripe, client, order.provider_reference) == "succeeded"
    deadline = time.monotonic() + 15
    while (await _order(order.public_id)).status != OrderStatus.PAID:
        assert time.monotonic() < deadline, "localstripe's signed webhook never paid the order"
        await asyncio.sleep(0.1)
    return await _order(order.public_id)


async def test_a_paid_stripe_order_matches_and_a_changed_amount_is_reported(stripe_on: stripe.StripeClient) -> None:
    order = await _paid_stripe_order(stripe_on)

    clean = await reconciliation.reconcile(days=30)
    await _change(Order, col(Order.id) == order.id, amount=1300)
    drifted = await reconciliation.reconcile(days=30)

    assert clean.mismatches == []
    assert (clean.checked_orders, clean.checked_payments) == (1, 1)
    assert _rows(drifted) == {
        ("orders", order.public_id, "stripe", "the sale's gross differs from the order amount", "$13.00", "$20.00"),
        ("payment provider", order.public_id, "stripe", "the provider's amount differs", "$13.00", "$20.00"),
    }


async def test_a_stripe_payment_intent_unknown_to_stripe_is_missing(stripe_on: stripe.StripeClient) -> None:
    order = await _paid_stripe_order(stripe_on)
    await _change(Order, col(Order.id) == order.id, provider_reference="pi_unknown_to_stripe")

    report = await reconciliation.reconcile(days=30)

    assert _rows(report) == {
        ("payment provider", order.public_id, "stripe", "missing at the provider", "pi_unknown_to_stripe", "none")
    }


# --- Who may run it, and the command ----------------------------------------------------------------------------


async def _admin_token() -> str:
    import pyotp

    assert await accounts.create_admin(email="admin@example.com", password=PASSWORD) is True
    token = await _signed_in("admin@example.com")
    setup = await two_factor.begin_setup(session_token=token)
    await two_factor.confirm_setup(session_token=token, code=pyotp.TOTP(setup.secret).now())
    return token


async def test_only_an_admin_runs_reconciliation_and_exports_it() -> None:
    books = await _books()
    await _change(Order, col(Order.id) == books.sold.id, refunded_amount=1)
    admin = await _admin_token()

    with pytest.raises(Forbidden):
        await reconciliation.run_reconciliation(session_token=books.token, days=30)
    with pytest.raises(Forbidden):
        await reconciliation.check_access(session_token=books.token)
    with pytest.raises(Forbidden):
        await reconciliation.export_mismatches_csv(
            session_token=books.token, mismatches=[Mismatch("ledger", "USD", "", "x")]
        )
    report = await reconciliation.run_reconciliation(session_token=admin, days=7)
    text = await reconciliation.export_mismatches_csv(session_token=admin, mismatches=report.mismatches)

    await reconciliation.check_access(session_token=admin)
    assert report.days == 7
    assert text.splitlines() == [
        "area,reference,provider,problem,ours,theirs",
        f"orders,{books.sold.public_id},sandbox,the refunds posted differ from the order's refunded amount,$0.01,$0.00",
        f"payment provider,{books.sold.public_id},sandbox,the provider's refunded amount differs,$0.01,$0.00",
    ]


@pytest.mark.parametrize("days", [0, 3651])
async def test_a_period_outside_1_to_3650_days_is_refused(days: int) -> None:
    with pytest.raises(InvalidInput):
        await reconciliation.reconcile(days=days)


async def _command(*arguments: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, ["reconcile", *arguments])


async def test_the_command_exits_0_when_the_books_match_and_1_listing_each_mismatch() -> None:
    books = await _books()

    clean = await _command()
    await _change(Order, col(Order.id) == books.sold.id, amount=2100)
    drifted = await _command("--days", "7")

    assert clean.exit_code == 0, clean.output
    assert clean.stdout == ""
    assert "Checked 3 orders, 1 payouts and 2 provider payments of the last 30 days: 0 mismatches." in clean.stderr
    assert drifted.exit_code == 1
    assert drifted.stdout.splitlines() == [
        f"orders [sandbox] {books.sold.public_id}: the sale's gross differs from the order amount "
        "(ours: $21.00, theirs: $20.00)",
        f"payment provider [sandbox] {books.sold.public_id}: the provider's amount differs "
        "(ours: $21.00, theirs: $20.00)",
    ]
    assert "2 mismatches." in drifted.stderr


# --- The sandbox gateway's payment listing ----------------------------------------------------------------------


@pytest.fixture
def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=creatorly.api.app.api), base_url="http://test")


async def test_the_gateway_lists_payments_with_their_refunded_total_for_its_key_only(
    client: httpx.AsyncClient,
) -> None:
    books = await _books()
    headers = {"Authorization": f"Bearer {sandbox_api_key()}"}
    references = [books.refunded.provider_reference, "pay_unknown", books.sold.provider_reference]

    listed = await client.get("/sandbox/api/payments", params={"reference": references}, headers=headers)
    no_key = await client.get("/sandbox/api/payments", params={"reference": references})
    wrong_key = await client.get(
        "/sandbox/api/payments", params={"reference": references}, headers={"Authorization": "Bearer nope"}
    )
    none = await client.get("/sandbox/api/payments", headers=headers)
    too_many = await client.get(
        "/sandbox/api/payments", params={"reference": [f"pay_{n}" for n in range(101)]}, headers=headers
    )

    assert listed.status_code == 200
    assert listed.headers["cache-control"] == "no-store"
    assert listed.json() == {
        "data": [
            {
                "reference": books.sold.provider_reference,
                "merchant_reference": books.sold.public_id,
                "amount": 2000,
                "currency": "USD",
                "status": "succeeded",
                "amount_refunded": 0,
            },
            {
                "reference": books.refunded.provider_reference,
                "merchant_reference": books.refunded.public_id,
                "amount": 2000,
                "currency": "USD",
                "status": "succeeded",
                "amount_refunded": 500,
            },
        ]
    }
    assert (no_key.status_code, wrong_key.status_code) == (401, 401)
    assert (none.status_code, none.json()["field"]) == (400, "reference")
    assert too_many.status_code == 400


async def test_the_daily_job_reconciles_the_last_days_and_counts_the_mismatches() -> None:
    from creatorly.jobs.reconciliation import reconcile_daily

    books = await _books()
    assert await asyncio.to_thread(reconcile_daily.call_local) == 0

    async with db.transaction() as session:
        await session.exec(update(Order).where(col(Order.id) == books.sold.id).values(amount=books.sold.amount + 1))

    assert await asyncio.to_thread(reconcile_daily.call_local) >= 1
