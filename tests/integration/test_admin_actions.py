"""Admin actions on creators and orders: each is refused (writing nothing) for a non-admin and for an admin without
two-factor, needs a reason, and leaves one audit entry with what changed; the command line leaves the same entry."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from decimal import Decimal

import pyotp
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.cli import main
from creatorly.config import settings
from creatorly.errors import Forbidden, InvalidInput
from creatorly.models import AuditEntry, Creator, Order, OutboxEmail, Refund, SandboxWebhook
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts import two_factor
from creatorly.services.accounts.errors import TwoFactorSetupRequired
from creatorly.services.accounts.schemas import SignedIn, TwoFactorChallenge
from creatorly.services.admin import actions, catalog_reads, suspension
from creatorly.services.audit.browse import action_label
from creatorly.services.checkout import service as checkout
from creatorly.services.external_events import service as external_events
from creatorly.services.sandbox_gateway import service as gateway
from tests.accounts import PASSWORD, new_requester
from tests.factories import make_creator, new_product
from tests.processes import serving

ADMIN_EMAIL = "admin@example.com"
FRESH_ADMIN_EMAIL = "new-admin@example.com"
BUYER = "fan@example.com"


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    """Our own API (with the sandbox gateway's routes) on a free port, as the sandbox provider's base URL."""
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


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


async def _refused_tokens(creator_email: str) -> list[str]:
    """A creator's session and a new admin's (no two-factor yet): both must be turned away."""
    await accounts.create_admin(email=FRESH_ADMIN_EMAIL, password=PASSWORD)
    return [await _signed_in(creator_email), await _signed_in(FRESH_ADMIN_EMAIL)]


async def _count(model: type[SQLModel]) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def _entries(action: str) -> list[AuditEntry]:
    async with db.transaction() as session:
        statement = select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        return list((await session.exec(statement)).all())


async def _creator_row(creator_id: int | None) -> Creator:
    async with db.transaction() as session:
        creator = await session.get(Creator, creator_id)
        assert creator is not None
        return creator


def _changes(entry: AuditEntry) -> tuple[dict[str, object], dict[str, object]]:
    return json.loads(entry.before), json.loads(entry.after)


async def _deliver_payment(order: Order) -> None:
    async with db.transaction() as session:
        rows = (await session.exec(select(SandboxWebhook).order_by(col(SandboxWebhook.id)))).all()
    for row in rows:
        if order.public_id in row.payload and row.event_type in {"payment.succeeded", "refund.succeeded"}:
            raw = row.payload.encode()
            signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
            await external_events.receive(provider="sandbox", raw_body=raw, headers={"Creatorly-Signature": signature})


async def _paid_order() -> tuple[Order, str]:
    """A 12.00 USD order paid through the sandbox gateway, and its creator's email."""
    made = await make_creator(products=[new_product()])
    product = made.products[0]
    started = await checkout.start_checkout(
        handle=made.creator.handle, slug=product.slug, buyer_email=BUYER, checkout_key="admin-refund-1"
    )
    async with db.transaction() as session:
        order = (await session.exec(select(Order).where(Order.public_id == started.order_public_id))).one()
    assert order.provider_reference is not None
    await gateway.pay(
        reference=order.provider_reference, card_number="4242424242424242", expiry="12/40", cvc="123", name="Fan"
    )
    await _deliver_payment(order)
    return order, made.email


# --- Suspend and restore ---------------------------------------------------------------------------------------


async def test_an_admin_suspends_and_restores_a_creator_with_reasons_in_the_audit_log() -> None:
    made = await make_creator()
    token = await _admin_with_two_factor()

    suspended = await suspension.admin_suspend_creator(
        session_token=token, creator_id=made.creator.id or 0, reason="  Selling   counterfeit goods "
    )
    detail = await catalog_reads.creator_detail(session_token=token, creator_id=made.creator.id or 0)
    restored = await suspension.admin_restore_creator(
        session_token=token, creator_id=made.creator.id or 0, reason="Cleared"
    )

    assert (suspended.is_suspended, suspended.reason) == (True, "Selling counterfeit goods")
    assert (detail.is_suspended, detail.suspension_reason) == (True, "Selling counterfeit goods")
    assert (restored.is_suspended, restored.reason) == (False, "")
    [held] = await _entries("creator.suspended")
    [back] = await _entries("creator.restored")
    assert (held.actor_email, held.actor_role, held.target_type, held.target_id, held.creator_id) == (
        ADMIN_EMAIL,
        "admin",
        "creator",
        made.creator.handle,
        made.creator.id,
    )
    assert held.reason == "Selling counterfeit goods" and back.reason == "Cleared"
    assert suspended.suspended_at is not None
    assert _changes(held) == (
        {"suspended_at": None, "suspension_reason": ""},
        {"suspended_at": suspended.suspended_at.isoformat(), "suspension_reason": "Selling counterfeit goods"},
    )
    assert _changes(back) == (
        {"suspended_at": suspended.suspended_at.isoformat(), "suspension_reason": "Selling counterfeit goods"},
        {"suspended_at": None, "suspension_reason": ""},
    )
    assert (action_label("creator.suspended"), action_label("creator.restored")) == (
        "Storefront suspended",
        "Storefront restored",
    )


async def test_suspending_is_refused_for_a_non_admin_and_an_admin_without_two_factor_and_writes_nothing() -> None:
    made = await make_creator()
    creator_token, fresh_admin_token = await _refused_tokens(made.email)
    audit_before, emails_before = await _count(AuditEntry), await _count(OutboxEmail)

    with pytest.raises(Forbidden):
        await suspension.admin_suspend_creator(
            session_token=creator_token, creator_id=made.creator.id or 0, reason="x y z"
        )
    with pytest.raises(TwoFactorSetupRequired):
        await suspension.admin_suspend_creator(
            session_token=fresh_admin_token, creator_id=made.creator.id or 0, reason="Fraud"
        )
    with pytest.raises(Forbidden):
        await catalog_reads.list_creators(session_token=creator_token)

    assert (await _creator_row(made.creator.id)).suspended_at is None
    assert (await _count(AuditEntry), await _count(OutboxEmail)) == (audit_before, emails_before)


async def test_restoring_is_refused_for_a_non_admin_and_an_admin_without_two_factor_and_writes_nothing() -> None:
    made = await make_creator()
    token = await _admin_with_two_factor()
    await suspension.admin_suspend_creator(session_token=token, creator_id=made.creator.id or 0, reason="Fraud")
    creator_token, fresh_admin_token = await _refused_tokens(made.email)
    audit_before = await _count(AuditEntry)

    for refused_token, error in ((creator_token, Forbidden), (fresh_admin_token, TwoFactorSetupRequired)):
        with pytest.raises(error):
            await suspension.admin_restore_creator(
                session_token=refused_token, creator_id=made.creator.id or 0, reason="Cleared"
            )

    assert (await _creator_row(made.creator.id)).suspension_reason == "Fraud"
    assert await _count(AuditEntry) == audit_before


async def test_a_suspension_needs_a_reason_and_a_creator_not_already_suspended() -> None:
    made = await make_creator()
    token = await _admin_with_two_factor()
    audit_before = await _count(AuditEntry)

    with pytest.raises(InvalidInput):
        await suspension.admin_suspend_creator(session_token=token, creator_id=made.creator.id or 0, reason="  ")
    with pytest.raises(suspension.CreatorNotSuspended):
        await suspension.admin_restore_creator(session_token=token, creator_id=made.creator.id or 0, reason="Why not")

    assert await _count(AuditEntry) == audit_before


# --- Terms -----------------------------------------------------------------------------------------------------


async def test_an_admin_changes_a_creators_terms_and_the_change_is_audited() -> None:
    made = await make_creator()
    token = await _admin_with_two_factor()

    await actions.admin_set_creator_terms(
        session_token=token,
        creator_id=made.creator.id or 0,
        platform_fee_percent=Decimal("4.5"),
        hold_period_days=3,
        reason="Launch partner",
    )

    creator = await _creator_row(made.creator.id)
    assert (creator.platform_fee_percent, creator.hold_period_days) == (Decimal("4.50"), 3)
    [entry] = await _entries("creator.terms_changed")
    assert (entry.actor_email, entry.reason, entry.target_id) == (ADMIN_EMAIL, "Launch partner", made.creator.handle)
    assert _changes(entry) == (
        {"platform_fee_percent": None, "hold_period_days": None},
        {"platform_fee_percent": "4.5", "hold_period_days": 3},
    )


async def test_changing_terms_is_refused_for_a_non_admin_and_an_admin_without_two_factor() -> None:
    made = await make_creator()
    creator_token, fresh_admin_token = await _refused_tokens(made.email)
    audit_before = await _count(AuditEntry)

    for refused_token, error in ((creator_token, Forbidden), (fresh_admin_token, TwoFactorSetupRequired)):
        with pytest.raises(error):
            await actions.admin_set_creator_terms(
                session_token=refused_token,
                creator_id=made.creator.id or 0,
                platform_fee_percent=Decimal(0),
                hold_period_days=0,
                reason="Friends",
            )

    creator = await _creator_row(made.creator.id)
    assert (creator.platform_fee_percent, creator.hold_period_days) == (None, None)
    assert await _count(AuditEntry) == audit_before


# --- Refunds and receipts --------------------------------------------------------------------------------------


async def test_an_admin_refunds_an_order_through_the_creators_refund_path() -> None:
    order, _ = await _paid_order()
    token = await _admin_with_two_factor()
    assert order.id is not None

    refund = await actions.admin_refund_order(
        session_token=token, order_id=order.id, amount_text="5.00", reason="Buyer charged twice"
    )
    await _deliver_payment(order)

    assert (refund.amount, refund.amount_label, refund.status) == (500, "$5.00", "requested")
    detail = await catalog_reads.order_detail(session_token=token, order_id=order.id)
    assert (detail.status, detail.refundable_amount_label) == ("partially_refunded", "$7.00")
    assert [(line.amount_label, line.status, line.reason) for line in detail.refunds] == [
        ("$5.00", "succeeded", "Buyer charged twice")
    ]
    [entry] = await _entries("refund.requested")
    assert (entry.actor_email, entry.actor_role, entry.target_id, entry.reason) == (
        ADMIN_EMAIL,
        "admin",
        order.public_id,
        "Buyer charged twice",
    )
    assert _changes(entry) == ({"refund_amount": 0, "currency": None}, {"refund_amount": 500, "currency": "USD"})


async def test_refunding_is_refused_for_a_non_admin_and_an_admin_without_two_factor_and_writes_nothing() -> None:
    order, creator_email = await _paid_order()
    creator_token, fresh_admin_token = await _refused_tokens(creator_email)
    assert order.id is not None
    audit_before = await _count(AuditEntry)

    for refused_token, error in ((creator_token, Forbidden), (fresh_admin_token, TwoFactorSetupRequired)):
        with pytest.raises(error):
            await actions.admin_refund_order(
                session_token=refused_token, order_id=order.id, amount_text="", reason="Charged twice"
            )

    assert (await _count(Refund), await _count(AuditEntry)) == (0, audit_before)


async def test_an_admin_sends_a_receipt_again_and_it_is_audited() -> None:
    order, _ = await _paid_order()
    token = await _admin_with_two_factor()
    assert order.id is not None
    emails_before = await _count(OutboxEmail)

    address = await actions.admin_resend_receipt(session_token=token, order_id=order.id, reason="Buyer lost it")

    assert address == BUYER
    async with db.transaction() as session:
        receipts = (await session.exec(select(OutboxEmail).where(OutboxEmail.to_address == BUYER))).all()
    first_receipt, sent_again = receipts[-2:]
    assert sent_again.subject == first_receipt.subject and sent_again.subject.startswith("Your purchase: ")
    assert order.public_id in receipts[-1].text_body
    assert await _count(OutboxEmail) == emails_before + 1
    [entry] = await _entries("order.receipt_resent")
    assert (entry.actor_email, entry.target_id, entry.reason) == (ADMIN_EMAIL, order.public_id, "Buyer lost it")
    assert _changes(entry) == ({"receipt_sent_to": ""}, {"receipt_sent_to": BUYER})


async def test_resending_a_receipt_is_refused_for_a_non_admin_and_an_admin_without_two_factor() -> None:
    order, creator_email = await _paid_order()
    creator_token, fresh_admin_token = await _refused_tokens(creator_email)
    assert order.id is not None
    emails_before, audit_before = await _count(OutboxEmail), await _count(AuditEntry)

    for refused_token, error in ((creator_token, Forbidden), (fresh_admin_token, TwoFactorSetupRequired)):
        with pytest.raises(error):
            await actions.admin_resend_receipt(session_token=refused_token, order_id=order.id, reason="Lost it")

    assert (await _count(OutboxEmail), await _count(AuditEntry)) == (emails_before, audit_before)


# --- Lists ------------------------------------------------------------------------------------------------------


async def test_admin_lists_search_and_load_more_newest_first() -> None:
    first, second, third = await make_creator(), await make_creator(), await make_creator()
    token = await _admin_with_two_factor()

    page = await catalog_reads.list_creators(session_token=token, limit=2)
    more = await catalog_reads.list_creators(session_token=token, limit=2, before_id=page.next_cursor)
    found = await catalog_reads.list_creators(session_token=token, text=second.email.upper())

    assert [row.handle for row in page.items] == [third.creator.handle, second.creator.handle]
    assert ([row.handle for row in more.items], more.next_cursor) == ([first.creator.handle], None)
    assert [row.email for row in found.items] == [second.email]


# --- The command line -------------------------------------------------------------------------------------------


async def _cli(*arguments: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, main, ["admin", *arguments])


async def test_the_command_line_suspends_restores_and_sets_terms_with_a_cli_actor() -> None:
    made = await make_creator()
    handle = made.creator.handle

    suspended = await _cli("suspend", handle, "--reason", "Chargebacks")
    restored = await _cli("restore", handle, "--reason", "Resolved")
    terms = await _cli("set-terms", handle, "--fee", "7", "--reason", "Agreed by email")
    again = await _cli("restore", handle, "--reason", "Twice")

    assert (suspended.exit_code, suspended.output) == (0, f"Suspended {handle}.\n")
    assert (restored.exit_code, restored.output) == (0, f"Restored {handle}.\n")
    assert terms.exit_code == 0, terms.output
    assert again.exit_code == 1 and "This creator is not suspended." in again.output
    entries = [*(await _entries("creator.suspended")), *(await _entries("creator.restored"))]
    entries += await _entries("creator.terms_changed")
    assert [(entry.action, entry.reason, entry.actor_role) for entry in entries] == [
        ("creator.suspended", "Chargebacks", "system"),
        ("creator.restored", "Resolved", "system"),
        ("creator.terms_changed", "Agreed by email", "system"),
    ]
    assert all(entry.actor_email.startswith("cli:") and entry.actor_user_id is None for entry in entries)
    assert _changes(entries[0])[1]["suspension_reason"] == "Chargebacks"
    assert _changes(entries[2]) == ({"platform_fee_percent": None}, {"platform_fee_percent": "7"})


async def test_the_suspend_command_needs_a_reason() -> None:
    made = await make_creator()

    result = await _cli("suspend", made.creator.handle)

    assert result.exit_code == 2 and "--reason" in result.output
    assert await _count(AuditEntry) == 0


async def test_admin_product_and_order_pages_show_search_results_and_details() -> None:
    order, _ = await _paid_order()
    token = await _admin_with_two_factor()
    assert order.id is not None and order.product_id is not None
    other = await make_creator(products=[new_product(title="Unrelated Thing", is_published=False)])

    products = await catalog_reads.list_products(session_token=token, text=other.creator.handle)
    product = await catalog_reads.product_detail(session_token=token, product_id=order.product_id)
    paid = await catalog_reads.list_orders(session_token=token, text=BUYER.upper(), status="paid")
    failed = await catalog_reads.list_orders(session_token=token, status="failed")
    detail = await catalog_reads.order_detail(session_token=token, order_id=order.id)

    assert [(row.title, row.status, row.price_label) for row in products.items] == [
        ("Unrelated Thing", "draft", "$12.00")
    ]
    assert (product.sales_count, product.is_published, product.files) == (1, True, [])
    assert product.public_url == f"/{product.creator_handle}/{product.slug}"
    assert [(row.public_id, row.amount_label, row.status_label) for row in paid.items] == [
        (order.public_id, "$12.00", "Paid")
    ]
    assert failed.items == [] and failed.next_cursor is None
    assert [(line.label, line.amount_label) for line in detail.amounts] == [
        ("Paid by the buyer", "$12.00"),
        ("Payment provider fee", "$0.65"),  # the sandbox: 2.9% + $0.30
        ("Platform fee", "$1.20"),
        ("Refunded", "$0.00"),
    ]
    assert (detail.provider, detail.refundable_amount_label, detail.can_resend_receipt) == ("sandbox", "$12.00", True)
    with pytest.raises(InvalidInput):
        await catalog_reads.list_orders(session_token=token, status="lost")
