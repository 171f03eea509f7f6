"""Pure session rules: validating what a creator offers and when, and the free slots a fan can book.

Availability is wall-clock time in the creator's timezone ("Mondays 09:00–12:00"); slots are computed per
local date and turned into UTC instants, so a window keeps its local hours across daylight-saving changes.
A local start that does not exist (the hour skipped in spring) is left out; an ambiguous one (the repeated
hour in autumn) takes its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from creatorly.errors import InvalidInput
from creatorly.kit.money import format_money, parse_amount
from creatorly.services.tips.rules import supported_currency

MIN_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 240
MAX_BUFFER_MINUTES = 120
MAX_PER_DAY = 24
MAX_FREE_CANCEL_HOURS = 14 * 24
MAX_TITLE_LENGTH = 120
MAX_DESCRIPTION_LENGTH = 2000
MAX_LOCATION_LENGTH = 500
MAX_NOTE_LENGTH = 1000
MAX_WINDOWS_PER_DAY = 6
MINUTES_PER_DAY = 24 * 60
# A fan can book from this long ahead of now up to the horizon.
MINIMUM_NOTICE = timedelta(hours=2)
BOOKING_HORIZON_DAYS = 60
MAX_RESCHEDULES = 2

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Window:
    """Minutes after local midnight, start inclusive, end exclusive."""

    start_minute: int
    end_minute: int


@dataclass(frozen=True, slots=True)
class SessionTerms:
    """A session type as the slot rules need it."""

    duration_minutes: int
    buffer_minutes: int
    max_per_day: int | None


@dataclass(frozen=True, slots=True)
class BusyRange:
    """A live booking's [starts_at, blocked_until), and whether it is of the session type being booked."""

    starts_at: datetime
    blocked_until: datetime
    is_same_type: bool


@dataclass(frozen=True, slots=True)
class CleanSessionType:
    title: str
    description: str
    duration_minutes: int
    price: int
    currency: str
    buffer_minutes: int
    max_per_day: int | None
    location: str
    free_cancel_hours: int
    late_fee_percent: int


# --- Validating what a creator offers ----------------------------------------------------------------


def clean_text(text: str, *, limit: int, field: str, label: str, required: bool = False) -> str:
    """Trimmed text without control characters (newlines kept), or InvalidInput naming the field."""
    value = _CONTROL.sub("", text).strip()
    if required and not value:
        raise InvalidInput(f"Enter a {label}.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"Keep the {label} under {limit} characters.", field=field)
    return value


def _whole_number(text: str, *, field: str, label: str, low: int, high: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidInput(f"Enter the {label} as a whole number.", field=field) from None
    if not low <= value <= high:
        raise InvalidInput(f"The {label} must be between {low} and {high}.", field=field)
    return value


def clean_session_type(
    *,
    title: str,
    description: str,
    duration_text: str,
    price_text: str,
    currency: str,
    buffer_text: str,
    max_per_day_text: str,
    location: str,
    free_cancel_hours_text: str,
    late_fee_percent_text: str,
) -> CleanSessionType:
    """Every field of a session type checked on the server, each refusal naming its field."""
    code = supported_currency(currency)
    try:
        price = parse_amount(price_text, code)
    except ValueError:
        raise InvalidInput("Enter a price, like 40 or 39.99.", field="price") from None
    if price <= 0:
        raise InvalidInput("A paid session needs a price above zero.", field="price")
    limit = parse_amount("100000", code)
    if price > limit:
        raise InvalidInput(f"Keep the price at or under {format_money(limit, code)}.", field="price")
    per_day = max_per_day_text.strip()
    return CleanSessionType(
        title=clean_text(title, limit=MAX_TITLE_LENGTH, field="title", label="title", required=True),
        description=clean_text(description, limit=MAX_DESCRIPTION_LENGTH, field="description", label="description"),
        duration_minutes=_whole_number(
            duration_text, field="duration", label="length", low=MIN_DURATION_MINUTES, high=MAX_DURATION_MINUTES
        ),
        price=price,
        currency=code,
        buffer_minutes=_whole_number(
            buffer_text or "0", field="buffer", label="buffer", low=0, high=MAX_BUFFER_MINUTES
        ),
        max_per_day=None
        if not per_day
        else _whole_number(per_day, field="max_per_day", label="daily limit", low=1, high=MAX_PER_DAY),
        location=clean_location(location),
        free_cancel_hours=_whole_number(
            free_cancel_hours_text or "0",
            field="free_cancel_hours",
            label="free cancellation notice",
            low=0,
            high=MAX_FREE_CANCEL_HOURS,
        ),
        late_fee_percent=_whole_number(
            late_fee_percent_text or "0", field="late_fee_percent", label="late cancellation fee", low=0, high=100
        ),
    )


def clean_location(location: str) -> str:
    """A video link (https only) or a place; links in any other scheme are refused."""
    value = clean_text(location, limit=MAX_LOCATION_LENGTH, field="location", label="location").replace("\n", " ")
    if re.match(r"^[a-z][a-z0-9+.-]*:", value, re.IGNORECASE) and not value.lower().startswith("https://"):
        raise InvalidInput("Video links must start with https://.", field="location")
    return value


def checked_timezone(name: str, *, field: str = "timezone") -> str:
    """An IANA timezone name this machine knows (`Europe/Berlin`), or InvalidInput."""
    value = name.strip()
    if value == "UTC":
        return value
    if not value or value not in _timezones():
        raise InvalidInput("Choose a timezone, like Europe/Berlin.", field=field)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("Choose a timezone, like Europe/Berlin.", field=field) from None
    return value


_ZONES: frozenset[str] | None = None


def _timezones() -> frozenset[str]:
    global _ZONES  # read once: available_timezones() walks the tz database
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def parse_clock(text: str, *, field: str) -> int:
    """ "09:30" → 570 minutes after midnight; "24:00" is the end of the day."""
    match = _CLOCK.match(text)
    if match is None:
        raise InvalidInput("Enter a time like 09:30.", field=field)
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise InvalidInput("Enter a time between 00:00 and 24:00.", field=field)
    return hours * 60 + minutes


def clock_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def checked_windows(windows: Iterable[Window], *, field: str) -> list[Window]:
    """Windows of one day, sorted; each at least 15 minutes, inside the day, not overlapping."""
    ordered = sorted(windows, key=lambda window: window.start_minute)
    if len(ordered) > MAX_WINDOWS_PER_DAY:
        raise InvalidInput(f"Use at most {MAX_WINDOWS_PER_DAY} time ranges a day.", field=field)
    for window in ordered:
        if not 0 <= window.start_minute < window.end_minute <= MINUTES_PER_DAY:
            raise InvalidInput("Each range must end after it starts, within the day.", field=field)
        if window.end_minute - window.start_minute < MIN_DURATION_MINUTES:
            raise InvalidInput("Each range must be at least 15 minutes long.", field=field)
    for earlier, later in pairwise(ordered):
        if later.start_minute < earlier.end_minute:
            raise InvalidInput(
                f"{clock_text(earlier.start_minute)}–{clock_text(earlier.end_minute)} overlaps "
                f"{clock_text(later.start_minute)}–{clock_text(later.end_minute)}.",
                field=field,
            )
    return ordered


# --- Free slots ----------------------------------------------------------------------------------------


def slot_step_minutes(duration_minutes: int) -> int:
    """Slots start every 15 minutes for short sessions, every 30 for the rest."""
    return 15 if duration_minutes < 30 else 30


def windows_of_day(
    day: date, weekly: Mapping[int, Sequence[Window]], exceptions: Mapping[date, Sequence[Window]]
) -> Sequence[Window]:
    """A date's windows: its exception when it has one (empty = a day off), else its weekday's."""
    if day in exceptions:
        return exceptions[day]
    return weekly.get(day.weekday(), ())


def local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of `minute` after local midnight of `day`, or None when that local time does not exist."""
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    local = wall.replace(tzinfo=zone, fold=0)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None  # skipped by a daylight-saving change
    return instant


def free_slots(
    *,
    terms: SessionTerms,
    timezone: str,
    weekly: Mapping[int, Sequence[Window]],
    exceptions: Mapping[date, Sequence[Window]],
    busy: Sequence[BusyRange],
    now: datetime,
    days: int = BOOKING_HORIZON_DAYS,
) -> list[datetime]:
    """Every bookable start (UTC) from now + notice to the horizon.

    A slot fits when the session ends inside its window and its [start, end + buffer) meets no live
    booking's [start, blocked_until); a day already holding `max_per_day` bookings of this type offers none.
    """
    zone = ZoneInfo(timezone)
    earliest = now + MINIMUM_NOTICE
    first_day = now.astimezone(zone).date()
    duration = timedelta(minutes=terms.duration_minutes)
    blocked = timedelta(minutes=terms.duration_minutes + terms.buffer_minutes)
    per_day = _bookings_per_local_day(busy, zone)
    step = slot_step_minutes(terms.duration_minutes)
    slots: list[datetime] = []
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        if terms.max_per_day is not None and per_day.get(day, 0) >= terms.max_per_day:
            continue
        for window in windows_of_day(day, weekly, exceptions):
            window_end = local_instant(day, window.end_minute, zone) if window.end_minute < MINUTES_PER_DAY else None
            if window_end is None:
                window_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
            for minute in range(window.start_minute, window.end_minute - terms.duration_minutes + 1, step):
                start = local_instant(day, minute, zone)
                if start is None or start < earliest or start + duration > window_end:
                    continue
                if not _overlaps_any(start, start + blocked, busy):
                    slots.append(start)
    return slots


def _overlaps_any(start: datetime, end: datetime, busy: Sequence[BusyRange]) -> bool:
    return any(start < other.blocked_until and other.starts_at < end for other in busy)


def _bookings_per_local_day(busy: Sequence[BusyRange], zone: ZoneInfo) -> dict[date, int]:
    counts: dict[date, int] = {}
    for booking in busy:
        if booking.is_same_type:
            day = booking.starts_at.astimezone(zone).date()
            counts[day] = counts.get(day, 0) + 1
    return counts


# --- Cancelling and rescheduling -------------------------------------------------------------------------


def is_late(*, starts_at: datetime, at: datetime, free_cancel_hours: int) -> bool:
    """A cancel or reschedule less than the policy's notice before the start is late."""
    return starts_at - at < timedelta(hours=free_cancel_hours)


def late_fee(*, price: int, late_fee_percent: int) -> int:
    """The policy's fee in minor units, rounded half up (the rest is refunded)."""
    return (price * late_fee_percent * 2 + 100) // 200


def describe_policy(*, price: int, currency: str, free_cancel_hours: int, late_fee_percent: int) -> str:
    fee = format_money(late_fee(price=price, late_fee_percent=late_fee_percent), currency)
    notice = f"{free_cancel_hours} hours" if free_cancel_hours != 1 else "1 hour"
    if late_fee_percent == 0:
        return "Free cancellation at any time before the session."
    return (
        f"Free cancellation up to {notice} before the start; later, or not showing up, costs "
        f"{late_fee_percent}% ({fee}) and the rest is refunded."
    )
