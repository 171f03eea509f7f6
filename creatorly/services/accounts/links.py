"""Signed, expiring one-time tokens for emailed links and challenges; only their hash is stored."""

from __future__ import annotations

import secrets
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.kit.crypto import sha256_hex
from creatorly.models import AccountToken
from creatorly.services.accounts import repository
from creatorly.services.accounts.errors import LinkInvalid

SIGN_IN_PATH = "/signin"
RESET_REQUEST_PATH = "/reset-password"
VERIFY_EMAIL_PATH = "/verify-email"
CONFIRM_EMAIL_CHANGE_PATH = "/account/confirm-email"
RESET_PASSWORD_PATH = "/reset-password/confirm"  # noqa: S105 (a URL path)

VERIFY_EMAIL = "verify_email"
CHANGE_EMAIL = "change_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 (a token purpose)
TWO_FACTOR_CHALLENGE = "two_factor"

LIFETIMES: dict[str, timedelta] = {
    VERIFY_EMAIL: timedelta(days=2),
    CHANGE_EMAIL: timedelta(days=1),
    RESET_PASSWORD: timedelta(hours=1),
    TWO_FACTOR_CHALLENGE: timedelta(minutes=10),
}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.resolved_secret_key, salt="creatorly-account-links")


async def issue(session: AsyncSession, user_id: int, purpose: str, *, detail: str = "") -> str:
    """A new signed token for `purpose`; earlier unused tokens of the same purpose stop working."""
    now = utc_now()
    await repository.expire_unused_tokens(session, user_id, purpose, now=now)
    raw = secrets.token_urlsafe(32)
    await repository.add(
        session,
        AccountToken(user_id=user_id, purpose=purpose, token_hash=sha256_hex(raw), expires_at=now + LIFETIMES[purpose]),
    )
    return _serializer().dumps({"p": purpose, "t": raw, "d": detail})


async def consume(session: AsyncSession, signed: str, purpose: str) -> int:
    """Check signature, purpose, expiry and single use; mark it used and return the user id."""
    user_id, _detail = await consume_with_detail(session, signed, purpose)
    return user_id


async def consume_with_detail(session: AsyncSession, signed: str, purpose: str) -> tuple[int, str]:
    """Like `consume`, also returning the signed detail the link carries (such as a new email address)."""
    token_id, user_id = await peek(session, signed, purpose)
    if not await repository.use_token(session, token_id, now=utc_now()):
        raise LinkInvalid()
    return user_id, str(_serializer().loads(signed).get("d", ""))


async def peek(session: AsyncSession, signed: str, purpose: str) -> tuple[int, int]:
    """Check signature, purpose, expiry and that it is unused, without using it: (token id, user id)."""
    try:
        payload = _serializer().loads(signed, max_age=int(LIFETIMES[purpose].total_seconds()))
    except BadSignature:
        raise LinkInvalid() from None
    if not isinstance(payload, dict) or payload.get("p") != purpose or not isinstance(payload.get("t"), str):
        raise LinkInvalid()
    token = await repository.get_token_by_hash(session, sha256_hex(payload["t"]))
    now = utc_now()
    if token is None or token.id is None or token.purpose != purpose or token.expires_at <= now:
        raise LinkInvalid()
    if token.used_at is not None:
        raise LinkInvalid()
    return token.id, token.user_id


def absolute_url(path: str, signed: str) -> str:
    return f"{settings.resolved_public_url}{path}?token={signed}"
