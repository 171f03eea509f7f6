"""A local OpenID Connect provider for tests: discovery, authorize, token and JWKS, served on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.processes import free_port, wait_until


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the next authorization code stands for."""

    subject: str
    email: str
    email_verified: bool = True
    name: str = "Ada Lovelace"


@dataclass
class _Grant:
    identity: ProviderIdentity
    redirect_uri: str
    nonce: str
    code_challenge: str
    claim_overrides: dict[str, object]
    is_forged: bool
    is_used: bool = False


def _new_key() -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"})
    key.ensure_kid()
    return key


@dataclass
class LocalOidcProvider:
    """A provider that approves every authorization at once (no login page) and exchanges each code once."""

    client_id: str
    client_secret: str
    port: int = field(default_factory=free_port)
    next_identity: ProviderIdentity = field(default_factory=lambda: ProviderIdentity("google-sub-1", "ada@example.com"))
    next_claim_overrides: dict[str, object] = field(default_factory=dict)
    next_is_forged: bool = False
    token_answers: list[int] = field(default_factory=list)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    key: RSAKey = field(default_factory=_new_key)
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
                Route("/jwks", self._jwks),
            ]
        )

    async def _discovery(self, _request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": self.base_url,
                "authorization_endpoint": f"{self.base_url}/authorize",
                "token_endpoint": f"{self.base_url}/token",
                "jwks_uri": f"{self.base_url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def _jwks(self, _request: Request) -> JSONResponse:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def _authorize(self, request: Request) -> Response:
        """Approve at once: 302 back to redirect_uri with a code for `next_identity` and the caller's state."""
        query = dict(request.query_params)
        self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                identity=self.next_identity,
                redirect_uri=query.get("redirect_uri", ""),
                nonce=query.get("nonce", ""),
                code_challenge=query.get("code_challenge", ""),
                claim_overrides=dict(self.next_claim_overrides),
                is_forged=self.next_is_forged,
            )
        answer = urlencode({"code": code, "state": query.get("state", "")})
        return RedirectResponse(f"{query.get('redirect_uri', '')}?{answer}", status_code=302)

    async def _token(self, request: Request) -> JSONResponse:
        form = {key: str(value) for key, value in (await request.form()).items()}
        answer, status = self._answer_token_request(form, request.headers.get("authorization", ""))
        self.token_answers.append(status)
        return JSONResponse(answer, status_code=status, headers={"Cache-Control": "no-store"})

    def _answer_token_request(self, form: dict[str, str], authorization: str) -> tuple[dict[str, object], int]:
        if not self._client_is_authenticated(form, authorization):
            return {"error": "invalid_client"}, 401
        with self._lock:
            grant = self._grants.get(form.get("code", ""))
            if grant is None or grant.is_used or form.get("grant_type") != "authorization_code":
                return {"error": "invalid_grant"}, 400
            grant.is_used = True
        if form.get("redirect_uri") != grant.redirect_uri or not _pkce_matches(grant, form.get("code_verifier", "")):
            return {"error": "invalid_grant"}, 400
        token = {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 3600}
        return {**token, "id_token": self._id_token(grant)}, 200

    def _client_is_authenticated(self, form: dict[str, str], authorization: str) -> bool:
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
            return (unquote(client_id), unquote(client_secret)) == (self.client_id, self.client_secret)
        return (form.get("client_id"), form.get("client_secret")) == (self.client_id, self.client_secret)

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims: dict[str, object] = {
            "iss": self.base_url,
            "sub": grant.identity.subject,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            "email": grant.identity.email,
            "email_verified": grant.identity.email_verified,
            "name": grant.identity.name,
        }
        claims.update(grant.claim_overrides)
        # A forged token names our key but is signed with another one.
        signing_key = _new_key() if grant.is_forged else self.key
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, signing_key)


def _pkce_matches(grant: _Grant, code_verifier: str) -> bool:
    if not grant.code_challenge:
        return True
    digest = hashlib.sha256(code_verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == grant.code_challenge


@contextmanager
def running_oidc_provider(*, client_id: str, client_secret: str) -> Iterator[LocalOidcProvider]:
    """Serve a fresh provider (new RSA key, free port) with uvicorn in a background thread."""
    provider = LocalOidcProvider(client_id=client_id, client_secret=client_secret)
    config = uvicorn.Config(provider.app(), host="127.0.0.1", port=provider.port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="local-oidc-provider", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout_seconds=10, what="the local OIDC provider to start")
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
