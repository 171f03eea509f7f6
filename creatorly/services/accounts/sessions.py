"""Browser sessions: random 256-bit tokens, stored hashed, with expiry and an idle timeout."""

from __future__ import annotations

import secrets

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.kit.crypto import sha256_hex
from creatorly.models import User, UserSession
from creatorly.services.accounts import repository
from creatorly.services.accounts.errors import NotAuthenticated
from creatorly.services.accounts.rules import SESSION_LIFETIME, SESSION_TOUCH_INTERVAL, session_is_live
from creatorly.services.accounts.schemas import CurrentUser

# The browser keeps the session token in this cookie: Reflex reads it as client state, API routes from
# the request. Reflex sets cookies from JavaScript, so it cannot be HttpOnly; it is SameSite=Lax.
SESSION_COOKIE_NAME = "creatorly_session"


def to_current_user(user: User) -> CurrentUser:
    assert user.id is not None
    return CurrentUser(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        is_email_verified=user.email_verified_at is not None,
        has_two_factor=user.totp_enabled_at is not None,
    )


async def open_session(session: AsyncSession, user_id: int, *, user_agent: str, replacing: str = "") -> str:
    """Start a session for the user; the browser's previous token (if any) is revoked (rotation)."""
    now = utc_now()
    if replacing:
        previous = await repository.get_session_by_hash(session, sha256_hex(replacing))
        if previous is not None and previous.revoked_at is None:
            previous.revoked_at = now
    token = secrets.token_urlsafe(32)
    await repository.add(
        session,
        UserSession(
            user_id=user_id,
            token_hash=sha256_hex(token),
            user_agent=user_agent[:300],
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_LIFETIME,
        ),
    )
    return token


async def live_session(session: AsyncSession, token: str) -> tuple[UserSession, User]:
    """The live session and its active user, or NotAuthenticated. Touches `last_seen_at` now and then."""
    if not token:
        raise NotAuthenticated()
    row = await repository.get_session_by_hash(session, sha256_hex(token))
    now = utc_now()
    if row is None or not session_is_live(
        now=now, expires_at=row.expires_at, last_seen_at=row.last_seen_at, revoked_at=row.revoked_at
    ):
        raise NotAuthenticated()
    user = await repository.get_user(session, row.user_id)
    if user is None or not user.is_active or user.deleted_at is not None:
        raise NotAuthenticated()
    if now - row.last_seen_at >= SESSION_TOUCH_INTERVAL:
        row.last_seen_at = now
    return row, user


async def authenticate(token: str) -> CurrentUser:
    """The one authorization check every private handler and route makes, against the database."""
    async with db.transaction() as session:
        _row, user = await live_session(session, token)
        return to_current_user(user)
