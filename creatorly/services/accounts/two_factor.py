"""Two-factor authentication: TOTP (pyotp) with a QR code, and one-time backup codes."""

from __future__ import annotations

import secrets

import pyotp
import segno
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import Forbidden, InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.kit.crypto import decrypt, encrypt, sha256_hex
from creatorly.models import BackupCode, User
from creatorly.models.enums import Role
from creatorly.services.accounts import repository
from creatorly.services.accounts.errors import TwoFactorInvalid
from creatorly.services.accounts.schemas import TwoFactorSetup
from creatorly.services.accounts.sessions import live_session

ISSUER = "Creatorly"
BACKUP_CODE_COUNT = 10
_SECRET_PURPOSE = "totp-secret"  # noqa: S105 (a key-derivation label)
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes


def _secret_of(user: User) -> str | None:
    if user.totp_secret_encrypted is None:
        return None
    return decrypt(user.totp_secret_encrypted, secret=settings.resolved_secret_key, purpose=_SECRET_PURPOSE)


def _totp_matches(secret: str, code: str) -> bool:
    digits = "".join(code.split())
    return len(digits) == 6 and digits.isdigit() and pyotp.TOTP(secret).verify(digits, valid_window=1)


def _normalize_backup_code(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


async def accept_code(session: AsyncSession, user: User, code: str) -> bool:
    """True for a current TOTP code, or for an unused backup code (which is then used up)."""
    secret = _secret_of(user)
    if secret is None or user.totp_enabled_at is None or user.id is None:
        return False
    if _totp_matches(secret, code):
        return True
    wanted = sha256_hex(_normalize_backup_code(code))
    for backup in await repository.unused_backup_codes(session, user.id):
        if backup.id is not None and secrets.compare_digest(backup.code_hash, wanted):
            return await repository.use_backup_code(session, backup.id, now=utc_now())
    return False


async def begin_setup(*, session_token: str) -> TwoFactorSetup:
    """A fresh secret (kept encrypted, not yet active) with its otpauth:// URI and QR code."""
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        secret = pyotp.random_base32()
        user.totp_secret_encrypted = encrypt(secret, secret=settings.resolved_secret_key, purpose=_SECRET_PURPOSE)
        user.totp_enabled_at = None
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return TwoFactorSetup(secret=secret, provisioning_uri=uri, qr_svg_data_uri=qr)


async def confirm_setup(*, session_token: str, code: str) -> list[str]:
    """Turn 2FA on once the app shows a matching code; returns the backup codes, shown only this once."""
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        secret = _secret_of(user)
        if secret is None:
            raise InvalidInput("Start the set-up again to get a new QR code.", field="code")
        if not _totp_matches(secret, code):
            raise TwoFactorInvalid("That code doesn't match. Check your phone's clock and try the newest code.")
        user.totp_enabled_at = utc_now()
        return await _replace_backup_codes(session, user)


async def regenerate_backup_codes(*, session_token: str, code: str) -> list[str]:
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        if not await accept_code(session, user, code):
            raise TwoFactorInvalid()
        return await _replace_backup_codes(session, user)


async def disable(*, session_token: str, code: str) -> None:
    """Turn 2FA off with a valid code; admins must keep it on."""
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        if user.role == Role.ADMIN:
            raise Forbidden("Admins must keep two-factor authentication on.")
        if not await accept_code(session, user, code):
            raise TwoFactorInvalid()
        assert user.id is not None
        user.totp_secret_encrypted, user.totp_enabled_at = None, None
        await repository.delete_backup_codes(session, user.id)


async def _replace_backup_codes(session: AsyncSession, user: User) -> list[str]:
    assert user.id is not None
    await repository.delete_backup_codes(session, user.id)
    codes = []
    for _ in range(BACKUP_CODE_COUNT):
        raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        await repository.add(session, BackupCode(user_id=user.id, code_hash=sha256_hex(raw)))
    return codes
