"""POST /sandbox/api/payments, /refunds, /payouts: the sandbox gateway's HTTP API, called like a real one's."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.sandbox_gateway import listing as sandbox_listing
from creatorly.services.sandbox_gateway import payouts as sandbox_payouts
from creatorly.services.sandbox_gateway import refunds as sandbox_refunds
from creatorly.services.sandbox_gateway import service as sandbox_gateway
from creatorly.services.sandbox_gateway import subscriptions as sandbox_subscriptions

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


class _PayoutDestinationBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    kind: str
    holder_name: str = ""
    routing_code: str = ""
    account_number: str = ""
    upi_id: str = ""
    stripe_account_id: str = ""
    paypal_email: str = ""


class _CreatePayoutBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    merchant_reference: str
    amount: int
    currency: str
    destination: _PayoutDestinationBody
    description: str = ""


def _transfer_json(transfer: sandbox_payouts.SandboxTransferView) -> dict[str, Any]:
    return {
        "reference": transfer.reference,
        "merchant_reference": transfer.merchant_reference,
        "amount": transfer.amount,
        "currency": transfer.currency,
        "status": transfer.status,
        "failure_code": transfer.failure_code,
        "failure_message": transfer.failure_message,
        "settles_at": int(transfer.settles_at.timestamp()),
    }


async def create_payout(request: Request) -> JSONResponse:
    """401 without the key, 400 for a bad body or a missing Idempotency-Key, 409 when the key meant another payout."""
    api_key = _bearer_token(request)
    try:
        sandbox_gateway.authenticate(api_key)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", "The request body is too large.")
    try:
        body = _CreatePayoutBody.model_validate_json(raw)
    except ValidationError as error:
        field = ".".join(str(part) for part in error.errors()[0]["loc"]) or None
        return _error(400, "invalid_request", "The request body is not a valid payout.", field)
    destination = sandbox_payouts.SandboxPayoutDestination(
        kind=body.destination.kind,
        account_number=body.destination.account_number,
        upi_id=body.destination.upi_id,
        stripe_account_id=body.destination.stripe_account_id,
        paypal_email=body.destination.paypal_email,
    )
    try:
        transfer = await sandbox_payouts.create_transfer(
            api_key=api_key,
            merchant_reference=body.merchant_reference,
            amount=body.amount,
            currency=body.currency,
            destination=destination,
            idempotency_key=request.headers.get("idempotency-key", ""),
        )
    except InvalidInput as error:
        return _error(400, "invalid_request", error.message, error.field)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    return JSONResponse(_transfer_json(transfer), headers=_NO_STORE)


async def list_payouts(request: Request) -> JSONResponse:
    """GET ?merchant_reference=…(repeated, 1 to 100): the transfers made for them, for reconciliation."""
    api_key = _bearer_token(request)
    try:
        transfers = await sandbox_payouts.list_transfers(
            api_key=api_key, merchant_references=request.query_params.getlist("merchant_reference")
        )
    except InvalidInput as error:
        return _error(400, "invalid_request", error.message, error.field)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    return JSONResponse({"data": [_transfer_json(transfer) for transfer in transfers]}, headers=_NO_STORE)


async def list_payments(request: Request) -> JSONResponse:
    """GET ?reference=…(repeated, 1 to 100): those payments and what was refunded of each, for reconciliation."""
    try:
        payments = await sandbox_listing.list_payments(
            api_key=_bearer_token(request), references=request.query_params.getlist("reference")
        )
    except InvalidInput as error:
        return _error(400, "invalid_request", error.message, error.field)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    data = [
        {
            "reference": payment.reference,
            "merchant_reference": payment.merchant_reference,
            "amount": payment.amount,
            "currency": payment.currency,
            "status": payment.status,
            "amount_refunded": payment.amount_refunded,
        }
        for payment in payments
    ]
    return JSONResponse({"data": data}, headers=_NO_STORE)


class _CreateSetupBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    merchant_reference: str
    currency: str
    description: str = ""
    return_url: str


class _ChargeBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")

    payment_method: str
    merchant_reference: str
    amount: int
    currency: str
    description: str = ""


async def create_setup(request: Request) -> JSONResponse:
    """A card setup (amount 0) paid on the hosted page: it saves the card for later charges."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", "The request body is too large.")
    try:
        body = _CreateSetupBody.model_validate_json(raw)
    except ValidationError as error:
        field = ".".join(str(part) for part in error.errors()[0]["loc"]) or None
        return _error(400, "invalid_request", "The request body is not a valid setup.", field)
    try:
        checkout = await sandbox_subscriptions.create_setup(
            api_key=_bearer_token(request),
            merchant_reference=body.merchant_reference,
            currency=body.currency,
            description=body.description,
            return_url=body.return_url,
            idempotency_key=request.headers.get("idempotency-key", ""),
        )
    except InvalidInput as error:
        return _error(400, "invalid_request", error.message, error.field)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    return JSONResponse({"reference": checkout.reference, "redirect_url": checkout.redirect_url}, headers=_NO_STORE)


async def create_charge(request: Request) -> JSONResponse:
    """Charge a saved card now; 404 for an unknown payment method; the answer says succeeded or declined."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", "The request body is too large.")
    try:
        body = _ChargeBody.model_validate_json(raw)
    except ValidationError as error:
        field = ".".join(str(part) for part in error.errors()[0]["loc"]) or None
        return _error(400, "invalid_request", "The request body is not a valid charge.", field)
    try:
        charge = await sandbox_subscriptions.charge_saved_card(
            api_key=_bearer_token(request),
            payment_method=body.payment_method,
            merchant_reference=body.merchant_reference,
            amount=body.amount,
            currency=body.currency,
            description=body.description,
            idempotency_key=request.headers.get("idempotency-key", ""),
        )
    except InvalidInput as error:
        return _error(400, "invalid_request", error.message, error.field)
    except CreatorlyError as error:
        return _error(error.status, error.code, error.message)
    payload = {"reference": charge.reference, "status": charge.status, "failure_code": charge.failure_code}
    return JSONResponse(payload, headers=_NO_STORE)


routes = [
    Route("/sandbox/api/payments", create_payment, methods=["POST"]),
    Route("/sandbox/api/payments", list_payments, methods=["GET"]),
    Route("/sandbox/api/refunds", create_refund, methods=["POST"]),
    Route("/sandbox/api/payouts", create_payout, methods=["POST"]),
    Route("/sandbox/api/payouts", list_payouts, methods=["GET"]),
    Route("/sandbox/api/setups", create_setup, methods=["POST"]),
    Route("/sandbox/api/charges", create_charge, methods=["POST"]),
]
