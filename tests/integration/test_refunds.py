"""Refunds end to end: the creator asks, the sandbox gateway refunds over HTTP, its signed event applies it once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput
from creatorly.models import (
    AnalyticsDaily,
    AuditEntry,
    Creator,
    Entitlement,
    LedgerTransaction,
    Order,
    PaymentAttempt,
    Product,
    ProductFile,
    Refund,
    SandboxWebhook,
)
from creatorly.models.enums import OrderStatus
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.providers.registry import sandbox_api_key
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.checkout import service as checkout
from creatorly.services.delivery import service as delivery
from creatorly.services.external_events import service as external_events
from creatorly.services.external_events.schemas import HandleOutcome
from creatorly.services.ledger import service as ledger
from creatorly.services.orders.dashboard import order_detail
from creatorly.services.orders.service import OrderNotFound
from creatorly.services.refunds import service as refunds
from creatorly.services.sandbox_gateway import refunds as gateway_refunds
from creatorly.services.sandbox_gateway import service as gateway
from tests.accounts import PASSWORD, new_requester
from tests.factories import make_creator, new_product
from tests.processes import serving

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


# --- Given helpers ---------------------------------------------------------------------------------


async def _creator_with_product(*, files: int = 2) -> tuple[Creator, Product, str]:
    """A creator with one published 12.00 USD product of `files` files, and the creator's session token."""
    made = await make_creator(products=[new_product()])
    [product] = made.products
    async with db.transaction() as session:
        for position in range(files):
            session.add(
                ProductFile(
                    product_id=product.id,
                    storage_key=f"files/{product.id}/{position}.pdf",
                    original_name=f"part-{position}.pdf",
                    content_type="application/pdf",
                    size_bytes=1000 + position,
                    sha256="0" * 64,
                    position=position,
                )
            )
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return made.creator, product, signed_in.session_token


async def _charged_order(creator: Creator, product: Product, *, key: str = "refund-test-1") -> Order:
    """An order whose card the gateway charged; its payment event is written but not yet delivered."""
    started = await checkout.start_checkout(
        handle=creator.handle, slug=product.slug, buyer_email=BUYER, checkout_key=key
    )
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None
    await gateway.pay(
        reference=order.provider_reference, card_number="4242424242424242", expiry="12/40", cvc="123", name="Fan"
    )
    return order


async def _paid_order(creator: Creator, product: Product, *, key: str = "refund-test-1") -> Order:
    order = await _charged_order(creator, product, key=key)
    assert await _deliver(await _webhook_body("payment.succeeded", order)) is HandleOutcome.HANDLED
    return await _order(order.public_id)


async def _webhook_body(event_type: str, order: Order, *, index: int = -1) -> bytes:
    """The gateway's stored event of this type for the order (the latest unless `index` says otherwise)."""
    async with db.transaction() as session:
        statement = (
            select(SandboxWebhook).where(SandboxWebhook.event_type == event_type).order_by(col(SandboxWebhook.id))
        )
        webhooks = [row for row in (await session.exec(statement)).all() if order.public_id in row.payload]
    return webhooks[index].payload.encode()


async def _deliver(raw: bytes) -> HandleOutcome:
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    result = await external_events.receive(provider="sandbox", raw_body=raw, headers={"Creatorly-Signature": signature})
    return result.outcome


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def _rows(model: type[Any], *conditions: Any) -> list[Any]:
    async with db.transaction() as session:
        return list((await session.exec(select(model).where(*conditions).order_by(col(model.id)))).all())


async def _trial_balance() -> dict[str, int]:
    async with db.transaction() as session:
        return await ledger.trial_balance(session)


async def _ledger_of(order: Order) -> list[tuple[str, str, int]]:
    assert order.id is not None
    async with db.transaction() as session:
        entries = await ledger.entries_of_order(session, order.id)
    return [(entry.kind, entry.account, entry.amount) for entry in entries]


async def _final_state(order: Order) -> dict[str, Any]:
    """What a refund leaves behind, without ids and times, to compare two runs."""
    current = await _order(order.public_id)
    return {
        "status": current.status,
        "refunded_amount": current.refunded_amount,
        "refunds": [(refund.amount, refund.status) for refund in await _rows(Refund, Refund.order_id == order.id)],
        "ledger": sorted((kind, account.split(":")[0], amount) for kind, account, amount in await _ledger_of(order)),
        "revoked": [row.revoked_at is not None for row in await _rows(Entitlement, Entitlement.order_id == order.id)],
    }


# --- Refunding -------------------------------------------------------------------------------------


async def test_a_partial_refund_then_the_rest_balances_the_books_and_ends_the_downloads() -> None:
    creator, product, token = await _creator_with_product()
    order = await _paid_order(creator, product)

    first = await refunds.refund_order(
        session_token=token, order_public_id=order.public_id, amount_text="5.00", reason="Asked nicely"
    )
    await _deliver(await _webhook_body("refund.succeeded", order))
    after_first = await _order(order.public_id)
    rest = await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="")
    await _deliver(await _webhook_body("refund.succeeded", order))

    assert (first.amount, first.amount_label, first.status) == (500, "$5.00", "requested")
    assert (rest.amount, rest.amount_label) == (700, "$7.00")
    assert (after_first.status, after_first.refunded_amount) == (OrderStatus.PARTIALLY_REFUNDED, 500)
    refunded = await _order(order.public_id)
    assert (refunded.status, refunded.refunded_amount) == (OrderStatus.REFUNDED, 1200)
    refund_rows = await _rows(Refund, Refund.order_id == order.id)
    assert [(row.amount, row.status, row.idempotency_key) for row in refund_rows] == [
        (500, "succeeded", f"refund-{order.public_id}-1"),
        (700, "succeeded", f"refund-{order.public_id}-2"),
    ]
    assert all(row.provider_reference and row.provider_reference.startswith("sbr_") for row in refund_rows)
    assert refund_rows[0].reason == "Asked nicely"
    audited = await _rows(AuditEntry, AuditEntry.action == "refund.requested")
    assert [(row.target_id, row.creator_id, row.reason, row.after) for row in audited] == [
        (order.public_id, creator.id, "Asked nicely", '{"currency": "USD", "refund_amount": 500}'),
        (order.public_id, creator.id, "", '{"currency": "USD", "refund_amount": 700}'),
    ]
    assert set((await _trial_balance()).values()) == {0}
    assert await _count(LedgerTransaction, LedgerTransaction.kind == "refund") == 2
    entitlements = await _rows(Entitlement, Entitlement.order_id == order.id)
    assert len(entitlements) == 2 and all(row.revoked_at is not None for row in entitlements)
    for entitlement in entitlements:
        token_part = delivery.download_path(entitlement.id, order.public_id).rsplit("/", 1)[1]
        with pytest.raises(delivery.DownloadGone):
            await delivery.open_download(token=token_part, range_header=None)
    refund_attempts = await _rows(PaymentAttempt, PaymentAttempt.action == "refund")
    assert [(row.order_id, row.outcome) for row in refund_attempts] == [(order.id, "ok"), (order.id, "ok")]


async def test_a_partial_refund_keeps_the_downloads() -> None:
    creator, product, token = await _creator_with_product()
    order = await _paid_order(creator, product)

    await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="1.00")
    await _deliver(await _webhook_body("refund.succeeded", order))

    entitlements = await _rows(Entitlement, Entitlement.order_id == order.id)
    assert [row.revoked_at for row in entitlements] == [None, None]
    assert set((await _trial_balance()).values()) == {0}


@pytest.mark.parametrize("amount_text", ["12.01", "0", "abc"])
async def test_a_refund_above_what_was_paid_is_refused_and_nothing_is_written(amount_text: str) -> None:
    creator, product, token = await _creator_with_product()
    order = await _paid_order(creator, product)
    attempts_before = await _count(PaymentAttempt)

    with pytest.raises((refunds.RefundExceedsPayment, InvalidInput)):
        await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text=amount_text)

    assert await _count(Refund) == 0
    assert await _count(SandboxWebhook, SandboxWebhook.event_type == "refund.succeeded") == 0
    assert await _count(PaymentAttempt) == attempts_before
    assert (await _order(order.public_id)).status == OrderStatus.PAID


async def test_a_refund_beyond_what_is_left_after_a_pending_refund_is_refused() -> None:
    creator, product, token = await _creator_with_product()
    order = await _paid_order(creator, product)
    await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="10.00")

    with pytest.raises(refunds.RefundExceedsPayment) as refused:
        await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="2.01")

    assert refused.value.message == "You can refund at most $2.00."
    assert await _count(Refund) == 1
    assert await _count(SandboxWebhook, SandboxWebhook.event_type == "refund.succeeded") == 1


async def test_another_creator_can_neither_refund_nor_see_the_order() -> None:
    creator, product, _ = await _creator_with_product()
    _, _, other_token = await _creator_with_product()
    order = await _paid_order(creator, product)

    with pytest.raises(OrderNotFound):
        await refunds.refund_order(session_token=other_token, order_public_id=order.public_id, amount_text="")
    with pytest.raises(OrderNotFound):
        await order_detail(session_token=other_token, order_public_id=order.public_id)

    assert await _count(Refund) == 0
    assert await _count(SandboxWebhook, SandboxWebhook.event_type == "refund.succeeded") == 0
    assert (await _order(order.public_id)).status == OrderStatus.PAID


async def test_an_unpaid_order_cannot_be_refunded() -> None:
    creator, product, token = await _creator_with_product()
    order = await _charged_order(creator, product)  # the payment event has not arrived

    with pytest.raises(refunds.OrderNotRefundable):
        await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="")

    assert await _count(Refund) == 0


async def test_the_same_refund_event_three_times_posts_once() -> None:
    creator, product, token = await _creator_with_product()
    order = await _paid_order(creator, product)
    await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="4.00")
    raw = await _webhook_body("refund.succeeded", order)

    outcomes = [await _deliver(raw) for _ in range(3)]

    assert outcomes == [HandleOutcome.HANDLED, HandleOutcome.SKIPPED, HandleOutcome.SKIPPED]
    assert await _count(LedgerTransaction, LedgerTransaction.kind == "refund") == 1
    assert (await _order(order.public_id)).refunded_amount == 400
    assert set((await _trial_balance()).values()) == {0}


async def test_a_refund_event_before_the_payment_event_ends_in_the_same_state() -> None:
    creator, product, _ = await _creator_with_product()
    in_order = await _charged_order(creator, product, key="in-order-key")
    late = await _charged_order(creator, product, key="late-order-key")
    for order, key in ((in_order, "outside-refund-1"), (late, "outside-refund-2")):
        assert order.provider_reference is not None
        await gateway_refunds.create_refund(
            api_key=sandbox_api_key(),
            payment_reference=order.provider_reference,
            amount=1200,
            currency="USD",
            idempotency_key=key,
        )

    await _deliver(await _webhook_body("payment.succeeded", in_order))
    await _deliver(await _webhook_body("refund.succeeded", in_order))
    with pytest.raises(external_events.WebhookHandlingFailed):
        await _deliver(await _webhook_body("refund.succeeded", late))
    assert await _count(Refund, Refund.order_id == late.id) == 0  # nothing irreversible stored
    await _deliver(await _webhook_body("payment.succeeded", late))
    swept = await external_events.handle_unhandled(older_than_seconds=0)

    assert swept == 1
    assert await _final_state(late) == await _final_state(in_order)
    assert (await _final_state(late))["status"] == OrderStatus.REFUNDED
    assert set((await _trial_balance()).values()) == {0}


async def test_a_double_click_on_refund_makes_one_provider_refund() -> None:
    creator, product, token = await _creator_with_product()
    order = await _paid_order(creator, product)

    first = await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="3.00")
    second = await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="3.00")
    concurrent = await asyncio.gather(
        *(
            refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="3.00")
            for _ in range(3)
        )
    )

    assert first == second and set(concurrent) == {first}
    assert await _count(Refund) == 1
    assert await _count(SandboxWebhook, SandboxWebhook.event_type == "refund.succeeded") == 1


async def test_a_double_click_on_a_full_refund_makes_one_provider_refund() -> None:
    creator, product, token = await _creator_with_product()
    order = await _paid_order(creator, product)

    await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="")
    await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="")

    assert [(row.amount, row.status) for row in await _rows(Refund)] == [(1200, "requested")]
    assert await _count(SandboxWebhook, SandboxWebhook.event_type == "refund.succeeded") == 1


async def test_analytics_count_the_checkout_the_sale_and_the_refund_with_gross_and_net_from_the_ledger() -> None:
    creator, product, token = await _creator_with_product()
    order = await _paid_order(creator, product)
    await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="5.00")
    await _deliver(await _webhook_body("refund.succeeded", order))

    rollups = await _rows(AnalyticsDaily, AnalyticsDaily.dimension == "")
    totals = {row.kind: (row.events, row.amount, row.net_amount, row.currency) for row in rollups}
    async with db.transaction() as session:
        entries = await ledger.entries_of_order(session, order.id or 0)
    creator_earned = sum(entry.amount for entry in entries if entry.account == f"creator:{creator.id}:earnings")
    assert totals["checkout_started"] == (1, 0, 0, "")
    assert totals["purchase"][:2] == (1, 1200) and totals["purchase"][3] == "USD"
    assert totals["refund"][:2] == (1, -500)
    assert totals["purchase"][2] + totals["refund"][2] == -creator_earned
    assert 0 < totals["purchase"][2] < 1200 and totals["refund"][2] < 0
    by_product = await _rows(AnalyticsDaily, AnalyticsDaily.dimension == f"product:{product.id}")
    assert {row.kind for row in by_product} == {"checkout_started", "purchase", "refund"}
