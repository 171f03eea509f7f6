"""The webhook-ingest baseline: a bare Starlette + asyncpg app that does the least a correct receiver must —
verify the Stripe signature, insert the event once (`ON CONFLICT DO NOTHING`) and answer 200. Served by granian
with one worker, as `bench.ingest` runs it beside Creatorly."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SECRET = os.environ.get("BENCH_STRIPE_WEBHOOK_SECRET", "whsec_bench").encode()
DSN = os.environ.get("BENCH_BASELINE_DSN", "postgresql://postgres@127.0.0.1:5432/bench_ingest")
TOLERANCE_SECONDS = 300
_pool: list[asyncpg.Pool] = []


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(DSN, min_size=2, max_size=10)
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS baseline_events (id bigserial PRIMARY KEY, provider text NOT NULL,"
        " event_id text NOT NULL, event_type text NOT NULL, payload text NOT NULL,"
        " received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (provider, event_id))"
    )
    _pool.append(pool)
    yield
    await pool.close()


def _is_signed(header: str, body: bytes) -> bool:
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for name, value in fields if name == "t"]
    signatures = [value for name, value in fields if name == "v1"]
    if not stamps or not stamps[0].isdigit() or abs(time.time() - int(stamps[0])) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(SECRET, stamps[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


async def receive(request: Request) -> JSONResponse:
    body = await request.body()
    if not _is_signed(request.headers.get("stripe-signature", ""), body):
        return JSONResponse({"error": "invalid_signature"}, status_code=400)
    event = json.loads(body)
    await _pool[0].execute(
        "INSERT INTO baseline_events (provider, event_id, event_type, payload) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (provider, event_id) DO NOTHING",
        "stripe",
        event["id"],
        event["type"],
        body.decode(),
    )
    return JSONResponse({"received": True})


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[Route("/api/webhooks/stripe", receive, methods=["POST"]), Route("/health", health)], lifespan=lifespan
)
