"""The one authorization helper used by UI states and API routes alike."""

from __future__ import annotations

from creatorly.errors import Forbidden
from creatorly.models.enums import Role
from creatorly.services.accounts.errors import TwoFactorSetupRequired
from creatorly.services.accounts.schemas import CurrentUser
from creatorly.services.accounts.sessions import authenticate


async def require_user(session_token: str) -> CurrentUser:
    """The signed-in user behind the token, re-checked against the database; NotAuthenticated otherwise."""
    return await authenticate(session_token)


async def require_role(session_token: str, role: Role) -> CurrentUser:
    """Like require_user, and the user holds `role` (admins hold every role); admins need 2FA on."""
    user = await authenticate(session_token)
    if user.role != role and user.role != Role.ADMIN:
        raise Forbidden()
    if user.role == Role.ADMIN and user.needs_two_factor_setup:
        raise TwoFactorSetupRequired()
    return user
