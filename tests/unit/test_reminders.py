"""Session reminders: 24 h before, then 1 h before; never a stale 24 h one, nothing after the start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from creatorly.kit.reminders import Reminder, due_reminders

STARTS_AT = datetime(2027, 3, 10, 14, 30, tzinfo=UTC)
BOTH = {Reminder.DAY_BEFORE, Reminder.HOUR_BEFORE}


@pytest.mark.parametrize(
    ("before_start", "already_sent", "expected"),
    [
        (timedelta(hours=30), set(), ()),
        (timedelta(hours=24, seconds=1), set(), ()),
        (timedelta(hours=24), set(), (Reminder.DAY_BEFORE,)),
        (timedelta(hours=5), set(), (Reminder.DAY_BEFORE,)),
        (timedelta(hours=5), {Reminder.DAY_BEFORE}, ()),
        (timedelta(hours=1, seconds=1), set(), (Reminder.DAY_BEFORE,)),
        (timedelta(hours=1), set(), (Reminder.HOUR_BEFORE,)),
        (timedelta(hours=1), {Reminder.DAY_BEFORE}, (Reminder.HOUR_BEFORE,)),
        (timedelta(minutes=59), set(), (Reminder.HOUR_BEFORE,)),  # late: only the 1 h one, never "tomorrow"
        (timedelta(minutes=10), {Reminder.HOUR_BEFORE}, ()),
        (timedelta(minutes=10), BOTH, ()),
        (timedelta(seconds=1), set(), (Reminder.HOUR_BEFORE,)),
        (timedelta(0), set(), ()),
        (-timedelta(minutes=5), set(), ()),
    ],
)
def test_due_reminders(before_start: timedelta, already_sent: set[Reminder], expected: tuple[Reminder, ...]) -> None:
    assert due_reminders(starts_at=STARTS_AT, now=STARTS_AT - before_start, already_sent=already_sent) == expected


def test_a_late_booking_gets_the_one_hour_reminder_once() -> None:
    # Given a session booked 40 minutes ahead, when the job runs twice, then one 1 h reminder is sent in all.
    now = STARTS_AT - timedelta(minutes=40)
    first = due_reminders(starts_at=STARTS_AT, now=now, already_sent=set())
    second = due_reminders(starts_at=STARTS_AT, now=now + timedelta(minutes=5), already_sent=set(first))
    assert (first, second) == ((Reminder.HOUR_BEFORE,), ())


def test_the_reminders_have_stable_names() -> None:
    assert [reminder.value for reminder in Reminder] == ["24h", "1h"]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_reminders(starts_at=STARTS_AT.replace(tzinfo=None), now=STARTS_AT, already_sent=())
