"""Password hashing with Argon2 (pwdlib's recommended parameters)."""

from __future__ import annotations

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
# Verified against when the account does not exist, so both answers take as long.
_DUMMY_HASH = _hasher.hash("creatorly-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


def verify_password_timing_safe(password: str, password_hash: str | None) -> bool:
    """False for a missing hash too, after the same amount of work as a real check."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)
