"""GET /api/auth/google/start and /callback: HTTP around the Google sign-in use cases, cookies and redirects."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from creatorly.config import settings
from creatorly.errors import CreatorlyError
from creatorly.services.accounts import google
from creatorly.services.accounts.rules import SESSION_LIFETIME
from creatorly.services.accounts.schemas import Requester, SignedIn, SignInResult
from creatorly.services.accounts.sessions import SESSION_COOKIE_NAME

STATE_COOKIE_NAME = "creatorly_oidc"
STATE_COOKIE_PATH = "/api/auth/google"
AFTER_SIGN_IN_PATH = "/account"
TWO_FACTOR_PATH = "/signin/two-factor"
SIGN_IN_PATH = "/signin"


def _is_https() -> bool:
    return settings.resolved_public_url.startswith("https://")


def _not_found() -> Response:
    return PlainTextResponse("Not found.", status_code=404)


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


async def google_start(_request: Request) -> Response:
    """Send the browser to Google with a fresh attempt; the signed state cookie comes back to the callback only."""
    if not google.is_google_enabled():
        return _not_found()
    try:
        started = await google.start_google_sign_in()
    except CreatorlyError as error:
        return _redirect(f"{SIGN_IN_PATH}?{urlencode({'error': error.code})}")
    response = _redirect(started.authorization_url)
    response.set_cookie(
        STATE_COOKIE_NAME,
        started.state_cookie,
        max_age=int(google.STATE_LIFETIME.total_seconds()),
        path=STATE_COOKIE_PATH,
        secure=_is_https(),
        httponly=True,
        samesite="lax",
    )
    return response


async def google_callback(request: Request) -> Response:
    """Finish the attempt: a session cookie and the account page, the two-factor step, or the sign-in page."""
    if not google.is_google_enabled():
        return _not_found()
    try:
        result = await google.finish_google_sign_in(
            code=request.query_params.get("code", ""),
            state=request.query_params.get("state", ""),
            state_cookie=request.cookies.get(STATE_COOKIE_NAME, ""),
            requester=Requester(ip=request.client.host if request.client else "", user_agent=_user_agent(request)),
            previous_token=request.cookies.get(SESSION_COOKIE_NAME, ""),
        )
    except CreatorlyError as error:
        response = _redirect(f"{SIGN_IN_PATH}?{urlencode({'error': error.code})}")
    else:
        response = _result_response(result)
    response.delete_cookie(STATE_COOKIE_NAME, path=STATE_COOKIE_PATH, secure=_is_https(), httponly=True, samesite="lax")
    return response


def _user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")


def _result_response(result: SignInResult) -> RedirectResponse:
    if not isinstance(result, SignedIn):
        return _redirect(f"{TWO_FACTOR_PATH}?challenge={quote(result.challenge_token, safe='')}")
    response = _redirect(AFTER_SIGN_IN_PATH)
    # Not HttpOnly: Reflex reads the session token from JavaScript (see sessions.SESSION_COOKIE_NAME).
    response.set_cookie(
        SESSION_COOKIE_NAME,
        result.session_token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=_is_https(),
        httponly=False,
        samesite="lax",
    )
    return response


routes = [
    Route("/api/auth/google/start", google_start, methods=["GET"]),
    Route("/api/auth/google/callback", google_callback, methods=["GET"]),
]
