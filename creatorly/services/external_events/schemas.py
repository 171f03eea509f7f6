"""What webhook handlers receive, what verifiers look like, and what the webhook use cases return."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True, slots=True)
class InboundEvent:
    provider: str
    event_id: str
    event_type: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ClaimedEvent:
    """A stored event this worker holds for one attempt (`attempt` counts from 1)."""

    id: int
    provider: str
    event_id: str
    event_type: str
    attempt: int


@dataclass(frozen=True, slots=True)
class StuckEvent:
    """A stored event whose handler failed on every attempt the sweeper allows."""

    id: int
    provider: str
    event_id: str
    event_type: str
    received_at: datetime
    attempts: int
    last_error: str


class HandleOutcome(StrEnum):
    HANDLED = "handled"
    IGNORED = "ignored"  # no handler for its type: marked handled so the provider stops retrying
    SKIPPED = "skipped"  # already handled, or another worker holds it right now


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    provider: str
    event_id: str
    event_type: str
    is_duplicate: bool
    outcome: HandleOutcome


# A handler applies one event in the caller's session; it commits together with the `handled_at` stamp.
EventHandler = Callable[[AsyncSession, InboundEvent], Awaitable[None]]

# A verifier checks the raw body against the (lower-cased) headers and raises ValueError to reject it.
# PayPal's verifier is async (it asks PayPal).
WebhookVerifier = Callable[[bytes, Mapping[str, str]], Awaitable[None] | None]
