"""Live dashboard pushes: a burst of sales of one creator becomes one push in flight and one with the newest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from creatorly.services.analytics.live import LiveNotice
from creatorly.ui.states.live import CreatorLive, push_notice


class _LiveState:
    def __init__(self) -> None:
        self.version = 0
        self.message = ""


class _Root:
    def __init__(self, live: _LiveState) -> None:
        self._live = live

    async def get_state(self, cls: type[Any]) -> _LiveState:
        assert cls is CreatorLive
        return self._live


class _App:
    """Stands in for Reflex's app: modify_state takes a while, like a Redis round trip under its lock."""

    def __init__(self) -> None:
        self.states: dict[str, _LiveState] = {}
        self.pushes = 0

    @asynccontextmanager
    async def modify_state(self, token: Any) -> AsyncIterator[_Root]:
        self.pushes += 1
        await asyncio.sleep(0.01)
        yield _Root(self.states.setdefault(str(token.ident), _LiveState()))


async def test_a_burst_of_notices_for_one_creator_is_pushed_twice_with_the_newest_message() -> None:
    app = _App()

    await asyncio.gather(
        *(push_notice(app, LiveNotice(7, "purchase", f"New sale · ${number}")) for number in range(10))
    )

    assert app.pushes == 2
    [state] = app.states.values()
    assert (state.version, state.message) == (2, "New sale · $9")


async def test_notices_for_different_creators_are_pushed_each() -> None:
    app = _App()

    await asyncio.gather(*(push_notice(app, LiveNotice(creator, "purchase", "New sale")) for creator in (1, 2, 3)))

    assert app.pushes == 3
    assert sorted(state.version for state in app.states.values()) == [1, 1, 1]
