"""A local stand-in for Razorpay's Orders API (POST /v1/orders), answering in the shape of its documented responses."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.processes import serving

SHARED_API = Path("/work/shared/razorpay/api")
KEY_ID = "rzp_test_standin"
KEY_SECRET = "standin_key_secret"
MINIMUM_AMOUNT = 100
MAX_RECEIPT_LENGTH = 40
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _template(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SHARED_API / name).read_text())
    return loaded


@dataclass
class RazorpayStandIn:
    """The running stand-in: its base URL, the orders it made, and a switch to make the next call fail."""

    base_url: str
    orders: list[dict[str, Any]] = field(default_factory=list)
    fail_next_with_status: int | None = None


def _error(status: int, *, code: str, description: str, field_name: str | None = None) -> JSONResponse:
    body = _template("error_create_order_bad_request.json")
    body["error"].update({"code": code, "description": description, "field": field_name})
    if field_name is None:
        body["error"].update({"source": "NA", "step": "NA", "reason": "NA"})
    return JSONResponse(body, status_code=status)


def _is_authorized(request: Request) -> bool:
    expected = "Basic " + base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
    return secrets.compare_digest(request.headers.get("authorization", ""), expected)


def _input_error(body: Any) -> JSONResponse | None:
    if not isinstance(body, dict):
        return _error(400, code="BAD_REQUEST_ERROR", description="The request body is invalid")
    amount, currency, receipt = body.get("amount"), body.get("currency"), body.get("receipt")
    if type(amount) is not int:
        return _error(400, code="BAD_REQUEST_ERROR", description="The amount must be an integer.", field_name="amount")
    if amount < MINIMUM_AMOUNT:
        return _error(
            400, code="BAD_REQUEST_ERROR", description="The amount must be at least INR 1.00", field_name="amount"
        )
    if not (isinstance(currency, str) and len(currency) == 3):
        return _error(400, code="BAD_REQUEST_ERROR", description="The currency is invalid.", field_name="currency")
    if receipt is not None and not (isinstance(receipt, str) and len(receipt) <= MAX_RECEIPT_LENGTH):
        return _error(
            400,
            code="BAD_REQUEST_ERROR",
            description="The receipt may not be greater than 40 characters.",
            field_name="receipt",
        )
    return None


def _app(stand_in: RazorpayStandIn) -> Starlette:
    async def create_order(request: Request) -> JSONResponse:
        if stand_in.fail_next_with_status is not None:
            status, stand_in.fail_next_with_status = stand_in.fail_next_with_status, None
            return _error(status, code="SERVER_ERROR", description="The server encountered an error.")
        if not _is_authorized(request):
            return _error(401, code="BAD_REQUEST_ERROR", description="Authentication failed")
        try:
            body: Any = json.loads(await request.body())
        except ValueError:
            body = None
        problem = _input_error(body)
        if problem is not None:
            return problem
        order = _template("create_order.json")
        order.update(
            {
                "id": "order_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(14)),
                "amount": body["amount"],
                "amount_due": body["amount"],
                "currency": body["currency"],
                "receipt": body.get("receipt"),
                "notes": body.get("notes") or [],
                "created_at": int(time.time()),
            }
        )
        stand_in.orders.append(order)
        return JSONResponse(order)

    return Starlette(routes=[Route("/v1/orders", create_order, methods=["POST"])])


@contextmanager
def running_razorpay_standin() -> Iterator[RazorpayStandIn]:
    """Serve the stand-in over plain HTTP on a free port until the block ends."""
    stand_in = RazorpayStandIn(base_url="")
    with serving(_app(stand_in)) as url:
        stand_in.base_url = url
        yield stand_in
