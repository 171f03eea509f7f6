"""What audience use cases return: plain data, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ConfirmedSubscription:
    creator_display_name: str
    creator_handle: str
    email: str
    unsubscribe_url: str


@dataclass(frozen=True, slots=True)
class UnsubscribeResult:
    """`creator_*` are None when the subscriber was already removed from the list: nothing left to stop."""

    email: str
    creator_display_name: str | None
    creator_handle: str | None


@dataclass(frozen=True, slots=True)
class SubscriberItem:
    id: int
    email: str
    status: str
    source: str
    created_at: datetime
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class SubscriberPage:
    items: list[SubscriberItem] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = 50
