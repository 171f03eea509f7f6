"""When to remind people of something that starts at a fixed time: 24 hours and 1 hour before."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum


class Reminder(StrEnum):
    DAY_BEFORE = "24h"
    HOUR_BEFORE = "1h"


REMINDER_LEAD_TIMES: dict[Reminder, timedelta] = {
    Reminder.DAY_BEFORE: timedelta(hours=24),
    Reminder.HOUR_BEFORE: timedelta(hours=1),
}


def due_reminders(*, starts_at: datetime, now: datetime, already_sent: Collection[Reminder]) -> tuple[Reminder, ...]:
    """The reminders to send now (at most one), given those already sent.

    Only the closest window counts: a job that runs late (or a booking made 30 minutes ahead) sends the
    1 h reminder alone rather than a stale "tomorrow" one, and nothing is sent once the start has passed.
    """
    if now.tzinfo is None or starts_at.tzinfo is None:
        raise ValueError("starts_at and now must be timezone-aware")
    remaining = starts_at - now
    if remaining <= timedelta(0):
        return ()
    if remaining <= REMINDER_LEAD_TIMES[Reminder.HOUR_BEFORE]:
        wanted = Reminder.HOUR_BEFORE
    elif remaining <= REMINDER_LEAD_TIMES[Reminder.DAY_BEFORE]:
        wanted = Reminder.DAY_BEFORE
    else:
        return ()
    return () if wanted in already_sent else (wanted,)
