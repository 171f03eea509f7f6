"""Live dashboard notices: every open dashboard tab of a creator links one tiny shared state; the web app bumps
its version when a sale, tip or membership is committed, and each tab then reloads its figures from the database.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.observability import get_logger
from creatorly.services.analytics import dashboard
from creatorly.services.analytics.live import LiveNotice

logger = get_logger(__name__)


class CreatorLive(rx.SharedState):
    version: int = 0
    message: str = ""


async def link_creator(live: CreatorLive, session_token: str) -> CreatorLive:
    """Link this tab's live state to the signed-in creator's channel; the linked state is returned."""
    return await live._link_to(await dashboard.my_live_channel(session_token=session_token))


# Per creator, the newest notice waiting while a push of theirs is in flight in this worker: a burst of sales
# becomes one push in flight and at most one more (each push bumps the version, and the tabs reload their totals),
# not one Redis state update per sale queued behind each other on the state's lock.
_waiting: dict[int, LiveNotice] = {}
_pushing: set[int] = set()


async def push_notice(app: Any, notice: LiveNotice) -> None:
    """Bump the creator's live version (from an API route or event handler of this web worker). With Redis, tabs
    connected to other workers hear of it too."""
    creator_id = notice.creator_id
    _waiting[creator_id] = notice
    if creator_id in _pushing:
        return  # the push in flight takes the newest notice when it is done
    _pushing.add(creator_id)
    try:
        while (newest := _waiting.pop(creator_id, None)) is not None:
            await _push(app, newest)
    finally:
        _pushing.discard(creator_id)


async def _push(app: Any, notice: LiveNotice) -> None:
    token = rx.BaseStateToken(ident=dashboard.live_channel(notice.creator_id), cls=CreatorLive)
    try:
        async with app.modify_state(token) as root:
            live = await root.get_state(CreatorLive)
            live.version += 1
            live.message = notice.message
    except Exception:  # a push is a courtesy: the dashboard reloads its totals on every visit
        logger.exception("live_push_failed", creator_id=notice.creator_id)
