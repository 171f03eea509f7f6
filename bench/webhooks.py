"""Sale bursts: the real backend (`creatorly start --backend-only`, granian) as its own process, hit with many
signed `payment.succeeded` events for different buyers of ONE product at once.

Prints, per burst size, the wall time of the burst, the median and p95 answer time of one delivery, events
applied per second and the answers seen; then checks every order is paid once. Runs on a throw-away SQLite
database, or on CREATORLY_BENCH_DATABASE_URL (an empty PostgreSQL database) when set.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(tempfile.mkdtemp(prefix="creatorly-bench-webhooks-"))
os.environ["CREATORLY_DATA_DIR"] = str(BENCH_DIR)
os.environ["CREATORLY_DATABASE_URL"] = os.environ.get(
    "CREATORLY_BENCH_DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.db'}"
)
os.environ["CREATORLY_LOG_LEVEL"] = "WARNING"

import httpx  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from alembic import command  # noqa: E402
from creatorly import db  # noqa: E402
from creatorly.cli import PROJECT_ROOT  # noqa: E402
from creatorly.config import settings  # noqa: E402
from creatorly.models import Order  # noqa: E402
from creatorly.models.enums import OrderStatus, PricingModel, Role  # noqa: E402
from creatorly.providers.payments.sandbox_signing import sign  # noqa: E402
from creatorly.services.accounts import service as accounts  # noqa: E402
from creatorly.services.catalog import service as catalog  # noqa: E402
from creatorly.services.catalog.schemas import NewProduct  # noqa: E402
from creatorly.services.checkout import service as checkout  # noqa: E402
from creatorly.services.creators import service as creators  # noqa: E402
from creatorly.services.external_events import service as external_events  # noqa: E402

BURSTS = [int(size) for size in os.environ.get("BENCH_BURSTS", "20,50,100").split(",")]
START_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_backend(port: int) -> subprocess.Popen[bytes]:
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    environment.update({"CREATORLY_PORT": str(port), "CREATORLY_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    log = (BENCH_DIR / "app.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "creatorly.cli", "start", "--backend-only"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the backend exited with {process.returncode}; see {BENCH_DIR / 'app.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code in (200, 503):
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the backend did not start")


async def _product_and_handle() -> tuple[str, str]:
    async with db.transaction() as session:
        user = await accounts.add_verified_user(
            session, email="bench@example.com", password="x" * 12, display_name="Bench", role=Role.CREATOR
        )
        assert user.id is not None
        creator = await creators.add_creator(
            session, user_id=user.id, handle="benchburst", display_name="Bench", bio_markdown="", currency="USD"
        )
        product = await catalog.add_product(
            session,
            creator,
            NewProduct(
                title="Launch day presets",
                summary="s",
                description_markdown="d",
                pricing=PricingModel.FIXED,
                price_amount=1500,
                currency="USD",
                is_published=True,
            ),
        )
        return creator.handle, product.slug


async def _pending_orders(handle: str, slug: str, count: int, burst: int) -> list[Order]:
    orders = []
    for number in range(count):
        started = await checkout.start_checkout(
            handle=handle,
            slug=slug,
            buyer_email=f"buyer{burst}-{number}@example.com",
            amount_text="",
            checkout_key=f"bench-{burst}-{number:05d}",
        )
        async with db.transaction() as session:
            orders.append((await session.exec(select(Order).where(Order.public_id == started.order_public_id))).one())
    return orders


def _delivery(order: Order, event_id: str) -> tuple[bytes, dict[str, str]]:
    payment = {
        "reference": order.provider_reference,
        "merchant_reference": order.public_id,
        "amount": order.amount,
        "currency": order.currency,
        "fee": 65,
        "status": "succeeded",
        "failure_code": None,
        "card_last4": "4242",
    }
    raw = json.dumps(
        {"id": event_id, "type": "payment.succeeded", "created": int(time.time()), "data": {"payment": payment}}
    ).encode()
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    return raw, {"Creatorly-Signature": signature, "Content-Type": "application/json"}


async def _deliver(client: httpx.AsyncClient, delivery: tuple[bytes, dict[str, str]]) -> tuple[str, float]:
    raw, headers = delivery
    started = time.perf_counter()
    try:
        response = await client.post("/api/webhooks/sandbox", content=raw, headers=headers)
        answer = str(response.status_code)
    except httpx.HTTPError as error:
        answer = type(error).__name__
    return answer, (time.perf_counter() - started) * 1000


async def _paid(orders: list[Order]) -> int:
    async with db.transaction() as session:
        statement = select(Order).where(col(Order.id).in_([order.id for order in orders]))
        return sum(row.status == OrderStatus.PAID for row in (await session.exec(statement)).all())


async def _run(base_url: str) -> None:
    settings.public_url = base_url
    handle, slug = await _product_and_handle()
    for burst in BURSTS:
        orders = await _pending_orders(handle, slug, burst, burst)
        deliveries = [_delivery(order, f"evt_bench_{burst}_{number}") for number, order in enumerate(orders)]
        limits = httpx.Limits(max_connections=burst, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
            started = time.perf_counter()
            results = await asyncio.gather(*(_deliver(client, delivery) for delivery in deliveries))
            wall = time.perf_counter() - started
        timings = sorted(milliseconds for _, milliseconds in results)
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        answers = ", ".join(f"{count}× {answer}" for answer, count in sorted(Counter(a for a, _ in results).items()))
        paid = await _paid(orders)
        print(
            f"burst of {burst:>4}: {wall:6.2f} s wall   median {statistics.median(timings):7.1f} ms   "
            f"p95 {p95:7.1f} ms   {burst / wall:6.1f} events/s   answers: {answers}   paid {paid}/{burst}"
        )
    await db.dispose_engine()


def main() -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")
    print(f"database: {db.settings.resolved_database_url.split('://')[0]}   backend: granian, its own process")
    port = _free_port()
    backend = _start_backend(port)
    try:
        asyncio.run(_run(f"http://127.0.0.1:{port}"))
    finally:
        os.killpg(backend.pid, signal.SIGTERM)
        backend.wait(timeout=40)


if __name__ == "__main__":
    main()
