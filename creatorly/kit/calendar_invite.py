"""iCalendar (RFC 5545 / iTIP RFC 5546) invites: one event between an organizer and one attendee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from creatorly.kit.reminders import REMINDER_LEAD_TIMES

PRODUCT_ID = "-//Creatorly//Sessions//EN"
InviteMethod = Literal["REQUEST", "CANCEL"]


def build_invite(
    *,
    uid: str,
    sequence: int,
    method: InviteMethod,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    description: str,
    location: str | None = None,
    url: str | None = None,
    organizer_name: str,
    organizer_email: str,
    attendee_name: str,
    attendee_email: str,
    created_at: datetime,
) -> bytes:
    """The .ics bytes of an invite (REQUEST) or its cancellation (CANCEL).

    Calendars match updates by UID and keep the one with the highest SEQUENCE, so a reschedule must
    reuse the UID with a bigger sequence. Times are written in UTC so no VTIMEZONE is needed.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    if sequence < 0:
        raise ValueError("sequence must not be negative")
    if not ends_at > starts_at:
        raise ValueError("ends_at must be after starts_at")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = _event(uid=uid, sequence=sequence, starts_at=starts_at, ends_at=ends_at, created_at=created_at)
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    event.add("organizer", _address(organizer_email, organizer_name))
    event.add("attendee", _attendee(attendee_email, attendee_name))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    if method == "REQUEST":
        for lead_time in REMINDER_LEAD_TIMES.values():
            event.add_component(_alarm(description=summary, lead_time=lead_time))
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC)


def _event(*, uid: str, sequence: int, starts_at: datetime, ends_at: datetime, created_at: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(created_at))
    event.add("dtstart", _utc(starts_at))
    event.add("dtend", _utc(ends_at))
    return event


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # Line breaks in a display name are legal once escaped but make clients show a broken header.
    address.params["cn"] = vText(" ".join(name.split()))
    return address


def _attendee(email: str, name: str) -> vCalAddress:
    attendee = _address(email, name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    # The platform tracks attendance; replies to the organizer's mailbox would go nowhere useful.
    attendee.params["rsvp"] = vText("FALSE")
    return attendee


def _alarm(*, description: str, lead_time: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", description)
    alarm.add("trigger", -lead_time)
    return alarm
