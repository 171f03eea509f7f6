"""Google sign-in use cases: start (state, nonce, PKCE in a signed cookie) and finish (link or create, then sign in)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import CreatorlyError, NotFound, ProviderError
from creatorly.kit.clock import utc_now
from creatorly.models import ExternalIdentity, User
from creatorly.observability import get_logger
from creatorly.providers.identity.google import (
    AuthorizationRequest,
    GoogleIdentityProvider,
    IdentityRefused,
    VerifiedIdentity,
)
from creatorly.providers.registry import get_google_identity
from creatorly.services.accounts import links, repository
from creatorly.services.accounts.rules import TERMS_VERSION, normalize_email
from creatorly.services.accounts.schemas import Requester, SignedIn, SignInResult, TwoFactorChallenge
from creatorly.services.accounts.sessions import open_session, to_current_user

PROVIDER = "google"
CALLBACK_PATH = "/api/auth/google/callback"
STATE_LIFETIME = timedelta(minutes=10)
MAX_DISPLAY_NAME = 100
_STATE_SALT = "creatorly-google-sign-in-state"

logger = get_logger(__name__)


class GoogleSignInFailed(CreatorlyError):
    """The callback did not match the attempt we started, or Google could not vouch for a verified email."""

    code = "google_sign_in_failed"
    status = 400
    default_message = "Google sign-in didn't complete. Please try again."


@dataclass(frozen=True, slots=True)
class GoogleStart:
    """Where to send the browser, and the signed value it must bring back in the state cookie."""

    authorization_url: str
    state_cookie: str


def is_google_enabled() -> bool:
    return settings.is_google_enabled


def _provider() -> GoogleIdentityProvider:
    provider = get_google_identity(redirect_uri=f"{settings.resolved_public_url}{CALLBACK_PATH}")
    if provider is None:
        raise NotFound()
    return provider


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.resolved_secret_key, salt=_STATE_SALT)


async def start_google_sign_in() -> GoogleStart:
    """Begin an attempt: fresh state, nonce and PKCE verifier, kept only in the browser's signed cookie."""
    provider = _provider()
    request = AuthorizationRequest(
        state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), code_verifier=secrets.token_urlsafe(48)
    )
    try:
        authorization_url = await provider.authorization_url(request)
    except ProviderError as error:
        logger.warning("google_provider_failed", step="start", error=error.message, is_retryable=error.is_retryable)
        raise
    cookie = _serializer().dumps({"s": request.state, "n": request.nonce, "v": request.code_verifier})
    return GoogleStart(authorization_url=authorization_url, state_cookie=cookie)


def _attempt_from(state_cookie: str, state: str) -> AuthorizationRequest:
    """The attempt the signed cookie describes, if it is recent and its state is the one Google sent back."""
    try:
        payload = _serializer().loads(state_cookie, max_age=int(STATE_LIFETIME.total_seconds()))
    except BadSignature:
        raise GoogleSignInFailed() from None
    values = payload if isinstance(payload, dict) else {}
    saved_state, nonce, verifier = values.get("s"), values.get("n"), values.get("v")
    if not (isinstance(saved_state, str) and isinstance(nonce, str) and isinstance(verifier, str)):
        raise GoogleSignInFailed()
    if not state or not hmac.compare_digest(saved_state.encode(), state.encode()):
        raise GoogleSignInFailed()
    return AuthorizationRequest(state=saved_state, nonce=nonce, code_verifier=verifier)


async def finish_google_sign_in(
    *, code: str, state: str, state_cookie: str, requester: Requester, previous_token: str = ""
) -> SignInResult:
    """Check the attempt, exchange the code (no transaction open), then link or create and sign in."""
    provider = _provider()
    attempt = _attempt_from(state_cookie, state)
    if not code:
        raise GoogleSignInFailed()
    try:
        identity = await provider.verify_code(code=code, request=attempt)
    except IdentityRefused as error:
        logger.warning("google_identity_refused", reason=error.message)
        raise GoogleSignInFailed() from None
    except ProviderError as error:
        logger.warning("google_provider_failed", step="finish", error=error.message, is_retryable=error.is_retryable)
        raise
    if not identity.email_verified:
        raise GoogleSignInFailed("Google hasn't verified this email address, so we can't sign you in with it.")
    try:
        return await _link_and_sign_in(identity, requester, previous_token)
    except IntegrityError:
        # A simultaneous callback for the same person created the account or link first: use it.
        return await _link_and_sign_in(identity, requester, previous_token)


async def _link_and_sign_in(identity: VerifiedIdentity, requester: Requester, previous_token: str) -> SignInResult:
    async with db.transaction() as session:
        user = await _user_for(session, identity)
        assert user.id is not None
        if user.totp_enabled_at is not None:
            return TwoFactorChallenge(challenge_token=await links.issue(session, user.id, links.TWO_FACTOR_CHALLENGE))
        token = await open_session(session, user.id, user_agent=requester.user_agent, replacing=previous_token)
        return SignedIn(session_token=token, user=to_current_user(user))


async def _user_for(session: AsyncSession, identity: VerifiedIdentity) -> User:
    """The linked user; else the account with this verified email, now linked; else a new account."""
    address = normalize_email(identity.email)
    linked = await repository.get_identity(session, PROVIDER, identity.subject)
    if linked is not None:
        linked.email = address
        return _usable(await repository.get_user(session, linked.user_id))
    existing = await repository.get_by_email(session, address)
    user = _usable(existing) if existing is not None else await _new_user(session, identity, address)
    assert user.id is not None
    await _trust_verified_email(session, user)
    await repository.add(
        session, ExternalIdentity(user_id=user.id, provider=PROVIDER, subject=identity.subject, email=address)
    )
    return user


def _usable(user: User | None) -> User:
    if user is None or not user.is_active or user.deleted_at is not None:
        raise GoogleSignInFailed("This account can't be used to sign in.")
    return user


async def _new_user(session: AsyncSession, identity: VerifiedIdentity, address: str) -> User:
    """Terms are recorded as accepted: the sign-in page says continuing accepts the Terms and Privacy Policy."""
    now = utc_now()
    name = " ".join(identity.name.split())[:MAX_DISPLAY_NAME] or address.split("@", 1)[0][:MAX_DISPLAY_NAME]
    user = User(
        email=address,
        display_name=name,
        email_verified_at=now,
        terms_version=TERMS_VERSION,
        terms_accepted_at=now,
    )
    await repository.add(session, user)
    return user


async def _trust_verified_email(session: AsyncSession, user: User) -> None:
    """Google proved the mailbox; if we never had, whoever set the password may not own it: drop it and its sessions."""
    if user.email_verified_at is not None:
        return
    assert user.id is not None
    now = utc_now()
    user.email_verified_at, user.password_hash, user.updated_at = now, None, now
    await repository.revoke_sessions(session, user.id, now=now)
