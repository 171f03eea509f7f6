"""Admin: suspend a creator (public pages gone, no new orders, payouts held) and restore them, audited and emailed.

Suspension is its own flag (`creators.suspended_at`), not the payouts' under-review hold, so restoring a creator
never releases a hold an admin placed separately; each answers for itself in the payout rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import CreatorlyError
from creatorly.kit.clock import utc_now
from creatorly.models import Creator
from creatorly.services.admin import catalog_repository as repository
from creatorly.services.admin.access import admin_actor, required_reason
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor
from creatorly.services.creators import service as creators
from creatorly.services.email import service as email

SUSPENDED_ACTION = "creator.suspended"
RESTORED_ACTION = "creator.restored"


class CreatorAlreadySuspended(CreatorlyError):
    code = "creator_already_suspended"
    status = 409
    default_message = "This creator is already suspended."


class CreatorNotSuspended(CreatorlyError):
    code = "creator_not_suspended"
    status = 409
    default_message = "This creator is not suspended."


@dataclass(frozen=True, slots=True)
class SuspensionState:
    handle: str
    is_suspended: bool
    suspended_at: datetime | None
    reason: str


async def admin_suspend_creator(*, session_token: str, creator_id: int, reason: str) -> SuspensionState:
    """Admin (with two-factor): suspend the creator with this id."""
    actor = await admin_actor(session_token=session_token)
    return await suspend_creator(actor=actor, creator_id=creator_id, reason=reason)


async def admin_restore_creator(*, session_token: str, creator_id: int, reason: str) -> SuspensionState:
    """Admin (with two-factor): restore the suspended creator with this id."""
    actor = await admin_actor(session_token=session_token)
    return await restore_creator(actor=actor, creator_id=creator_id, reason=reason)


async def suspend_creator(
    *, actor: Actor, reason: str, creator_id: int | None = None, handle: str = ""
) -> SuspensionState:
    """Suspend a creator (by id, or by handle from the command line), audit it, and email them the reason."""
    text = required_reason(reason)
    async with db.transaction() as session:
        creator = await _creator(session, creator_id=creator_id, handle=handle)
        if creators.is_suspended(creator):
            raise CreatorAlreadySuspended()
        moment = utc_now()
        await _audit(session, actor, SUSPENDED_ACTION, creator, suspended_at=moment, reason=text)
        creator.suspended_at, creator.suspension_reason, creator.updated_at = moment, text, moment
        session.add(creator)
        await _email_creator(session, creator, _suspended_text(creator, text))
        return _state(creator)


async def restore_creator(
    *, actor: Actor, reason: str, creator_id: int | None = None, handle: str = ""
) -> SuspensionState:
    """Undo exactly what suspending did (the flag and its reason), audit it, and tell the creator."""
    text = required_reason(reason)
    async with db.transaction() as session:
        creator = await _creator(session, creator_id=creator_id, handle=handle)
        if not creators.is_suspended(creator):
            raise CreatorNotSuspended()
        await _audit(session, actor, RESTORED_ACTION, creator, suspended_at=None, reason=text)
        creator.suspended_at, creator.suspension_reason, creator.updated_at = None, "", utc_now()
        session.add(creator)
        await _email_creator(session, creator, _restored_text(creator, text))
        return _state(creator)


async def _creator(session: AsyncSession, *, creator_id: int | None, handle: str) -> Creator:
    creator = (
        await repository.creator_for_update(session, creator_id)
        if creator_id is not None
        else await creators.creator_by_handle(session, handle)
    )
    if creator is None or creator.id is None:
        raise creators.CreatorNotFound()
    return creator


async def _audit(
    session: AsyncSession, actor: Actor, action: str, creator: Creator, *, suspended_at: datetime | None, reason: str
) -> None:
    await audit.record(
        session,
        actor=actor,
        action=action,
        target_type="creator",
        target_id=creator.handle,
        creator_id=creator.id,
        before={"suspended_at": creator.suspended_at, "suspension_reason": creator.suspension_reason},
        after={"suspended_at": suspended_at, "suspension_reason": reason if suspended_at else ""},
        reason=reason,
    )


def _state(creator: Creator) -> SuspensionState:
    return SuspensionState(
        handle=creator.handle,
        is_suspended=creator.suspended_at is not None,
        suspended_at=creator.suspended_at,
        reason=creator.suspension_reason,
    )


async def _email_creator(session: AsyncSession, creator: Creator, message: tuple[str, str]) -> None:
    address = await repository.email_of_user(session, creator.user_id)
    if address:
        subject, body = message
        await email.queue_email(session, to_address=address, subject=subject, text_body=body)


def _suspended_text(creator: Creator, reason: str) -> tuple[str, str]:
    return (
        "Your Creatorly storefront is suspended",
        f"We have suspended your storefront /{creator.handle}.\n\nReason: {reason}\n\n"
        "While it is suspended your storefront, products and posts are not shown to the public, new orders, "
        "tips and memberships are refused, and payouts are on hold. Buyers keep access to what they bought.\n\n"
        f"Your dashboard: {settings.resolved_public_url}/dashboard\n"
        "Reply to this email or write to support@creatorly.example to talk to us about it.",
    )


def _restored_text(creator: Creator, reason: str) -> tuple[str, str]:
    return (
        "Your Creatorly storefront is back",
        f"We have restored your storefront /{creator.handle}.\n\nReason: {reason}\n\n"
        "Your pages are public again, you can take orders, and payouts resume on your usual schedule.\n\n"
        f"Your storefront: {settings.resolved_public_url}/{creator.handle}",
    )
