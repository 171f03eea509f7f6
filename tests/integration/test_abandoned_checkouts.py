"""Abandoned checkouts: the worker's scheduled sweep expires checkouts nobody paid, and what is abandoned or failed
never counts as waiting for payment or as money on the creator's dashboard."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.jobs import checkout as checkout_jobs
from creatorly.kit.clock import utc_now
from creatorly.models import Order, Product
from creatorly.models.enums import OrderStatus
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.analytics import dashboard
from creatorly.services.checkout import service as checkout
from creatorly.services.orders import dashboard as orders_dashboard
from creatorly.services.orders import service as orders
from creatorly.services.payouts import service as payouts
from tests.accounts import PASSWORD, new_requester
from tests.factories import make_creator, new_product
from tests.processes import serving


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    """Our own API (with the sandbox gateway's routes) on a free port, as the sandbox provider's base URL."""
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


async def _shop() -> tuple[Product, str, str]:
    """A published product (two units left) of a fresh creator, with the creator's session token and handle."""
    made = await make_creator(products=[new_product()])
    [product] = made.products
    async with db.transaction() as session:
        row = await session.get(Product, product.id)
        assert row is not None
        row.quantity_limit = 2
        session.add(row)
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return product, signed_in.session_token, made.creator.handle


async def _checkout(product: Product, handle: str, *, key: str) -> Order:
    started = await checkout.start_checkout(
        handle=handle, slug=product.slug, buyer_email=f"{key}@example.com", amount_text="", checkout_key=key
    )
    return await _order(started.order_public_id)


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _age(order: Order, *, by: timedelta) -> None:
    """The buyer left this long ago: the order was started `by` before now, so its expiry passed."""
    async with db.transaction() as session:
        row = await session.get(Order, order.id)
        assert row is not None
        row.created_at, row.expires_at = utc_now() - by, utc_now() - by + checkout.CHECKOUT_LIFETIME
        session.add(row)


async def _waiting_count(token: str) -> int:
    """What the orders dashboard counts under "Awaiting payment"."""
    return (await orders_dashboard.list_orders(session_token=token, status=str(OrderStatus.PENDING))).total


async def _run_the_scheduled_sweep(at: datetime) -> list[object]:
    """What the worker's scheduler does at `at`: run every periodic job due then; the sweep's outcome is kept."""
    due = queue.huey.read_periodic(at.replace(tzinfo=None))
    sweeps = [task for task in due if isinstance(task, checkout_jobs.expire_abandoned_orders.task_class)]
    return [await asyncio.to_thread(queue.huey.execute, task) for task in sweeps]


def test_the_sweep_is_scheduled_every_sweeper_interval() -> None:
    start = datetime(2026, 12, 7, 6, 0)
    due_minutes = [
        minute
        for minute in range(60)
        if any(
            isinstance(task, checkout_jobs.expire_abandoned_orders.task_class)
            for task in queue.huey.read_periodic(start + timedelta(minutes=minute))
        )
    ]
    interval = settings.sweeper_interval_minutes
    assert due_minutes == list(range(0, 60, interval)) and interval <= 5


async def test_a_stale_pending_checkout_is_abandoned_by_the_scheduled_job_and_leaves_the_pending_figures() -> None:
    product, token, handle = await _shop()
    stale = await _checkout(product, handle, key=f"stale-{secrets.token_hex(4)}")
    assert stale.status == OrderStatus.PENDING
    await _age(stale, by=checkout.CHECKOUT_LIFETIME + timedelta(minutes=5))
    fresh = await _checkout(product, handle, key=f"fresh-{secrets.token_hex(4)}")  # the stale one holds no unit now
    declined = await _checkout(product, handle, key=f"declined-{secrets.token_hex(4)}")
    async with db.transaction() as session:
        row = await session.get(Order, declined.id)
        assert row is not None
        assert await orders.transition(session, row, OrderStatus.FAILED, cause="card declined")
    assert await _waiting_count(token) == 1  # past its expiry, the stale one reads as abandoned before the sweep

    outcomes = await _run_the_scheduled_sweep(utc_now())

    assert outcomes == [1]
    assert (await _order(stale.public_id)).status == OrderStatus.EXPIRED
    assert (await _order(fresh.public_id)).status == OrderStatus.PENDING
    assert (await _order(declined.public_id)).status == OrderStatus.FAILED
    assert await _waiting_count(token) == 1
    page = await orders_dashboard.list_orders(session_token=token, status=None)
    assert {row.public_id: row.status_label for row in page.items} == {
        stale.public_id: "Abandoned",
        fresh.public_id: "Awaiting payment",
        declined.public_id: "Payment failed",
    }
    # Nothing unpaid is money: no balance (pending or otherwise), no revenue, no orders, no tips
    assert await payouts.balances_of(session_token=token) == []
    view = await dashboard.load_dashboard(session_token=token, range_key="7")
    figures = {metric.key: metric.value for metric in view.metrics}
    assert (figures["gross"], figures["net"], figures["orders"], figures["payments"]) == ("$0.00", "$0.00", "0", "0")
    async with db.transaction() as session:
        assert await orders.count_open_pending(session, product.id or 0, now=utc_now()) == 1  # only the fresh one

    assert await _run_the_scheduled_sweep(utc_now()) == [0]  # idempotent


async def test_a_checkout_left_created_past_its_expiry_is_abandoned_too() -> None:
    """An order never handed to a provider (the process stopped in between) would otherwise wait forever."""
    product, token, _ = await _shop()
    async with db.transaction() as session:
        order = Order(
            public_id=f"ord_{secrets.token_hex(10)}",
            creator_id=product.creator_id,
            product_id=product.id,
            buyer_email="left@example.com",
            amount=product.price_amount,
            currency=product.currency,
            checkout_key=f"left-{secrets.token_hex(4)}",
            status=OrderStatus.CREATED,
            provider="sandbox",
            expires_at=utc_now() - timedelta(minutes=1),
        )
        session.add(order)

    assert await _run_the_scheduled_sweep(utc_now()) == [1]

    assert (await _order(order.public_id)).status == OrderStatus.EXPIRED
    assert await _waiting_count(token) == 0
