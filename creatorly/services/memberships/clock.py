"""The memberships test clock: outside production, renewals see the real time plus an offset kept in the data dir.

`creatorly clock advance 1M` and tests move it forward; production refuses it and always reads the real time.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from creatorly.config import settings
from creatorly.errors import InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.services.memberships.rules import add_months

OFFSET_FILE = "membership_clock_offset"
_STEP = re.compile(r"^(\d{1,4})([smhdwM])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


class TestClockRefused(InvalidInput):
    """The test clock exists only outside production."""

    __test__ = False  # not a pytest class
    code = "test_clock_refused"
    default_message = "The test clock is not available in production."


def _offset_path() -> Path:
    return settings.resolved_data_dir / OFFSET_FILE


def _check_allowed() -> None:
    if settings.env == "production":
        raise TestClockRefused()


def offset_seconds() -> int:
    """The current offset; always 0 in production."""
    if settings.env == "production":
        return 0
    try:
        return int(_offset_path().read_text().strip() or "0")
    except (FileNotFoundError, ValueError):
        return 0


def now() -> datetime:
    """What renewals, retries and trials take as the current time."""
    return utc_now() + timedelta(seconds=offset_seconds())


def _write(seconds: int) -> None:
    path = _offset_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(seconds))


def advance(step: str) -> datetime:
    """Move the clock forward by `step` (`30s`, `10m`, `2h`, `3d`, `1w` or `1M` for one calendar month)."""
    _check_allowed()
    match = _STEP.match(step.strip())
    if match is None:
        raise InvalidInput("Give a step like 3d, 1w or 1M.", field="step")
    count, unit = int(match.group(1)), match.group(2)
    current = now()
    target = add_months(current, count) if unit == "M" else current + timedelta(seconds=count * _UNIT_SECONDS[unit])
    _write(offset_seconds() + int((target - current).total_seconds()))
    return now()


def advance_by(delta: timedelta) -> datetime:
    _check_allowed()
    _write(offset_seconds() + int(delta.total_seconds()))
    return now()


def reset() -> None:
    """Back to the real time."""
    _check_allowed()
    _offset_path().unlink(missing_ok=True)
