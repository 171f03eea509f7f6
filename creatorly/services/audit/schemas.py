"""Who acts, and what an entry looks like when read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SYSTEM_ROLE = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or the platform itself: the CLI, scheduled work) behind a change."""

    user_id: int | None
    email: str
    role: str


SYSTEM = Actor(user_id=None, email="", role=SYSTEM_ROLE)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str = ""
    actor_email: str = ""
    target_type: str = ""
    target_id: str = ""
    creator_id: int | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    created_at: datetime
    actor_email: str
    actor_role: str
    action: str
    target_type: str
    target_id: str
    reason: str
    request_id: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditPage:
    items: list[AuditRecord]
    next_cursor: int | None  # the id to pass as `before_id` for the next (older) page; None at the end
