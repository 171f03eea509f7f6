"""GET /api/payments/paypal/return?token=…: the buyer back from approving on PayPal; capture, then their order page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from creatorly.errors import CreatorlyError
from creatorly.services.checkout.paypal_return import complete_paypal_return

_NO_STORE = {"Cache-Control": "no-store"}


async def paypal_return(request: Request) -> Response:
    """303 to the order page once captured (or while the capture is still to come); 404 for a token not ours."""
    try:
        redirect_url = await complete_paypal_return(token=request.query_params.get("token", ""))
    except CreatorlyError as error:
        return JSONResponse({"error": error.code}, status_code=error.status, headers=_NO_STORE)
    return RedirectResponse(redirect_url, status_code=303, headers=_NO_STORE)


routes = [Route("/api/payments/paypal/return", paypal_return, methods=["GET"])]
