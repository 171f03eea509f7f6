"""POST /api/analytics/collect: the storefront's page-view beacon (navigator.sendBeacon, never blocks a page)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from creatorly.errors import CreatorlyError
from creatorly.services.analytics import tracking

MAX_BODY_BYTES = 8 * 1024
_NO_STORE = {"Cache-Control": "no-store"}


async def _payload(request: Request) -> dict[str, object] | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _text(payload: dict[str, object], key: str) -> str:
    value = payload.get(key, "")
    return value if isinstance(value, str) else ""


async def collect(request: Request) -> Response:
    """204 when recorded or dropped as a bot; 400 malformed; 404 unknown storefront or product; 429 flood."""
    payload = await _payload(request)
    if payload is None:
        return PlainTextResponse("Malformed page view.", status_code=400, headers=_NO_STORE)
    view = tracking.PageView(
        kind=_text(payload, "kind"),
        handle=_text(payload, "handle"),
        product_slug=_text(payload, "product"),
        page_url=_text(payload, "url"),
        referrer=_text(payload, "referrer"),
        ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""),
    )
    try:
        await tracking.collect_page_view(view)
    except CreatorlyError as error:
        return PlainTextResponse(error.message, status_code=error.status, headers=_NO_STORE)
    return Response(status_code=204, headers=_NO_STORE)


routes = [Route("/api/analytics/collect", collect, methods=["POST"])]
