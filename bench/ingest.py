"""Webhook ingest: signed Stripe-format events that are stored and acknowledged but change nothing in the domain
(`customer.created`, which Creatorly records and ignores), sent over 32 keep-alive connections.

Creatorly (`creatorly start --backend-only`, production settings, granian with one worker) and the baseline
(`bench/ingest_baseline.py`: Starlette + asyncpg, signature check and one `INSERT … ON CONFLICT DO NOTHING`, the
same granian with one worker) run alternately, A B A B, on one fresh PostgreSQL database. Prints, per run, the
events per second at full speed (closed loop) and the p50/p99 answer times, then the p99 at a steady 200 events/s
(open loop), and the ratios Creatorly / baseline. Needs PostgreSQL: CREATORLY_BENCH_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/postgres (a database bench_ingest is made and dropped there).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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

DATABASE = "bench_ingest"
SECRET = "whsec_bench_" + secrets.token_hex(8)
EVENTS_PER_RUN = int(os.environ.get("BENCH_INGEST_EVENTS", "3000"))
CONNECTIONS = 32
STEADY_RATE = 200.0
STEADY_SECONDS = 10
BENCH_DIR = Path(tempfile.mkdtemp(prefix="creatorly-bench-ingest-"))


def _signed_event(number: int, run: str) -> bytes:
    body = json.dumps(
        {
            "id": f"evt_{run}_{number:06d}_{secrets.token_hex(6)}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "livemode": False,
            "type": "customer.created",
            "data": {"object": {"id": f"cus_{number:06d}", "object": "customer", "email": f"fan{number}@example.com"}},
        }
    ).encode()
    stamp = int(time.time())
    signature = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return http_request(
        "POST",
        "/api/webhooks/stripe",
        body=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": f"t={stamp},v1={signature}"},
    )


def _start(kind: str, port: int) -> subprocess.Popen[bytes]:
    database_url = postgres_url(DATABASE)
    if kind == "baseline":
        command = "-m granian --interface asgi --workers 1 --host 127.0.0.1 --log-level warning --port"
        return start_server(
            [sys.executable, *command.split(), str(port), "bench.ingest_baseline:app"],
            port=port,
            log_path=BENCH_DIR / "baseline.log",
            environment={"BENCH_STRIPE_WEBHOOK_SECRET": SECRET, "BENCH_BASELINE_DSN": database_url},
        )
    return start_server(
        [sys.executable, "-m", "creatorly.cli", "start", "--backend-only"],
        port=port,
        log_path=BENCH_DIR / "creatorly.log",
        environment={
            "CREATORLY_ENV": "production",
            "CREATORLY_SECRET_KEY": secrets.token_urlsafe(32),
            "CREATORLY_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "CREATORLY_PORT": str(port),
            "CREATORLY_DATABASE_URL": database_url,
            "CREATORLY_DATA_DIR": str(BENCH_DIR / "data"),
            "CREATORLY_REDIS_URL": "",
            "CREATORLY_STRIPE_SECRET_KEY": "sk_test_bench",
            "CREATORLY_STRIPE_WEBHOOK_SECRET": SECRET,
            "CREATORLY_LOG_LEVEL": "WARNING",
            "GRANIAN_WORKERS": "1",
        },
    )


async def _measure(kind: str, run: str) -> dict[str, float]:
    port = free_port()
    server = _start(kind, port)
    try:
        warm = [_signed_event(number, f"{run}w") for number in range(200)]
        await hammer(port, warm, connections=CONNECTIONS)
        full = [_signed_event(number, run) for number in range(EVENTS_PER_RUN)]
        started = time.perf_counter()
        answers = await hammer(port, full, connections=CONNECTIONS)
        figures = summary(answers, time.perf_counter() - started)
        steady = [_signed_event(number, f"{run}s") for number in range(int(STEADY_RATE * STEADY_SECONDS))]
        started = time.perf_counter()
        steady_answers = await hammer(port, steady, connections=CONNECTIONS, rate=STEADY_RATE)
        steady_figures = summary(steady_answers, time.perf_counter() - started)
    finally:
        stop_server(server)
    figures["steady_p50_ms"] = steady_figures["p50_ms"]
    figures["steady_p99_ms"] = steady_figures["p99_ms"]
    figures["errors"] += steady_figures["errors"]
    return figures


def _line(kind: str, figures: dict[str, float]) -> str:
    return (
        f"  {kind:<10} {figures['per_second']:8.0f} events/s  p50 {figures['p50_ms']:6.1f} ms  "
        f"p99 {figures['p99_ms']:6.1f} ms  | at {STEADY_RATE:.0f}/s: p50 {figures['steady_p50_ms']:5.1f} ms  "
        f"p99 {figures['steady_p99_ms']:5.1f} ms  | non-2xx {figures['errors']:.0f}"
    )


async def _run() -> None:
    await fresh_database(DATABASE)
    print(f"Webhook ingest: {EVENTS_PER_RUN} signed Stripe events over {CONNECTIONS} connections, PostgreSQL, A B A B")
    print(f"  {load_average()} (before)")
    results: dict[str, list[dict[str, float]]] = {"creatorly": [], "baseline": []}
    try:
        for round_number, kind in enumerate(["creatorly", "baseline", "creatorly", "baseline"]):
            figures = await _measure(kind, f"r{round_number}")
            results[kind].append(figures)
            print(_line(kind, figures), flush=True)
    finally:
        await drop_database(DATABASE)
    best = {kind: max(runs, key=lambda figures: figures["per_second"]) for kind, runs in results.items()}
    ratio = best["creatorly"]["per_second"] / best["baseline"]["per_second"]
    steady_p99 = max(figures["steady_p99_ms"] for figures in results["creatorly"])
    print(f"  ratio creatorly/baseline (best of two each): {ratio:.2f} (goal ≥ 0.6)")
    print(f"  creatorly p99 at {STEADY_RATE:.0f} events/s (worst run): {steady_p99:.1f} ms (goal < 50 ms)")
    print(f"  {load_average()} (after); logs in {BENCH_DIR}")


def main() -> None:
    asyncio.run(_run())


if __name__ == "__main__":
    main()
