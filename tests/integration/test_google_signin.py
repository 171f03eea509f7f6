"""Google sign-in through HTTP, end to end against a local OpenID Connect provider (never Google itself)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import select

from creatorly import db
from creatorly.api.app import api
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.models import AccountToken, ExternalIdentity, User, UserSession
from creatorly.services.accounts import links, repository
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.errors import NotAuthenticated
from creatorly.services.accounts.rules import TERMS_VERSION
from creatorly.services.accounts.schemas import CurrentUser
from creatorly.services.accounts.sessions import SESSION_COOKIE_NAME, authenticate, open_session
from tests.oidc_provider import LocalOidcProvider, ProviderIdentity, running_oidc_provider
from tests.processes import free_port

PUBLIC_URL = "http://localhost:3000"
CALLBACK_URL = f"{PUBLIC_URL}/api/auth/google/callback"
CLIENT_ID = "creatorly-test.apps.example.com"
CLIENT_SECRET = "local-provider-secret"
STATE_COOKIE = "creatorly_oidc"
REFUSED = "/signin?error=google_sign_in_failed"
PASSWORD = "correct horse battery staple"
NOTHING_WRITTEN = {"users": 0, "user_sessions": 0, "external_identities": 0, "account_tokens": 0}


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalOidcProvider]:
    with running_oidc_provider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as running:
        monkeypatch.setattr(settings, "public_url", PUBLIC_URL)
        monkeypatch.setattr(settings, "google_client_id", CLIENT_ID)
        monkeypatch.setattr(settings, "google_client_secret", SecretStr(CLIENT_SECRET))
        monkeypatch.setattr(settings, "google_discovery_url", running.discovery_url)
        yield running


@pytest.fixture
async def visitor() -> AsyncIterator[httpx.AsyncClient]:
    """Our app in-process, with a cookie jar, as the visitor sees it at the public URL."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=PUBLIC_URL) as client:
        yield client


async def _visit_provider(visitor: httpx.AsyncClient) -> str:
    """Start, follow our redirect to the provider's /authorize over real HTTP; return where it sends us back."""
    start = await visitor.get("/api/auth/google/start")
    assert start.status_code == 302
    async with httpx.AsyncClient(timeout=10) as internet:
        authorized = await internet.get(start.headers["location"])
    assert authorized.status_code == 302
    return authorized.headers["location"]


async def _sign_in(visitor: httpx.AsyncClient) -> httpx.Response:
    return await visitor.get(await _visit_provider(visitor))


def _cookies_set(response: httpx.Response) -> dict[str, dict[str, str]]:
    """Each Set-Cookie by name: its value and attributes (flags map to "")."""
    parsed: dict[str, dict[str, str]] = {}
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            attributes = {key: str(value) for key, value in morsel.items() if value}
            parsed[name] = {"value": morsel.value, **attributes}
    return parsed


async def _row_counts() -> dict[str, int]:
    counts = {}
    async with db.transaction() as session:
        for name, model in (
            ("users", User),
            ("user_sessions", UserSession),
            ("external_identities", ExternalIdentity),
            ("account_tokens", AccountToken),
        ):
            counts[name] = (await session.exec(select(func.count()).select_from(model))).one()
    return counts


async def _identities() -> list[tuple[int, str, str, str]]:
    async with db.transaction() as session:
        rows = (await session.exec(select(ExternalIdentity).order_by(ExternalIdentity.id))).all()  # type: ignore[arg-type]
        return [(row.user_id, row.provider, row.subject, row.email) for row in rows]


async def _user(email: str) -> User:
    async with db.transaction() as session:
        user = await repository.get_by_email(session, email)
    assert user is not None
    return user


async def _make_user(email: str, *, is_verified: bool = True, has_two_factor: bool = False) -> User:
    async with db.transaction() as session:
        user = await accounts.add_verified_user(session, email=email, password=PASSWORD, display_name="Existing")
        if not is_verified:
            user.email_verified_at = None
        if has_two_factor:
            user.totp_enabled_at = utc_now()
    return user


async def test_start_sends_the_visitor_to_the_provider_with_state_nonce_and_pkce(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # when
    start = await visitor.get("/api/auth/google/start")
    # then
    location = urlsplit(start.headers["location"])
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert (start.status_code, f"{location.scheme}://{location.netloc}{location.path}") == (
        302,
        f"{provider.base_url}/authorize",
    )
    assert {key: query[key] for key in ("client_id", "redirect_uri", "response_type", "scope")} == {
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK_URL,
        "response_type": "code",
        "scope": "openid email profile",
    }
    assert query["code_challenge_method"] == "S256"
    assert (len(query["state"]), len(query["nonce"]), len(query["code_challenge"])) == (43, 43, 43)
    state_cookie = _cookies_set(start)[STATE_COOKIE]
    assert {key: state_cookie.get(key) for key in ("path", "max-age", "httponly", "samesite", "secure")} == {
        "path": "/api/auth/google",
        "max-age": "600",
        "httponly": "True",
        "samesite": "lax",
        "secure": None,
    }
    assert query["state"] not in state_cookie["value"]  # signed payload, not the bare state


async def test_a_new_google_user_gets_a_verified_account_and_a_session(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given
    provider.next_identity = ProviderIdentity(subject="108-ada", email="Ada@Example.com", name="Ada  Lovelace")
    # when
    callback = await _sign_in(visitor)
    # then
    assert (callback.status_code, callback.headers["location"]) == (302, "/account")
    cookies = _cookies_set(callback)
    session_cookie = cookies[SESSION_COOKIE_NAME]
    assert {key: session_cookie.get(key) for key in ("path", "max-age", "samesite", "httponly", "secure")} == {
        "path": "/",
        "max-age": "2592000",
        "samesite": "lax",
        "httponly": None,
        "secure": None,
    }
    assert (cookies[STATE_COOKIE]["max-age"], cookies[STATE_COOKIE]["path"]) == ("0", "/api/auth/google")
    user = await _user("ada@example.com")
    assert await authenticate(session_cookie["value"]) == CurrentUser(
        id=user.id or 0,
        email="ada@example.com",
        display_name="Ada Lovelace",
        role="fan",
        is_email_verified=True,
        has_two_factor=False,
    )
    assert (user.password_hash, user.terms_version) == (None, TERMS_VERSION)
    assert user.email_verified_at is not None
    assert user.terms_accepted_at == user.email_verified_at
    assert await _identities() == [(user.id, "google", "108-ada", "ada@example.com")]
    assert await _row_counts() == {"users": 1, "user_sessions": 1, "external_identities": 1, "account_tokens": 0}
    assert provider.token_answers == [200]


async def test_google_links_to_the_existing_account_with_the_same_verified_email(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given
    existing = await _make_user("ada@example.com")
    provider.next_identity = ProviderIdentity(subject="108-ada", email="ada@example.com")
    # when
    callback = await _sign_in(visitor)
    # then
    assert callback.headers["location"] == "/account"
    signed_in = await authenticate(_cookies_set(callback)[SESSION_COOKIE_NAME]["value"])
    assert (signed_in.id, signed_in.display_name) == (existing.id, "Existing")
    assert await _identities() == [(existing.id, "google", "108-ada", "ada@example.com")]
    assert await _row_counts() == {"users": 1, "user_sessions": 1, "external_identities": 1, "account_tokens": 0}
    assert (await _user("ada@example.com")).password_hash == existing.password_hash


async def test_linking_an_unverified_account_drops_the_password_and_sessions_of_whoever_set_them(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given someone signed up with Ada's address but never confirmed it, and holds a session
    squatter = await _make_user("ada@example.com", is_verified=False)
    async with db.transaction() as session:
        squatter_token = await open_session(session, squatter.id or 0, user_agent="squatter")
    provider.next_identity = ProviderIdentity(subject="108-ada", email="ada@example.com")
    # when Ada signs in with Google
    callback = await _sign_in(visitor)
    # then the account is hers alone
    ada = await authenticate(_cookies_set(callback)[SESSION_COOKIE_NAME]["value"])
    assert (ada.id, ada.is_email_verified) == (squatter.id, True)
    assert (await _user("ada@example.com")).password_hash is None
    with pytest.raises(NotAuthenticated):
        await authenticate(squatter_token)


async def test_a_returning_google_user_is_recognised_by_subject_even_after_an_email_change(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given
    provider.next_identity = ProviderIdentity(subject="108-ada", email="ada@example.com")
    first = await authenticate(_cookies_set(await _sign_in(visitor))[SESSION_COOKIE_NAME]["value"])
    provider.next_identity = ProviderIdentity(subject="108-ada", email="ada.lovelace@example.com")
    # when
    second = await authenticate(_cookies_set(await _sign_in(visitor))[SESSION_COOKIE_NAME]["value"])
    # then
    assert (second.id, second.email) == (first.id, "ada@example.com")
    assert await _identities() == [(first.id, "google", "108-ada", "ada.lovelace@example.com")]
    assert await _row_counts() == {"users": 1, "user_sessions": 2, "external_identities": 1, "account_tokens": 0}


async def test_a_callback_with_another_state_is_refused_and_nothing_is_written(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given
    callback_url = await _visit_provider(visitor)
    code = parse_qs(urlsplit(callback_url).query)["code"][0]
    # when
    callback = await visitor.get(CALLBACK_URL, params={"code": code, "state": "attacker-chosen-state"})
    # then
    assert (callback.status_code, callback.headers["location"]) == (302, REFUSED)
    assert set(_cookies_set(callback)) == {STATE_COOKIE}
    assert _cookies_set(callback)[STATE_COOKIE]["max-age"] == "0"
    assert provider.token_answers == []
    assert await _row_counts() == NOTHING_WRITTEN


async def test_a_callback_without_the_state_cookie_is_refused(provider: LocalOidcProvider) -> None:
    # given the attempt was started in another visitor
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=PUBLIC_URL) as starter:
        callback_url = await _visit_provider(starter)
    # when
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=PUBLIC_URL) as victim:
        callback = await victim.get(callback_url)
    # then
    assert callback.headers["location"] == REFUSED
    assert provider.token_answers == []
    assert await _row_counts() == NOTHING_WRITTEN


async def test_a_replayed_code_is_refused_by_the_provider(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given a completed sign-in, and the state cookie it used
    callback_url = await _visit_provider(visitor)
    state_cookie = visitor.cookies[STATE_COOKIE]
    first = await visitor.get(callback_url)
    # when the same code comes back with a valid state and cookie
    visitor.cookies.set(STATE_COOKIE, state_cookie, path="/api/auth/google")
    replay = await visitor.get(callback_url)
    # then
    assert (first.headers["location"], replay.headers["location"]) == ("/account", REFUSED)
    assert SESSION_COOKIE_NAME not in _cookies_set(replay)
    assert provider.token_answers == [200, 400]
    assert await _row_counts() == {"users": 1, "user_sessions": 1, "external_identities": 1, "account_tokens": 0}


async def test_an_unverified_google_email_is_refused_and_nothing_is_written(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given
    await _make_user("ada@example.com")
    provider.next_identity = ProviderIdentity(subject="108-ada", email="ada@example.com", email_verified=False)
    # when
    callback = await _sign_in(visitor)
    # then
    assert (callback.status_code, callback.headers["location"]) == (302, REFUSED)
    assert provider.token_answers == [200]
    assert await _row_counts() == {"users": 1, "user_sessions": 0, "external_identities": 0, "account_tokens": 0}


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"nonce": "another-attempts-nonce"}, id="nonce"),
        pytest.param({"aud": "someone-elses-client"}, id="audience"),
        pytest.param({"iss": "https://impostor.example"}, id="issuer"),
        pytest.param({"exp": 1_000_000_000, "iat": 999_999_000}, id="expired"),
    ],
)
async def test_an_id_token_with_a_wrong_claim_is_refused_and_nothing_is_written(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient, claims: dict[str, object]
) -> None:
    # given
    provider.next_claim_overrides = claims
    # when
    callback = await _sign_in(visitor)
    # then
    assert callback.headers["location"] == REFUSED
    assert provider.token_answers == [200]
    assert await _row_counts() == NOTHING_WRITTEN


async def test_an_id_token_signed_with_another_key_is_refused(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given
    provider.next_is_forged = True
    # when
    callback = await _sign_in(visitor)
    # then
    assert callback.headers["location"] == REFUSED
    assert await _row_counts() == NOTHING_WRITTEN


async def test_a_user_with_two_factor_is_sent_to_the_challenge_without_a_session(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient
) -> None:
    # given
    user = await _make_user("ada@example.com", has_two_factor=True)
    provider.next_identity = ProviderIdentity(subject="108-ada", email="ada@example.com")
    # when
    callback = await _sign_in(visitor)
    # then
    location = urlsplit(callback.headers["location"])
    assert (callback.status_code, location.path) == (302, "/signin/two-factor")
    assert SESSION_COOKIE_NAME not in _cookies_set(callback)
    assert await _row_counts() == {"users": 1, "user_sessions": 0, "external_identities": 1, "account_tokens": 1}
    async with db.transaction() as session:
        challenged = await links.consume(session, parse_qs(location.query)["challenge"][0], links.TWO_FACTOR_CHALLENGE)
    assert challenged == user.id


async def test_an_unreachable_provider_sends_the_visitor_back_with_a_provider_error(
    provider: LocalOidcProvider, visitor: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr(settings, "google_discovery_url", f"http://127.0.0.1:{free_port()}/.well-known/openid")
    # when
    start = await visitor.get("/api/auth/google/start")
    # then
    assert (start.status_code, start.headers["location"]) == (302, "/signin?error=provider_error")
    assert STATE_COOKIE not in _cookies_set(start)


async def test_google_routes_are_not_found_when_google_is_not_configured(
    visitor: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr(settings, "google_client_id", "")
    monkeypatch.setattr(settings, "google_client_secret", SecretStr(""))
    # when
    start = await visitor.get("/api/auth/google/start")
    callback = await visitor.get("/api/auth/google/callback", params={"code": "x", "state": "y"})
    # then
    assert (start.status_code, callback.status_code) == (404, 404)
    assert await _row_counts() == NOTHING_WRITTEN
