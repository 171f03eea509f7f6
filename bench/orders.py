"""Paid orders end to end: 32 concurrent buyers over 20 products (5 creators, one file each), each buying one order
after another: sandbox checkout → signed sandbox `payment.succeeded` webhook → order paid, ledger posted, receipt
queued (an outbox row and its delivery job on the Redis queue; no worker is needed for "queued").

Creatorly runs as its own process (`creatorly start --backend-only`, CREATORLY_ENV=production, granian with one
worker, Redis queue) on PostgreSQL. What goes over HTTP and what does not:

- checkout: there is no plain HTTP endpoint (the storefront's Buy button is a Reflex event over the websocket), so
  each buyer runs the same use case the button's handler runs, `checkout.start_checkout`, in this process, against
  the same database. It calls the sandbox gateway's API over HTTP (POST /sandbox/api/payments, served by the app
  process), exactly as it does in production.
- paying: the sandbox's hosted card page is also a Reflex page; what it leads to is the gateway's signed event.
  Each buyer POSTs that event (`payment.succeeded`, signed with the sandbox secret, the gateway's own body format)
  to /api/webhooks/sandbox over HTTP: verify, store once, lock the order, mark it paid, post the ledger, grant the
  file, queue the receipt, record the sale, in the app process.

The baseline (`bench/orders_baseline.py`: Starlette + asyncpg, the same granian with one worker) does the minimal
equivalent per order over HTTP: POST /checkout (one INSERT), then the same signed webhook (verify; store the event
once, lock the order, mark it paid, a ledger transaction with four balancing legs, an outbox row; one transaction).
They run alternately, A B A B, on one fresh database. Printed per run: orders/s, p50/p99 of one buyer's whole
order, of its checkout and of its webhook, 5xx count, and CPU milliseconds per order of the server process(es),
of this process (buyers, and for Creatorly the in-process checkouts) and of the database's backends. Then the
ratio, the goal (≥ 200 orders/s, zero 5xx), a check from the database (every order paid exactly once, every
ledger transaction balanced, one receipt queued per order), and the load average before and after.

Needs PostgreSQL: CREATORLY_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres; a database
bench_orders is made and dropped there) and Redis: BENCH_ORDERS_REDIS_URL (default redis://127.0.0.1:6379/3,
emptied before and after). Size: BENCH_ORDERS orders per measured run (default 1500);
BENCH_ORDERS_APP_WORKERS granian workers for the app (default 1, as the baseline).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    drop_database,
    free_port,
    fresh_database,
    http_request,
    load_average,
    percentile,
    postgres_url,
    start_server,
    stop_server,
)

REDIS_URL = os.environ.get("BENCH_ORDERS_REDIS_URL", "redis://127.0.0.1:6379/3")
DATABASE = "bench_orders"
ORDERS_PER_RUN = int(os.environ.get("BENCH_ORDERS", "1500"))
APP_WORKERS = os.environ.get("BENCH_ORDERS_APP_WORKERS", "1")  # granian workers of the app; the baseline has one
WARM_ORDERS = 100
BUYERS = 32
CREATORS = 5
PRODUCTS_PER_CREATOR = 4
GOAL_PER_SECOND = 200.0
BENCH_DIR = Path(tempfile.mkdtemp(prefix="creatorly-bench-orders-"))
SECRET_KEY = secrets.token_urlsafe(32)


# This process runs the checkout use case itself: it must see the app's settings (same database, secret, Redis).
APP_ENVIRONMENT = {
    "CREATORLY_ENV": "production",
    "CREATORLY_SECRET_KEY": SECRET_KEY,
    "CREATORLY_DATABASE_URL": postgres_url(DATABASE),
    "CREATORLY_DATA_DIR": str(BENCH_DIR / "data"),
    "CREATORLY_REDIS_URL": REDIS_URL,
    "CREATORLY_LOG_LEVEL": "WARNING",
    "GRANIAN_WORKERS": APP_WORKERS,
}
os.environ.update(APP_ENVIRONMENT)
os.environ["CREATORLY_PUBLIC_URL"] = "http://127.0.0.1:9"  # set to each run's server before its checkouts

import asyncpg  # noqa: E402
import redis  # noqa: E402

from creatorly import db  # noqa: E402
from creatorly.config import settings  # noqa: E402
from creatorly.models import ProductFile  # noqa: E402
from creatorly.models.enums import PricingModel, Role  # noqa: E402
from creatorly.providers.payments.sandbox_signing import SIGNATURE_HEADER, sign  # noqa: E402
from creatorly.services.accounts import service as accounts  # noqa: E402
from creatorly.services.catalog import service as catalog  # noqa: E402
from creatorly.services.catalog.schemas import NewProduct  # noqa: E402
from creatorly.services.checkout import service as checkout  # noqa: E402
from creatorly.services.creators import service as creators  # noqa: E402
from creatorly.services.external_events.service import sandbox_webhook_secret  # noqa: E402
from creatorly.services.sandbox_gateway.rules import fee_for  # noqa: E402


@dataclass(frozen=True, slots=True)
class Shelf:
    handle: str
    slug: str
    amount: int
    currency: str = "USD"


@dataclass(slots=True)
class Timings:
    whole: list[float] = field(default_factory=list)
    checkout: list[float] = field(default_factory=list)
    webhook: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


# --- A light keep-alive HTTP/1.1 connection per buyer (the answer's body is needed, so not bench.common.hammer) ---


class Connection:
    def __init__(self, port: int) -> None:
        self._port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = http_request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
        for _attempt in range(2):
            if self._reader is None or self._writer is None:
                self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self._port)
            try:
                self._writer.write(request)
                return await _read_answer(self._reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()
        return 0, b""

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length, is_chunked = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            is_chunked = True
    if not is_chunked:
        return status, await reader.readexactly(length)
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        chunks.append((await reader.readexactly(size + 2))[:-2])
        if size == 0:
            return status, b"".join(chunks)


# --- The database: fresh, seeded, checked ---------------------------------------------------------------------


def _migrate() -> None:
    from alembic.config import Config

    from alembic import command
    from creatorly.cli import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["skip_logging"] = True
    command.upgrade(config, "head")


async def _seed() -> list[Shelf]:
    shelves = []
    async with db.transaction() as session:
        for creator_number in range(CREATORS):
            user = await accounts.add_verified_user(
                session,
                email=f"creator{creator_number}@example.com",
                password="x" * 12,
                display_name=f"Creator {creator_number}",
                role=Role.CREATOR,
            )
            assert user.id is not None
            creator = await creators.add_creator(
                session,
                user_id=user.id,
                handle=f"benchshop{creator_number}",
                display_name=f"Shop {creator_number}",
                bio_markdown="",
                currency="USD",
            )
            for product_number in range(PRODUCTS_PER_CREATOR):
                amount = 500 + 250 * (creator_number * PRODUCTS_PER_CREATOR + product_number)
                product = await catalog.add_product(
                    session,
                    creator,
                    NewProduct(
                        title=f"Preset pack {creator_number}-{product_number}",
                        summary="Presets",
                        description_markdown="Twelve presets.",
                        pricing=PricingModel.FIXED,
                        price_amount=amount,
                        currency="USD",
                        is_published=True,
                    ),
                )
                assert product.id is not None
                session.add(
                    ProductFile(
                        product_id=product.id,
                        storage_key=f"bench/{product.id}.zip",
                        original_name="presets.zip",
                        content_type="application/zip",
                        size_bytes=1024,
                        sha256="0" * 64,
                    )
                )
                shelves.append(Shelf(handle=creator.handle, slug=product.slug, amount=amount))
    return shelves


CHECKS = {
    "orders not paid": "SELECT count(*) FROM orders WHERE status <> 'paid'",
    "orders paid other than once": (
        "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM order_events e"
        " WHERE e.order_id = o.id AND e.to_status = 'paid') <> 1"
    ),
    "orders without exactly one sale posted": (
        "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM ledger_transactions t"
        " WHERE t.kind = 'sale' AND t.reference = 'order:' || o.id) <> 1"
    ),
    "ledger transactions unbalanced": (
        "SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id"
        " HAVING sum(amount) <> 0) AS unbalanced"
    ),
    "orders without exactly one receipt queued": (
        "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM outbox_emails m"
        " WHERE m.to_address = o.buyer_email AND m.status = 'pending') <> 1"
    ),
    "orders without their file granted": (
        "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM entitlements g WHERE g.order_id = o.id)"
    ),
    "sales counted other than orders paid": (
        "SELECT abs((SELECT sum(sold_count) FROM products) - (SELECT count(*) FROM orders WHERE status = 'paid'))"
    ),
    "baseline orders not paid once": (
        "SELECT count(*) FROM baseline_orders o WHERE o.status <> 'paid' OR (SELECT count(*)"
        " FROM baseline_ledger_transactions t WHERE t.order_id = o.id) <> 1"
        " OR (SELECT count(*) FROM baseline_outbox m WHERE m.order_id = o.id) <> 1"
    ),
    "baseline ledger transactions unbalanced": (
        "SELECT count(*) FROM (SELECT transaction_id FROM baseline_ledger_entries GROUP BY transaction_id"
        " HAVING sum(amount) <> 0) AS unbalanced"
    ),
}


async def _check() -> bool:
    connection = await asyncpg.connect(postgres_url(DATABASE))
    try:
        orders = await connection.fetchval("SELECT count(*) FROM orders")
        ledger = await connection.fetchval("SELECT count(*) FROM ledger_transactions")
        receipts = await connection.fetchval("SELECT count(*) FROM outbox_emails")
        baseline = await connection.fetchval("SELECT count(*) FROM baseline_orders")
        print(
            f"  check from the database: {orders} Creatorly orders, {ledger} ledger transactions, {receipts} receipts"
            f" queued, {redis.Redis.from_url(REDIS_URL).llen('huey.redis.creatorly')} jobs on the Redis queue;"
            f" {baseline} baseline orders"
        )
        is_correct = orders > 0 and baseline > 0
        for label, query in CHECKS.items():
            found = await connection.fetchval(query)
            is_correct = is_correct and found == 0
            print(f"    {label}: {found}{'' if found == 0 else '   <-- WRONG'}")
    finally:
        await connection.close()
    print(f"  check: {'every order paid exactly once, ledger balanced, one receipt each' if is_correct else 'FAILED'}")
    return is_correct


# --- Servers and their CPU time ---------------------------------------------------------------------------------


def _start(kind: str, port: int) -> subprocess.Popen[bytes]:
    if kind == "baseline":
        command = "-m granian --interface asgi --workers 1 --host 127.0.0.1 --log-level warning --port"
        return start_server(
            [sys.executable, *command.split(), str(port), "bench.orders_baseline:app"],
            port=port,
            log_path=BENCH_DIR / "baseline.log",
            environment={
                "BENCH_SANDBOX_WEBHOOK_SECRET": sandbox_webhook_secret(),
                "BENCH_BASELINE_DSN": postgres_url(DATABASE),
            },
        )
    return start_server(
        [sys.executable, "-m", "creatorly.cli", "start", "--backend-only"],
        port=port,
        log_path=BENCH_DIR / "creatorly.log",
        environment={
            **APP_ENVIRONMENT,
            "CREATORLY_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "CREATORLY_PORT": str(port),
        },
    )


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(*, root: int | None = None, database: str | None = None) -> float:
    """CPU time of a server process and all its descendants, or of the database's backends (by their title)."""
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if database is not None and database not in (entry / "cmdline").read_text():
                continue
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime + stime
    if root is not None:
        tree, is_growing = {root}, True
        while is_growing:
            grown = tree | {pid for pid, parent in parents.items() if parent in tree}
            is_growing, tree = grown != tree, grown
        times = {pid: ticks for pid, ticks in times.items() if pid in tree}
    return sum(times.values()) / _TICKS


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


# --- Buyers ------------------------------------------------------------------------------------------------------


def _signed_event(order_public_id: str, reference: str, shelf: Shelf) -> tuple[bytes, dict[str, str]]:
    """The gateway's `payment.succeeded` body (see sandbox_gateway.service.event_payload), signed as it signs."""
    payment = {
        "reference": reference,
        "merchant_reference": order_public_id,
        "amount": shelf.amount,
        "currency": shelf.currency,
        "fee": fee_for(shelf.amount, shelf.currency),
        "status": "succeeded",
        "failure_code": None,
        "card_last4": "4242",
    }
    now = int(time.time())
    raw = json.dumps(
        {
            "id": f"evt_{secrets.token_hex(12)}",
            "type": "payment.succeeded",
            "created": now,
            "data": {"payment": payment},
        },
        separators=(",", ":"),
    ).encode()
    return raw, {SIGNATURE_HEADER: sign(raw, secret=sandbox_webhook_secret(), timestamp=now)}


async def _creatorly_checkout(connection: Connection, shelf: Shelf, email: str, key: str) -> tuple[int, str, str]:
    started = await checkout.start_checkout(handle=shelf.handle, slug=shelf.slug, buyer_email=email, checkout_key=key)
    return 200, started.order_public_id, started.redirect_url.rsplit("/", 1)[1]


async def _baseline_checkout(connection: Connection, shelf: Shelf, email: str, key: str) -> tuple[int, str, str]:
    body = json.dumps({"product": shelf.slug, "email": email, "amount": shelf.amount, "currency": shelf.currency})
    status, answer = await connection.post("/checkout", body.encode(), {})
    if status != 200:
        return status, "", ""
    opened = json.loads(answer)
    return status, opened["order_public_id"], opened["reference"]


async def _buy(kind: str, port: int, run: str, shelves: list[Shelf], count: int) -> Timings:
    timings = Timings()
    numbers = list(range(count))
    start_checkout = _creatorly_checkout if kind == "creatorly" else _baseline_checkout

    async def buyer(buyer_number: int) -> None:
        connection = Connection(port)
        try:
            while numbers:
                number = numbers.pop()
                shelf = shelves[number % len(shelves)]
                email, key = f"buyer-{run}-{number}@example.com", f"bench-{run}-{number:06d}"
                started = time.perf_counter()
                status, order_public_id, reference = await start_checkout(connection, shelf, email, key)
                paying = time.perf_counter()
                if status == 200:
                    raw, headers = _signed_event(order_public_id, reference, shelf)
                    status, _ = await connection.post("/api/webhooks/sandbox", raw, headers)
                done = time.perf_counter()
                timings.whole.append(done - started)
                timings.checkout.append(paying - started)
                timings.webhook.append(done - paying)
                timings.statuses.append(status)
        finally:
            connection.close()

    await asyncio.gather(*(buyer(number) for number in range(BUYERS)))
    return timings


async def _measure(kind: str, run: str, shelves: list[Shelf]) -> dict[str, float]:
    port = free_port()
    server = _start(kind, port)
    settings.public_url = f"http://127.0.0.1:{port}"
    try:
        await _buy(kind, port, f"{run}w", shelves, WARM_ORDERS)
        server_cpu, own_cpu = _cpu_seconds(root=server.pid), _own_cpu_seconds()
        database_cpu = _cpu_seconds(database=DATABASE)
        started = time.perf_counter()
        timings = await _buy(kind, port, run, shelves, ORDERS_PER_RUN)
        seconds = time.perf_counter() - started
        server_cpu = _cpu_seconds(root=server.pid) - server_cpu
        own_cpu, database_cpu = _own_cpu_seconds() - own_cpu, _cpu_seconds(database=DATABASE) - database_cpu
    finally:
        stop_server(server)
    return {
        "per_second": len(timings.whole) / seconds,
        "p50_ms": percentile(timings.whole, 0.50) * 1000,
        "p99_ms": percentile(timings.whole, 0.99) * 1000,
        "checkout_p50_ms": percentile(timings.checkout, 0.50) * 1000,
        "webhook_p50_ms": percentile(timings.webhook, 0.50) * 1000,
        "webhook_p99_ms": percentile(timings.webhook, 0.99) * 1000,
        "errors": sum(1 for status in timings.statuses if not 200 <= status < 300),
        "server_errors": sum(1 for status in timings.statuses if status >= 500 or status == 0),
        "server_cpu_ms": server_cpu * 1000 / ORDERS_PER_RUN,
        "own_cpu_ms": own_cpu * 1000 / ORDERS_PER_RUN,
        "database_cpu_ms": database_cpu * 1000 / ORDERS_PER_RUN,
    }


def _line(kind: str, figures: dict[str, float]) -> str:
    return (
        f"  {kind:<10} {figures['per_second']:7.1f} orders/s  order p50 {figures['p50_ms']:6.1f} ms"
        f" p99 {figures['p99_ms']:6.1f} ms | checkout p50 {figures['checkout_p50_ms']:6.1f} ms"
        f" | webhook p50 {figures['webhook_p50_ms']:6.1f} p99 {figures['webhook_p99_ms']:6.1f} ms"
        f" | non-2xx {figures['errors']:.0f} (5xx {figures['server_errors']:.0f})"
        f" | CPU ms/order: server {figures['server_cpu_ms']:.1f}, bench {figures['own_cpu_ms']:.1f},"
        f" postgres {figures['database_cpu_ms']:.1f}"
    )


async def _run() -> bool:
    redis.Redis.from_url(REDIS_URL).flushdb()
    await fresh_database(DATABASE)
    await asyncio.to_thread(_migrate)  # Alembic runs its own event loop
    shelves = await _seed()
    print(
        f"Paid orders end to end: {ORDERS_PER_RUN} orders per run, {BUYERS} concurrent buyers over {len(shelves)}"
        f" products of {CREATORS} creators, PostgreSQL, A B A B"
    )
    print(f"  {load_average()} (before)")
    results: dict[str, list[dict[str, float]]] = {"creatorly": [], "baseline": []}
    try:
        for round_number, kind in enumerate(["creatorly", "baseline", "creatorly", "baseline"]):
            figures = await _measure(kind, f"r{round_number}", shelves)
            results[kind].append(figures)
            print(_line(kind, figures), flush=True)
        await db.dispose_engine()
        is_correct = await _check()
    finally:
        await db.dispose_engine()
        await drop_database(DATABASE)
        redis.Redis.from_url(REDIS_URL).flushdb()
    best = {kind: max(runs, key=lambda figures: figures["per_second"]) for kind, runs in results.items()}
    ratio = best["creatorly"]["per_second"] / best["baseline"]["per_second"]
    server_errors = sum(figures["server_errors"] for runs in results.values() for figures in runs)
    is_met = best["creatorly"]["per_second"] >= GOAL_PER_SECOND and server_errors == 0
    print(f"  ratio creatorly/baseline (best of two each): {ratio:.2f}")
    print(
        f"  creatorly best {best['creatorly']['per_second']:.1f} orders/s, 5xx {server_errors:.0f}"
        f" (goal ≥ {GOAL_PER_SECOND:.0f} orders/s and zero 5xx: {'met' if is_met else 'NOT met'})"
    )
    print(f"  {load_average()} (after); logs in {BENCH_DIR}")
    return is_correct


def main() -> None:
    if not asyncio.run(_run()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
