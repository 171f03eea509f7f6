"""POST /api/webhooks/{provider}: hand the raw body to the external-events service and answer its outcome."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from creatorly.errors import CreatorlyError
from creatorly.services.checkout import events as checkout_events  # noqa: F401  (registers payment handlers)
from creatorly.services.checkout import paypal_events as paypal_events  # registers the PayPal handlers
from creatorly.services.checkout import razorpay_events as razorpay_events  # registers the Razorpay handlers
from creatorly.services.checkout import stripe_events as stripe_events
from creatorly.services.external_events import service as external_events
from creatorly.services.memberships import events as membership_events  # noqa: F401  (membership handlers)
from creatorly.services.payouts import events as payout_events  # noqa: F401  (registers payout handlers)
from creatorly.services.refunds import events as refund_events  # noqa: F401  (registers refund handlers)
from creatorly.services.refunds import provider_events as refund_provider_events  # noqa: F401
from creatorly.services.sessions import fulfilment as session_fulfilment  # noqa: F401  (holds paid slots)
from creatorly.services.tips import fulfilment as tip_fulfilment  # noqa: F401  (delivers paid tips)

_NO_STORE = {"Cache-Control": "no-store"}
MAX_BODY_BYTES = 1024 * 1024  # provider events are a few KiB; refuse floods before reading them whole


async def _body(request: Request) -> bytes | None:
    """The raw body, or None once it passes MAX_BODY_BYTES (declared or actually streamed)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def receive_webhook(request: Request) -> JSONResponse:
    """2xx once the event is stored and handled (or already was); 400 forged, 404 unknown provider, 500 retry."""
    # The signature covers the exact bytes: read them before anything parses or re-encodes the body.
    raw_body = await _body(request)
    if raw_body is None:
        return JSONResponse({"error": "payload_too_large"}, status_code=413, headers=_NO_STORE)
    try:
        await external_events.receive(
            provider=request.path_params["provider"], raw_body=raw_body, headers=request.headers
        )
    except CreatorlyError as error:
        return JSONResponse({"error": error.code}, status_code=error.status, headers=_NO_STORE)
    return JSONResponse({"received": True}, headers=_NO_STORE)


routes = [Route("/api/webhooks/{provider}", receive_webhook, methods=["POST"])]
