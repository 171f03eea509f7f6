"""Who may act as an admin, and the reason every admin action must carry."""

from __future__ import annotations

from creatorly.errors import InvalidInput
from creatorly.models.enums import Role
from creatorly.services.accounts.authorization import require_role
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor

MIN_REASON_LENGTH = 3


async def admin_actor(*, session_token: str) -> Actor:
    """The audit actor for an admin with two-factor on; NotAuthenticated, Forbidden or TwoFactorSetupRequired else.

    Call it before opening the action's transaction, so a refusal writes nothing.
    """
    return audit.actor_of(await require_role(session_token, Role.ADMIN))


def required_reason(reason: str) -> str:
    """The reason, tidied; InvalidInput when it is missing or too short to explain anything."""
    tidy = " ".join(reason.split())
    if len(tidy) < MIN_REASON_LENGTH:
        raise InvalidInput("Give a reason: it goes in the audit log and to the people affected.", field="reason")
    if len(tidy) > audit.MAX_REASON_LENGTH:
        raise InvalidInput(f"Keep the reason under {audit.MAX_REASON_LENGTH} characters.", field="reason")
    return tidy
