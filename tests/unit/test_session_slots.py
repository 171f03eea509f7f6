"""Session slot rules: free slots in the creator's timezone, buffers, daily limits, DST, and field checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creatorly.errors import InvalidInput
from creatorly.services.sessions import rules
from creatorly.services.sessions.rules import BusyRange, SessionTerms, Window

MONDAY_9_TO_12 = {0: [Window(9 * 60, 12 * 60)]}
HOUR = SessionTerms(duration_minutes=60, buffer_minutes=0, max_per_day=None)
# Sunday 2027-03-07 12:00 UTC: the next Monday is 2027-03-08 (New York is still on EST, UTC-5).
NOW = datetime(2027, 3, 7, 12, 0, tzinfo=UTC)


def _slots(terms: SessionTerms = HOUR, *, busy: list[BusyRange] | None = None, **kwargs: object) -> list[datetime]:
    arguments: dict[str, object] = {
        "terms": terms,
        "timezone": "America/New_York",
        "weekly": MONDAY_9_TO_12,
        "exceptions": {},
        "busy": busy or [],
        "now": NOW,
        "days": 7,
    }
    arguments.update(kwargs)
    return rules.free_slots(**arguments)  # type: ignore[arg-type]


def test_an_hour_in_a_three_hour_window_starts_every_half_hour_in_the_creators_timezone() -> None:
    slots = _slots()
    assert slots == [
        datetime(2027, 3, 8, hour, minute, tzinfo=UTC)
        for hour, minute in ((14, 0), (14, 30), (15, 0), (15, 30), (16, 0))
    ]


def test_local_hours_stay_put_across_the_spring_daylight_saving_change() -> None:
    # 2027-03-14 is the US change: Monday 2027-03-15 09:00 EDT is 13:00 UTC.
    slots = _slots(now=datetime(2027, 3, 13, 12, 0, tzinfo=UTC))
    assert slots[0] == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)


def test_a_local_time_skipped_by_daylight_saving_is_not_offered() -> None:
    sunday_night = {6: [Window(60, 4 * 60)]}  # 01:00–04:00; 02:00–03:00 does not exist on 2027-03-14
    slots = _slots(
        SessionTerms(duration_minutes=30, buffer_minutes=0, max_per_day=None),
        weekly=sunday_night,
        now=datetime(2027, 3, 13, 12, 0, tzinfo=UTC),
        days=1,
    )
    locals_ = [slot.astimezone(rules.ZoneInfo("America/New_York")).strftime("%H:%M") for slot in slots]
    assert "02:00" not in locals_ and "02:30" not in locals_
    assert locals_[:2] == ["01:00", "01:30"] and "03:00" in locals_


def test_a_booking_and_its_buffer_block_the_slots_they_meet() -> None:
    booked = BusyRange(
        starts_at=datetime(2027, 3, 8, 15, 0, tzinfo=UTC),
        blocked_until=datetime(2027, 3, 8, 16, 15, tzinfo=UTC),
        is_same_type=True,
    )
    terms = SessionTerms(duration_minutes=60, buffer_minutes=15, max_per_day=None)
    slots = _slots(terms, busy=[booked], weekly={0: [Window(9 * 60, 14 * 60)]})
    # 14:00 and 14:30 would run (with the buffer) into 15:00; 15:00–16:00 start inside the booking or its buffer.
    assert slots == [
        datetime(2027, 3, 8, hour, minute, tzinfo=UTC) for hour, minute in ((16, 30), (17, 0), (17, 30), (18, 0))
    ]


def test_the_daily_limit_counts_bookings_of_the_same_type_on_the_local_day() -> None:
    booked = BusyRange(
        starts_at=datetime(2027, 3, 8, 16, 0, tzinfo=UTC),
        blocked_until=datetime(2027, 3, 8, 17, 0, tzinfo=UTC),
        is_same_type=True,
    )
    assert _slots(SessionTerms(duration_minutes=60, buffer_minutes=0, max_per_day=1), busy=[booked]) == []
    other_type = BusyRange(booked.starts_at, booked.blocked_until, is_same_type=False)
    assert len(_slots(SessionTerms(duration_minutes=60, buffer_minutes=0, max_per_day=1), busy=[other_type])) == 3


def test_an_exception_replaces_the_weekday_and_an_empty_one_is_a_day_off() -> None:
    assert _slots(exceptions={date(2027, 3, 8): []}) == []
    special = _slots(exceptions={date(2027, 3, 8): [Window(18 * 60, 19 * 60)]})
    assert special == [datetime(2027, 3, 8, 23, 0, tzinfo=UTC)]


def test_nothing_sooner_than_the_minimum_notice() -> None:
    now = datetime(2027, 3, 8, 13, 30, tzinfo=UTC)  # 08:30 in New York: 09:00 and 10:00 are within 2 h
    slots = _slots(now=now, days=0)
    assert min(slots) >= now + rules.MINIMUM_NOTICE


@given(
    duration=st.integers(min_value=15, max_value=240),
    buffer=st.integers(min_value=0, max_value=120),
    start_hour=st.integers(min_value=0, max_value=20),
    length_hours=st.integers(min_value=1, max_value=4),
)
def test_no_offered_slot_overlaps_a_booking_or_leaves_its_window(
    duration: int, buffer: int, start_hour: int, length_hours: int
) -> None:
    window = Window(start_hour * 60, min(24 * 60, (start_hour + length_hours) * 60))
    booked = BusyRange(
        starts_at=datetime(2027, 3, 8, 14, 0, tzinfo=UTC) + timedelta(hours=start_hour % 3),
        blocked_until=datetime(2027, 3, 8, 15, 0, tzinfo=UTC) + timedelta(hours=start_hour % 3),
        is_same_type=True,
    )
    terms = SessionTerms(duration_minutes=duration, buffer_minutes=buffer, max_per_day=None)
    zone = rules.ZoneInfo("Europe/Berlin")
    for slot in _slots(terms, busy=[booked], weekly={0: [window]}, timezone="Europe/Berlin", days=1):
        end = slot + timedelta(minutes=duration)
        assert not (slot < booked.blocked_until and booked.starts_at < end + timedelta(minutes=buffer))
        local = slot.astimezone(zone)
        minute = local.hour * 60 + local.minute
        assert window.start_minute <= minute and minute + duration <= window.end_minute


def test_session_type_fields_are_checked_each_with_its_field() -> None:
    good = {
        "title": "Portfolio review",
        "description": "",
        "duration_text": "45",
        "price_text": "40",
        "currency": "usd",
        "buffer_text": "10",
        "max_per_day_text": "",
        "location": "https://meet.example.com/abc",
        "free_cancel_hours_text": "24",
        "late_fee_percent_text": "50",
    }
    clean = rules.clean_session_type(**good)
    assert (clean.price, clean.currency, clean.duration_minutes, clean.max_per_day) == (4000, "USD", 45, None)
    for field, value, named in (
        ("duration_text", "10", "duration"),
        ("duration_text", "241", "duration"),
        ("price_text", "0", "price"),
        ("price_text", "abc", "price"),
        ("title", "  ", "title"),
        ("late_fee_percent_text", "101", "late_fee_percent"),
        ("location", "javascript:alert(1)", "location"),
        ("currency", "XXX", "currency"),
    ):
        with pytest.raises(InvalidInput) as refused:
            rules.clean_session_type(**{**good, field: value})
        assert refused.value.field == named


def test_windows_must_not_overlap_and_clock_times_parse() -> None:
    assert rules.parse_clock("09:30", field="start") == 570
    assert rules.parse_clock("24:00", field="end") == 1440
    with pytest.raises(InvalidInput):
        rules.parse_clock("25:00", field="start")
    with pytest.raises(InvalidInput):
        rules.checked_windows([Window(540, 720), Window(700, 800)], field="monday")
    assert rules.checked_windows([Window(800, 900), Window(540, 720)], field="monday")[0] == Window(540, 720)


def test_timezones_are_checked_against_the_tz_database() -> None:
    assert rules.checked_timezone("Asia/Kolkata") == "Asia/Kolkata"
    with pytest.raises(InvalidInput):
        rules.checked_timezone("Mars/Olympus")


def test_the_late_fee_rounds_half_up_and_the_policy_reads_plainly() -> None:
    assert rules.late_fee(price=999, late_fee_percent=50) == 500
    assert rules.late_fee(price=1000, late_fee_percent=0) == 0
    text = rules.describe_policy(price=4000, currency="USD", free_cancel_hours=24, late_fee_percent=50)
    assert "24 hours" in text and "$20.00" in text
    assert rules.is_late(starts_at=NOW, at=NOW - timedelta(hours=23), free_cancel_hours=24)
    assert not rules.is_late(starts_at=NOW, at=NOW - timedelta(hours=24), free_cancel_hours=24)
