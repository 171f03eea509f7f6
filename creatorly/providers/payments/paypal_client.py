"""PayPal's REST API over httpx: the OAuth2 client-credentials token (cached), JSON calls, errors as ProviderError."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx

from creatorly.errors import ProviderError

TOKEN_PATH = "/v1/oauth2/token"  # noqa: S105 (a path, not a secret)
# A token is used until this long before PayPal's expires_in runs out, so none expires in flight.
TOKEN_MARGIN_SECONDS = 60
# Rate limiting, a request timeout and a conflicting concurrent request are the 4xx answers a later try can pass.
_RETRYABLE_CLIENT_ERRORS = frozenset({408, 409, 429})
# (api url, client id, sha256 of the secret) → (access token, monotonic time it stops being used)
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}


class PayPalApiError(ProviderError):
    """PayPal answered with an error: its HTTP status, its error `name` and the first detail's `issue`."""

    def __init__(self, message: str, *, is_retryable: bool, status_code: int, name: str = "", issue: str = "") -> None:
        super().__init__(message, is_retryable=is_retryable)
        self.status_code, self.name, self.issue = status_code, name, issue


class PayPalClient:
    """One PayPal app (client id and secret) at one API host (api-m.paypal.com, its sandbox, or a stand-in)."""

    def __init__(self, *, client_id: str, client_secret: str, api_url: str, timeout_seconds: float = 10) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._api_url = api_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout_seconds)
        self._cache_key = (self._api_url, client_id, hashlib.sha256(client_secret.encode()).hexdigest())

    async def call(
        self, method: str, path: str, *, action: str, body: dict[str, Any] | None = None, request_id: str = ""
    ) -> dict[str, Any]:
        """One API call with a bearer token; a token PayPal no longer takes (401) is renewed once."""
        async with httpx.AsyncClient(base_url=self._api_url, timeout=self._timeout) as http:
            for attempt in (1, 2):
                token = await self._token(http)
                headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                if request_id:
                    headers["PayPal-Request-Id"] = request_id
                try:
                    response = await http.request(method, path, json=body, headers=headers)
                except httpx.HTTPError as error:
                    # Unreachable or timed out: PayPal may or may not have acted (the request id makes a retry safe).
                    raise ProviderError(f"paypal unreachable: {type(error).__name__}", is_retryable=True) from None
                if response.status_code == httpx.codes.UNAUTHORIZED and attempt == 1:
                    _tokens.pop(self._cache_key, None)
                    continue
                return _answer(response, action)
        raise ProviderError(f"paypal refused our access token to {action}", is_retryable=False)

    async def _token(self, http: httpx.AsyncClient) -> str:
        cached = _tokens.get(self._cache_key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            response = await http.post(
                TOKEN_PATH,
                data={"grant_type": "client_credentials"},
                auth=(self._client_id, self._client_secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as error:
            raise ProviderError(f"paypal unreachable: {type(error).__name__}", is_retryable=True) from None
        if response.status_code in (httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN):
            raise ProviderError(
                "paypal refused the client id and secret (CREATORLY_PAYPAL_CLIENT_ID / _SECRET)", is_retryable=False
            )
        answer = _answer(response, "get an access token")
        token, expires_in = answer.get("access_token"), answer.get("expires_in")
        if not (isinstance(token, str) and token and type(expires_in) is int and expires_in > 0):
            raise ProviderError("paypal answered a token without access_token or expires_in", is_retryable=True)
        _tokens[self._cache_key] = (token, time.monotonic() + max(0, expires_in - TOKEN_MARGIN_SECONDS))
        return token


def _answer(response: httpx.Response, action: str) -> dict[str, Any]:
    """The JSON object of a 2xx answer; PayPalApiError otherwise (5xx and 408/409/429 retryable, other 4xx final)."""
    try:
        payload: Any = response.json() if response.content else {}
    except ValueError:
        payload = None
    if response.is_success:
        if not isinstance(payload, dict):
            raise ProviderError(f"paypal answered {action} with something not JSON", is_retryable=True)
        return payload
    name, issue = _error_names(payload)
    status = response.status_code
    is_retryable = status >= httpx.codes.INTERNAL_SERVER_ERROR or status in _RETRYABLE_CLIENT_ERRORS
    verb = "failed" if is_retryable else "refused"
    described = f"{name}/{issue}" if issue else name or str(status)
    raise PayPalApiError(
        f"paypal {verb} to {action}: {described}",
        is_retryable=is_retryable,
        status_code=status,
        name=name,
        issue=issue,
    )


def _error_names(payload: Any) -> tuple[str, str]:
    """PayPal's error `name` (or OAuth's `error`) and the first `details[].issue`."""
    if not isinstance(payload, dict):
        return "", ""
    name = payload.get("name") or payload.get("error") or ""
    details = payload.get("details")
    first = details[0] if isinstance(details, list) and details and isinstance(details[0], dict) else {}
    issue = first.get("issue") or ""
    return (name if isinstance(name, str) else ""), (issue if isinstance(issue, str) else "")
