"""Account use cases shared by other domains."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.kit.clock import utc_now
from creatorly.models import User
from creatorly.models.enums import Role
from creatorly.services.accounts import repository
from creatorly.services.accounts.passwords import hash_password
from creatorly.services.accounts.rules import normalize_email


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await repository.get_by_email(session, normalize_email(email))


async def add_verified_user(
    session: AsyncSession, *, email: str, password: str, display_name: str, role: Role = Role.FAN
) -> User:
    """Create an account whose email is already known to be real (seed data, admin tooling)."""
    user = User(
        email=normalize_email(email),
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        email_verified_at=utc_now(),
    )
    return await repository.add(session, user)
