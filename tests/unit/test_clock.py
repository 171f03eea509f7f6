"""A pinned clock starts at the pinned moment and keeps running from there; outside the block it is the real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from creatorly.kit.clock import pinned_at, utc_now

MOMENT = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def test_a_pinned_clock_starts_at_the_moment_and_runs_on() -> None:
    with pinned_at(MOMENT):
        first = utc_now()
        second = utc_now()
    assert MOMENT <= first <= second < MOMENT + timedelta(seconds=5)
    assert utc_now() > MOMENT + timedelta(days=300)  # the real time again


def test_pins_nest_and_a_naive_moment_is_utc() -> None:
    with pinned_at(MOMENT):
        with pinned_at(datetime(2024, 1, 1)):
            assert utc_now().year == 2024 and utc_now().tzinfo is not None
        assert utc_now().date() == MOMENT.date()


def test_tasks_started_inside_the_block_see_the_pinned_clock() -> None:
    async def read() -> datetime:
        await asyncio.sleep(0)
        return utc_now()

    async def read_in_a_task() -> datetime:
        return await asyncio.create_task(read())

    with pinned_at(MOMENT):
        seen = asyncio.run(read_in_a_task())
    assert seen.date() == MOMENT.date()
