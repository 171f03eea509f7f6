"""The paid-order baseline: a bare Starlette + asyncpg app doing the least a correct shop must per order, served by
granian with one worker, as `bench.orders` runs it beside Creatorly.

POST /checkout                 one INSERT of a pending order (with its payment reference), answers its public id
POST /api/webhooks/sandbox     verify the sandbox signature, then in one transaction: store the event once
                               (`ON CONFLICT DO NOTHING`), lock the order, mark it paid, insert a ledger transaction
                               and its four balancing legs, insert the receipt into an outbox; answer 200
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SECRET = os.environ.get("BENCH_SANDBOX_WEBHOOK_SECRET", "bench").encode()
DSN = os.environ.get("BENCH_BASELINE_DSN", "postgresql://postgres@127.0.0.1:5432/bench_orders")
TOLERANCE_SECONDS = 300
PLATFORM_FEE_PERCENT = 5
_pool: list[asyncpg.Pool] = []

SCHEMA = """
CREATE TABLE IF NOT EXISTS baseline_orders (
    id bigserial PRIMARY KEY, public_id text NOT NULL UNIQUE, product text NOT NULL, buyer_email text NOT NULL,
    amount bigint NOT NULL, currency text NOT NULL, status text NOT NULL, provider_reference text NOT NULL,
    provider_fee bigint NOT NULL DEFAULT 0, paid_at timestamptz, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS baseline_events (
    id bigserial PRIMARY KEY, provider text NOT NULL, event_id text NOT NULL, event_type text NOT NULL,
    payload text NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (provider, event_id));
CREATE TABLE IF NOT EXISTS baseline_ledger_transactions (
    id bigserial PRIMARY KEY, order_id bigint NOT NULL UNIQUE REFERENCES baseline_orders (id),
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS baseline_ledger_entries (
    id bigserial PRIMARY KEY, transaction_id bigint NOT NULL REFERENCES baseline_ledger_transactions (id),
    account text NOT NULL, amount bigint NOT NULL);
CREATE TABLE IF NOT EXISTS baseline_outbox (
    id bigserial PRIMARY KEY, order_id bigint NOT NULL REFERENCES baseline_orders (id), to_address text NOT NULL,
    subject text NOT NULL, body text NOT NULL, status text NOT NULL DEFAULT 'pending');
"""


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(DSN, min_size=2, max_size=20)
    await pool.execute(SCHEMA)
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


async def checkout(request: Request) -> JSONResponse:
    body = json.loads(await request.body())
    public_id, reference = f"ord_{secrets.token_hex(10)}", f"pay_{secrets.token_hex(12)}"
    await _pool[0].execute(
        "INSERT INTO baseline_orders (public_id, product, buyer_email, amount, currency, status, provider_reference)"
        " VALUES ($1, $2, $3, $4, $5, 'pending', $6)",
        public_id,
        body["product"],
        body["email"],
        body["amount"],
        body["currency"],
        reference,
    )
    return JSONResponse({"order_public_id": public_id, "reference": reference})


async def receive(request: Request) -> JSONResponse:
    raw = await request.body()
    if not _is_signed(request.headers.get("creatorly-signature", ""), raw):
        return JSONResponse({"error": "invalid_signature"}, status_code=400)
    event = json.loads(raw)
    payment = event["data"]["payment"]
    async with _pool[0].acquire() as connection, connection.transaction():
        stored = await connection.fetchval(
            "INSERT INTO baseline_events (provider, event_id, event_type, payload) VALUES ('sandbox', $1, $2, $3)"
            " ON CONFLICT (provider, event_id) DO NOTHING RETURNING id",
            event["id"],
            event["type"],
            raw.decode(),
        )
        if stored is None:
            return JSONResponse({"received": True})
        order = await connection.fetchrow(
            "SELECT id, status, amount, buyer_email FROM baseline_orders WHERE public_id = $1 FOR UPDATE",
            payment["merchant_reference"],
        )
        if order is None or order["status"] == "paid" or order["amount"] != payment["amount"]:
            return JSONResponse({"received": True})
        await connection.execute(
            "UPDATE baseline_orders SET status = 'paid', paid_at = now(), provider_fee = $2 WHERE id = $1",
            order["id"],
            payment["fee"],
        )
        transaction_id = await connection.fetchval(
            "INSERT INTO baseline_ledger_transactions (order_id) VALUES ($1) RETURNING id", order["id"]
        )
        gross, fee = order["amount"], payment["fee"]
        platform = gross * PLATFORM_FEE_PERCENT // 100
        legs = [("clearing", gross), ("clearing", -fee), ("platform", -platform), ("creator", fee + platform - gross)]
        await connection.executemany(
            "INSERT INTO baseline_ledger_entries (transaction_id, account, amount) VALUES ($1, $2, $3)",
            [(transaction_id, account, amount) for account, amount in legs],
        )
        await connection.execute(
            "INSERT INTO baseline_outbox (order_id, to_address, subject, body) VALUES ($1, $2, $3, $4)",
            order["id"],
            order["buyer_email"],
            "Your purchase",
            f"Thank you. Order {payment['merchant_reference']}.",
        )
    return JSONResponse({"received": True})


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/checkout", checkout, methods=["POST"]),
        Route("/api/webhooks/sandbox", receive, methods=["POST"]),
        Route("/health", health),
    ],
    lifespan=lifespan,
)
