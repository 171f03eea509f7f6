"""Google sign-in over OpenID Connect: authorization URL, code exchange and id_token validation."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from creatorly.errors import ProviderError

with warnings.catch_warnings():
    # Authlib prefers the httpx2 fork and warns on import when it falls back to httpx, which is what we ship.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

DEFAULT_TIMEOUT_SECONDS = 10.0
SCOPE = "openid email profile"
# Google signs id_tokens with RS256; "none" and HMAC algorithms must never be accepted from a JWKS.
SIGNING_ALGORITHMS = ["RS256"]
CLOCK_LEEWAY_SECONDS = 60
DOCUMENT_CACHE_SECONDS = 3600.0
_RETRYABLE_OAUTH_ERRORS = frozenset({"server_error", "temporarily_unavailable"})

# Discovery documents and key sets by URL, with the monotonic time they go stale: they change rarely,
# and a key set is fetched again at once when a token names a key it does not hold.
_documents: dict[str, tuple[float, dict[str, Any]]] = {}


class IdentityRefused(ProviderError):
    """The provider refused the code, or its answer failed validation: trying the same code again cannot help."""

    code = "identity_refused"
    status = 400
    default_message = "The sign-in could not be confirmed. Please try again."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, is_retryable=False)


@dataclass(frozen=True, slots=True)
class GoogleClientConfig:
    client_id: str
    client_secret: str
    discovery_url: str
    redirect_uri: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """The secrets of one sign-in attempt, carried by the browser from the start to the callback."""

    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """Claims of an id_token whose signature, issuer, audience, lifetime and nonce were checked."""

    subject: str
    email: str
    email_verified: bool
    name: str


@dataclass(frozen=True, slots=True)
class _Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


class GoogleIdentityProvider:
    """An OpenID Connect client (authorization code flow with PKCE) for Google or any compliant provider."""

    name = "google"

    def __init__(self, config: GoogleClientConfig) -> None:
        self._config = config

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        """Where to send the browser: the provider's consent page, bound to this attempt's state and nonce."""
        async with self._client() as client:
            discovery = await _discover(client, self._config.discovery_url)
            url, _state = client.create_authorization_url(
                discovery.authorization_endpoint,
                state=request.state,
                nonce=request.nonce,
                code_verifier=request.code_verifier,
            )
        return str(url)

    async def verify_code(self, *, code: str, request: AuthorizationRequest) -> VerifiedIdentity:
        """Exchange the callback's code and return the identity its id_token vouches for."""
        async with self._client() as client:
            discovery = await _discover(client, self._config.discovery_url)
            id_token = await _exchange_code(client, discovery, code=code, code_verifier=request.code_verifier)
            claims = await _verified_claims(
                client, discovery, id_token, client_id=self._config.client_id, nonce=request.nonce
            )
        return _identity_from(claims)

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self._config.client_id,
            client_secret=self._config.client_secret,
            scope=SCOPE,
            redirect_uri=self._config.redirect_uri,
            code_challenge_method="S256",
            timeout=httpx.Timeout(self._config.timeout_seconds),
        )


async def _get_json(client: AsyncOAuth2Client, url: str) -> dict[str, Any]:
    try:
        response = await client.request("GET", url, withhold_token=True)
        response.raise_for_status()
        document = response.json()
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise ProviderError(f"{url} answered HTTP {status}", is_retryable=status >= 500 or status == 429) from error
    except httpx.HTTPError as error:
        raise ProviderError(f"{url} unreachable: {type(error).__name__}", is_retryable=True) from error
    except ValueError as error:
        raise ProviderError(f"{url} did not answer JSON", is_retryable=False) from error
    if not isinstance(document, dict):
        raise ProviderError(f"{url} did not answer a JSON object", is_retryable=False)
    return document


async def _cached_json(client: AsyncOAuth2Client, url: str, *, refresh: bool = False) -> dict[str, Any]:
    now = time.monotonic()
    cached = _documents.get(url)
    if cached is not None and cached[0] > now and not refresh:
        return cached[1]
    document = await _get_json(client, url)
    _documents[url] = (now + DOCUMENT_CACHE_SECONDS, document)
    return document


def _required_text(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise ProviderError(f"The OpenID discovery document has no {key!r}", is_retryable=False)
    return value


async def _discover(client: AsyncOAuth2Client, discovery_url: str) -> _Discovery:
    document = await _cached_json(client, discovery_url)
    return _Discovery(
        issuer=_required_text(document, "issuer"),
        authorization_endpoint=_required_text(document, "authorization_endpoint"),
        token_endpoint=_required_text(document, "token_endpoint"),
        jwks_uri=_required_text(document, "jwks_uri"),
    )


def _oauth_failure(error: OAuthError) -> ProviderError:
    if error.error == "invalid_grant":
        return IdentityRefused("The provider refused the code: expired, already used or not ours.")
    is_retryable = error.error in _RETRYABLE_OAUTH_ERRORS
    return ProviderError(f"The token endpoint answered {error.error!r}", is_retryable=is_retryable)


async def _exchange_code(client: AsyncOAuth2Client, discovery: _Discovery, *, code: str, code_verifier: str) -> str:
    try:
        token = await client.fetch_token(
            discovery.token_endpoint, grant_type="authorization_code", code=code, code_verifier=code_verifier
        )
    except OAuthError as error:
        raise _oauth_failure(error) from error
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise ProviderError(f"The token endpoint answered HTTP {status}", is_retryable=status >= 500) from error
    except httpx.HTTPError as error:
        raise ProviderError(f"The token endpoint is unreachable: {type(error).__name__}", is_retryable=True) from error
    except ValueError as error:
        raise ProviderError("The token endpoint did not answer JSON", is_retryable=False) from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise IdentityRefused("The token endpoint answered without an id_token.")
    return id_token


async def _key_set(client: AsyncOAuth2Client, jwks_uri: str, *, refresh: bool) -> KeySet:
    document = await _cached_json(client, jwks_uri, refresh=refresh)
    try:
        return KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise ProviderError(f"The key set at {jwks_uri} is unusable", is_retryable=False) from error


def _claims_registry(*, issuer: str, client_id: str, nonce: str) -> jwt.JWTClaimsRegistry:
    return jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )


async def _verified_claims(
    client: AsyncOAuth2Client, discovery: _Discovery, id_token: str, *, client_id: str, nonce: str
) -> dict[str, Any]:
    """Signature against the provider's keys, then iss, aud (and azp), exp, iat and nonce."""
    try:
        try:
            keys = await _key_set(client, discovery.jwks_uri, refresh=False)
            token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
        except InvalidKeyIdError:
            keys = await _key_set(client, discovery.jwks_uri, refresh=True)  # the provider rotated its keys
            token = jwt.decode(id_token, keys, algorithms=SIGNING_ALGORITHMS)
        _claims_registry(issuer=discovery.issuer, client_id=client_id, nonce=nonce).validate(token.claims)
    except (JoseError, ValueError) as error:
        raise IdentityRefused(f"The id_token failed validation: {type(error).__name__}") from error
    audience = token.claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and token.claims.get("azp") != client_id:
        raise IdentityRefused("The id_token was issued to another party (azp).")
    return token.claims


def _identity_from(claims: dict[str, Any]) -> VerifiedIdentity:
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise IdentityRefused("The provider shared no email address.")
    verified = claims.get("email_verified")
    name = claims.get("name")
    return VerifiedIdentity(
        subject=str(claims["sub"]),
        email=email,
        email_verified=verified is True or verified == "true",
        name=name if isinstance(name, str) else "",
    )
