"""POST /sandbox/api/payments: the sandbox gateway's HTTP API, which our provider client calls like a real one."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.sandbox_gateway import refunds as sandbox_refunds
from creatorly.services.sandbox_gateway import service as sandbox_gateway

_NO_STORE = {"Cache-Control": "no-store"}
MAX_BODY_BYTES = 64 * 1024


class _CreatePaymentBody(BaseModel):
    """The request body; strict so that "100" is not taken for 100."""

    model_config = ConfigDict(strict=True, extra="ignore")

    merchant_reference: str
    amount: int
    currency: str
    description: str = ""
    return_url: str
    buyer_email: str = ""  # accepted like a real provider's API; the sandbox keeps no buyer data


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if field:
        body["field"] = field
    return JSONResponse(body, status_code=status, headers=_NO_STORE)


def _bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def create_payment(request: Request) -> JSONResponse:
    """401 without the gateway's key, 400 for a body that is not a valid payment, else the hosted page URL."""
    api_key = _bearer_token(request)
    try:
        sandbox_gateway.authenticate(api_key)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", "The request body is too large.")
    try:
        body = _CreatePaymentBody.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        return _error(400, "invalid_request", "The request body is not a valid payment.", field)
    try:
        checkout = await sandbox_gateway.create_payment(
            api_key=api_key,
            merchant_reference=body.merchant_reference,
            amount=body.amount,
            currency=body.currency,
            description=body.description,
            return_url=body.return_url,
            idempotency_key=request.headers.get("idempotency-key"),
        )
    except InvalidInput as error:
        return _error(400, "invalid_request", error.message, error.field)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    return JSONResponse({"reference": checkout.reference, "redirect_url": checkout.redirect_url}, headers=_NO_STORE)


class _CreateRefundBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    payment_reference: str
    amount: int
    currency: str
    reason: str = ""


async def create_refund(request: Request) -> JSONResponse:
    """401 without the key, 400 for a bad body or a missing Idempotency-Key, 409 when not refundable."""
    api_key = _bearer_token(request)
    try:
        sandbox_gateway.authenticate(api_key)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", "The request body is too large.")
    try:
        body = _CreateRefundBody.model_validate_json(raw)
    except ValidationError as error:
        field = ".".join(str(part) for part in error.errors()[0]["loc"]) or None
        return _error(400, "invalid_request", "The request body is not a valid refund.", field)
    try:
        refund = await sandbox_refunds.create_refund(
            api_key=api_key,
            payment_reference=body.payment_reference,
            amount=body.amount,
            currency=body.currency,
            idempotency_key=request.headers.get("idempotency-key", ""),
            reason=body.reason,
        )
    except InvalidInput as error:
        return _error(400, "invalid_request", error.message, error.field)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    return JSONResponse({"reference": refund.reference, "status": "succeeded"}, headers=_NO_STORE)


routes = [
    Route("/sandbox/api/payments", create_payment, methods=["POST"]),
    Route("/sandbox/api/refunds", create_refund, methods=["POST"]),
]
