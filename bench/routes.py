"""Local routes at 100 concurrent connections: a storefront's and a product's page HTML, /sitemap.xml, /health and
a 1 MB product file through `/api/downloads/{token}` (the download token of a paid order).

Creatorly runs as in production (`creatorly start`: `reflex run --env prod --single-port`, granian with one worker,
CREATORLY_ENV=production, PostgreSQL, local file storage). In that mode the page HTML is Reflex's built frontend
(`.web/build/client`) served by the backend itself: a storefront or product URL has no prerendered file, so Reflex's
static mount answers with the SPA shell (its 404.html, status 200 because the path matches a page route), and our
ASGI layers rewrite it (creatorly/api/seo.py: title, description, Open Graph tags and the server-rendered product
cards of creatorly/api/seo_content.py; creatorly/api/security.py: a fresh CSP nonce on every script). The first
start builds the frontend (compile + vite build); later runs reuse `.web/` (its start time is printed either way).

The baseline (`bench/routes_baseline.py`, bare Starlette, the same granian with one worker) serves the bytes
Creatorly answered once for each route as static files, and the same 1 MB file as a FileResponse. Both servers
stay up and are loaded alternately, A B A B, each route over 100 keep-alive connections (closed loop). Prints
p50/p95/p99 and requests per second per route and run, the ratios (best of two each) and the goals.

Sizes: BENCH_ROUTES_REQUESTS (per HTML/sitemap/health route and run, default 1000), BENCH_ROUTES_DOWNLOADS
(default 300), BENCH_ROUTES_PRODUCTS (products on the storefront, default 24), BENCH_ROUTES_ORDERS (paid orders
whose tokens the downloads take in turn, default 100: one buyer per connection; 1 puts every download on one
entitlement row, which they then queue for). PostgreSQL:
CREATORLY_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres; a database bench_routes is
made and dropped there).
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import (
    drop_database,
    free_port,
    fresh_database,
    hammer,
    http_request,
    load_average,
    postgres_url,
    start_server,
    stop_server,
    summary,
)

DATABASE = os.environ.get("BENCH_ROUTES_DATABASE", "bench_routes")
CONNECTIONS = 100
REQUESTS = int(os.environ.get("BENCH_ROUTES_REQUESTS", "1000"))
DOWNLOADS = int(os.environ.get("BENCH_ROUTES_DOWNLOADS", "300"))
PRODUCTS = int(os.environ.get("BENCH_ROUTES_PRODUCTS", "24"))
ORDERS = int(os.environ.get("BENCH_ROUTES_ORDERS", "100"))
FILE_BYTES = 1024 * 1024
HANDLE = "benchstore"
GOAL_P95_MS = 100.0
GOAL_P99_MS = 250.0
GOAL_DOWNLOAD_RATIO = 0.8
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUILT_FRONTEND = PROJECT_ROOT / ".web" / "build" / "client"
BENCH_DIR = Path(tempfile.mkdtemp(prefix="creatorly-bench-routes-"))
# Browsers ask for a page like this (the security layer stamps documents it sees asked for as HTML).
PAGE_HEADERS = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@dataclass(frozen=True, slots=True)
class Seeded:
    handle: str
    product_path: str
    download_paths: list[str]


@dataclass(frozen=True, slots=True)
class RouteCase:
    name: str
    paths: list[str]
    count: int
    headers: dict[str, str]


def _app_environment(port: int) -> dict[str, str]:
    return {
        "CREATORLY_ENV": "production",
        "CREATORLY_SECRET_KEY": "bench-routes-" + "k" * 40,
        "CREATORLY_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CREATORLY_PORT": str(port),
        "CREATORLY_DATABASE_URL": postgres_url(DATABASE),
        "CREATORLY_DATA_DIR": str(BENCH_DIR / "data"),
        "CREATORLY_REDIS_URL": "",
        "CREATORLY_LOG_LEVEL": "WARNING",
        "GRANIAN_WORKERS": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }


def _bench_file() -> bytes:
    """A real ZIP (allowed product file type) of 1 MiB: one stored member of random bytes, trimmed to size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("data.bin", secrets.token_bytes(FILE_BYTES - 200))
    return buffer.getvalue()


async def _seed() -> Seeded:
    """One creator with PRODUCTS published products, a 1 MB file on the first, and ORDERS paid orders for it (paid
    through checkout's own fulfilment: ledger, entitlement, receipt), one download token each, as many buyers would
    download at once. The product's download limit is raised first, so every benchmark request is a counted, allowed
    download."""
    from sqlmodel import select

    import creatorly.jobs  # noqa: F401  (job names the fulfilment enqueues)
    from creatorly import db
    from creatorly.models import Entitlement, Order, Product
    from creatorly.models.enums import OrderStatus, PricingModel, Role
    from creatorly.services.accounts import service as accounts
    from creatorly.services.catalog import service as catalog
    from creatorly.services.catalog.files import add_file_as_platform
    from creatorly.services.catalog.schemas import NewProduct
    from creatorly.services.checkout import service as checkout
    from creatorly.services.creators import service as creators
    from creatorly.services.delivery import service as delivery

    async with db.transaction() as session:
        user = await accounts.add_verified_user(
            session, email="bench@example.com", password="x" * 16, display_name="Bench Store", role=Role.CREATOR
        )
        assert user.id is not None
        creator = await creators.add_creator(
            session,
            user_id=user.id,
            handle=HANDLE,
            display_name="Bench Store",
            bio_markdown="Field guides, presets and **sample packs** for the benchmark.",
            currency="USD",
        )
        products = [
            await catalog.add_product(
                session,
                creator,
                NewProduct(
                    title=f"Field guide {number}",
                    summary=f"A practical guide, volume {number}.",
                    description_markdown=f"# Volume {number}\n\nChapters, *examples* and exercises.\n\n- one\n- two",
                    pricing=PricingModel.FIXED,
                    price_amount=900 + number * 100,
                    currency="USD",
                    is_published=True,
                ),
            )
            for number in range(PRODUCTS)
        ]
    product = products[0]
    assert creator.id is not None and product.id is not None
    await add_file_as_platform(creator_id=creator.id, product_id=product.id, filename="bench.zip", data=_bench_file())
    async with db.transaction() as session:
        stored = await session.get(Product, product.id)
        assert stored is not None
        stored.download_limit = 10_000_000
        session.add(stored)
    paths = []
    for number in range(ORDERS):
        async with db.transaction() as session:
            order = Order(
                public_id=f"ord_{secrets.token_hex(8)}",
                creator_id=creator.id,
                product_id=product.id,
                buyer_email=f"fan{number}@example.com",
                amount=stored.price_amount,
                currency=stored.currency,
                status=OrderStatus.PENDING,
            )
            session.add(order)
            await session.flush()
            assert await checkout.fulfill_paid_order(session, order, provider_fee=0, cause="bench payment")
        async with db.transaction() as session:
            entitlement = (await session.exec(select(Entitlement).where(Entitlement.order_id == order.id))).one()
            assert entitlement.id is not None
        paths.append(delivery.download_path(entitlement.id, order.public_id))
    await db.dispose_engine()
    return Seeded(handle=HANDLE, product_path=f"/{HANDLE}/{product.slug}", download_paths=paths)


def _run_seed_process(port: int) -> Seeded:
    environment = {**os.environ, **_app_environment(port), "PYTHONPATH": str(PROJECT_ROOT)}
    subprocess.run([sys.executable, "-m", "creatorly.cli", "migrate"], env=environment, check=True, cwd=PROJECT_ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bench.routes", "--seed"],
        env=environment,
        check=True,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    return Seeded(**json.loads(done.stdout.strip().splitlines()[-1]))


def _start_creatorly(port: int) -> tuple[subprocess.Popen[bytes], float]:
    started = time.perf_counter()
    server = start_server(
        [sys.executable, "-m", "creatorly.cli", "start"],
        port=port,
        log_path=BENCH_DIR / "creatorly.log",
        environment=_app_environment(port),
    )
    return server, time.perf_counter() - started


def _start_baseline(port: int, static_dir: Path) -> subprocess.Popen[bytes]:
    command = "-m granian --interface asgi --workers 1 --host 127.0.0.1 --log-level warning --port"
    return start_server(
        [sys.executable, *command.split(), str(port), "bench.routes_baseline:app"],
        port=port,
        log_path=BENCH_DIR / "baseline.log",
        environment={"BENCH_ROUTES_STATIC_DIR": str(static_dir)},
    )


def _capture(port: int, seeded: Seeded, static_dir: Path) -> dict[str, int]:
    """The bytes Creatorly answers once for each route, written where the baseline serves them; their sizes."""
    static_dir.mkdir(parents=True, exist_ok=True)
    sources = {
        "storefront.html": (f"/{seeded.handle}", PAGE_HEADERS),
        "product.html": (seeded.product_path, PAGE_HEADERS),
        "sitemap.xml": ("/sitemap.xml", {}),
        "health.json": ("/health", {}),
        "download.bin": (seeded.download_paths[0], {}),
    }
    sizes = {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for name, (path, headers) in sources.items():
            response = client.get(path, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} answered {response.status_code}: {response.text[:200]}")
            (static_dir / name).write_bytes(response.content)
            sizes[name] = len(response.content)
    return sizes


def _cases(seeded: Seeded) -> list[RouteCase]:
    return [
        RouteCase("storefront", [f"/{seeded.handle}"], REQUESTS, PAGE_HEADERS),
        RouteCase("product", [seeded.product_path], REQUESTS, PAGE_HEADERS),
        RouteCase("sitemap", ["/sitemap.xml"], REQUESTS, {}),
        RouteCase("health", ["/health"], REQUESTS, {}),
        RouteCase("download", seeded.download_paths, DOWNLOADS, {}),
    ]


async def _measure(port: int, case: RouteCase) -> dict[str, float]:
    requests = [http_request("GET", path, headers=case.headers) for path in case.paths]
    warm = [requests[number % len(requests)] for number in range(min(CONNECTIONS * 2, case.count))]
    await hammer(port, warm, connections=CONNECTIONS)
    started = time.perf_counter()
    answers = await hammer(
        port, [requests[number % len(requests)] for number in range(case.count)], connections=CONNECTIONS
    )
    figures = summary(answers, time.perf_counter() - started)
    figures["bytes"] = float(answers[-1].body_bytes) if answers else 0.0
    return figures


def _line(kind: str, case: RouteCase, figures: dict[str, float]) -> str:
    return (
        f"  {kind:<10} {case.name:<11} {figures['per_second']:8.0f} req/s  p50 {figures['p50_ms']:6.1f} ms  "
        f"p95 {figures['p95_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  | {figures['bytes'] / 1024:7.1f} KiB"
        f"  non-2xx {figures['errors']:.0f}"
    )


def _report(cases: list[RouteCase], results: dict[str, dict[str, list[dict[str, float]]]]) -> None:
    print("  Summary (best run of two by req/s; the worse p95/p99 of the two):")
    columns = f"{'creatorly req/s':>15} {'baseline req/s':>15} {'ratio':>6} {'p95 ms':>8} {'p99 ms':>8}"
    print(f"  {'route':<11} {columns}  goals")
    for case in cases:
        mine, theirs = results["creatorly"][case.name], results["baseline"][case.name]
        best_mine = max(figures["per_second"] for figures in mine)
        best_theirs = max(figures["per_second"] for figures in theirs)
        p95 = max(figures["p95_ms"] for figures in mine)
        p99 = max(figures["p99_ms"] for figures in mine)
        ratio = best_mine / best_theirs if best_theirs else 0.0
        goals = [f"p95<{GOAL_P95_MS:.0f} {'yes' if p95 < GOAL_P95_MS else 'NO'}"]
        goals.append(f"p99<{GOAL_P99_MS:.0f} {'yes' if p99 < GOAL_P99_MS else 'NO'}")
        if case.name == "download":
            goals.append(f"ratio≥{GOAL_DOWNLOAD_RATIO} {'yes' if ratio >= GOAL_DOWNLOAD_RATIO else 'NO'}")
        figures_text = f"{best_mine:15.0f} {best_theirs:15.0f} {ratio:6.2f} {p95:8.1f} {p99:8.1f}"
        print(f"  {case.name:<11} {figures_text}  {', '.join(goals)}")
        errors = sum(figures["errors"] for figures in mine)
        if errors:
            print(f"  {'':<11} creatorly answered {errors:.0f} requests with a non-2xx status")


async def _run() -> None:
    await fresh_database(DATABASE)
    print(
        f"Local routes: {REQUESTS} requests per page route, {DOWNLOADS} downloads of 1 MiB, {CONNECTIONS} connections,"
        " PostgreSQL, A B A B"
    )
    print(f"  {load_average()} (before)")
    app_port, baseline_port = free_port(), free_port()
    server = baseline = None
    try:
        seeded = _run_seed_process(app_port)
        was_built = (BUILT_FRONTEND / "404.html").is_file()
        server, start_seconds = _start_creatorly(app_port)
        how = "reused .web/ (compile + build checks)" if was_built else "first frontend build (compile + vite)"
        print(f"  creatorly start until /health answers: {start_seconds:.1f} s, {how}")
        static_dir = BENCH_DIR / "static"
        sizes = _capture(app_port, seeded, static_dir)
        print("  bytes per answer: " + ", ".join(f"{name} {size:,}" for name, size in sizes.items()))
        baseline = _start_baseline(baseline_port, static_dir)
        cases = _cases(seeded)
        results: dict[str, dict[str, list[dict[str, float]]]] = {"creatorly": {}, "baseline": {}}
        for kind in ["creatorly", "baseline", "creatorly", "baseline"]:
            port = app_port if kind == "creatorly" else baseline_port
            for case in cases:
                figures = await _measure(port, case)
                results[kind].setdefault(case.name, []).append(figures)
                print(_line(kind, case, figures), flush=True)
        _report(cases, results)
    finally:
        for process in (server, baseline):
            if process is not None:
                stop_server(process)
        await drop_database(DATABASE)
    print(f"  {load_average()} (after); logs in {BENCH_DIR}")


def main() -> None:
    if "--seed" in sys.argv:
        seeded = asyncio.run(_seed())
        print(json.dumps(dataclasses.asdict(seeded)))
        return
    asyncio.run(_run())


if __name__ == "__main__":
    main()
