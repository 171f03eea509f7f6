"""Writing the audit log, in the caller's transaction, so a change and its entry commit (or vanish) together.

Entries keep only the fields that changed, old and new, as JSON; secrets never go in (callers pass labels such as
an account's last four digits, not account numbers).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import AuditEntry
from creatorly.observability import current_request_id
from creatorly.services.audit import repository
from creatorly.services.audit.schemas import SYSTEM_ROLE, Actor

MAX_REASON_LENGTH = 500


def actor_of(user: Any) -> Actor:
    """The actor for a signed-in user (a CurrentUser or a User row)."""
    return Actor(user_id=user.id, email=user.email, role=str(user.role))


def command_line_actor() -> Actor:
    """The operator at the command line: the platform itself, named by the OS account that ran the command."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(user_id=None, email=f"cli:{name}", role=SYSTEM_ROLE)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose value differs, as (old values, new values)."""
    names = [name for name in {**before, **after} if _plain(before.get(name)) != _plain(after.get(name))]
    return {name: _plain(before.get(name)) for name in names}, {name: _plain(after.get(name)) for name in names}


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str | int,
    creator_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> None:
    """Append one entry; `before`/`after` are reduced to the fields that changed."""
    old, new = changed_fields(before or {}, after or {})
    repository.add(
        session,
        AuditEntry(
            actor_user_id=actor.user_id,
            actor_email=actor.email,
            actor_role=actor.role,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            creator_id=creator_id,
            before=json.dumps(old, sort_keys=True),
            after=json.dumps(new, sort_keys=True),
            reason=" ".join(reason.split())[:MAX_REASON_LENGTH],
            request_id=current_request_id()[:64],
        ),
    )
