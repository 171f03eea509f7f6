"""Live notices: once a sale, tip or membership is committed, tell whoever listens (the web app pushes it to the
creator's open dashboard tabs). Services know nothing of how; a process with no listener (the worker) skips it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.observability import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class LiveNotice:
    creator_id: int
    kind: str  # an analytics EventKind value
    message: str  # what the toast says, e.g. "New sale: Zine · $12.00"


Listener = Callable[[LiveNotice], None]
_listeners: list[Listener] = []


def register_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def notify_after_commit(session: AsyncSession, notice: LiveNotice) -> None:
    """Announce `notice` once the surrounding transaction has committed (never for a rolled-back one)."""

    def announce() -> None:
        for listener in list(_listeners):
            try:
                listener(notice)
            except Exception:  # a push is a courtesy: the dashboard reloads its totals from the database
                logger.exception("live_notice_failed", creator_id=notice.creator_id, kind=notice.kind)

    db.after_commit(session, announce)
