"""Pure account rules: email normalisation and validation, password policy, session lifetimes."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from creatorly.services.accounts.errors import EmailRejected, PasswordRejected

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
TERMS_VERSION = "2026-11-22"

SESSION_LIFETIME = timedelta(days=30)
SESSION_IDLE_TIMEOUT = timedelta(days=7)
SESSION_TOUCH_INTERVAL = timedelta(minutes=1)

# 30,000 passwords seen most often in public breaches, shipped with zxcvbn (no network needed).
_COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def normalize_email(email: str) -> str:
    """Trim, NFKC-normalise and lower-case the address so one mailbox maps to one account."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def validated_email(email: str) -> str:
    """The normalised address, or EmailRejected with a message for the form."""
    normalized = normalize_email(email)
    if len(normalized) > 320:
        raise EmailRejected("That email address is too long.", field="email")
    try:
        result = validate_email(normalized, check_deliverability=False)
    except EmailNotValidError:
        raise EmailRejected("Enter a valid email address, like name@example.com.", field="email") from None
    return normalize_email(result.normalized)


def check_password(password: str, *, email: str = "") -> None:
    """Refuse short, overlong, common or email-derived passwords (NIST 800-63B style, no composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRejected(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRejected(f"Use at most {MAX_PASSWORD_LENGTH} characters.", field="password")
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or len(set(password)) < 3:
        raise PasswordRejected("That password is too common. Choose something harder to guess.", field="password")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        raise PasswordRejected("Don't use your email address in your password.", field="password")


def session_is_live(
    *, now: datetime, expires_at: datetime, last_seen_at: datetime, revoked_at: datetime | None
) -> bool:
    return revoked_at is None and now < expires_at and now < last_seen_at + SESSION_IDLE_TIMEOUT
