"""POST /api/audience/unsubscribe?token=…: RFC 8058 one-click unsubscribe for mail clients."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from creatorly.errors import CreatorlyError
from creatorly.services.audience import service as audience

_NO_STORE = {"Cache-Control": "no-store"}


async def one_click_unsubscribe(request: Request) -> PlainTextResponse:
    """Unsubscribe the address the signed token names; the body ("List-Unsubscribe=One-Click") is not needed."""
    try:
        await audience.unsubscribe(token=request.query_params.get("token", ""))
    except CreatorlyError as error:
        return PlainTextResponse(error.message, status_code=error.status, headers=_NO_STORE)
    return PlainTextResponse("You're unsubscribed.", headers=_NO_STORE)


routes = [Route("/api/audience/unsubscribe", one_click_unsubscribe, methods=["POST"])]
