"""Calendar invites parse back to exactly what was given, in UTC, with escaped text and two reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Component

from creatorly.kit.calendar_invite import build_invite

NEW_YORK = ZoneInfo("America/New_York")
STARTS_AT = datetime(2027, 3, 10, 9, 30, tzinfo=NEW_YORK)
CREATED_AT = datetime(2027, 2, 1, 8, 0, 5, tzinfo=UTC)


def _invite(**overrides: Any) -> bytes:
    values: dict[str, Any] = {
        "uid": "session-42@creatorly",
        "sequence": 0,
        "method": "REQUEST",
        "starts_at": STARTS_AT,
        "ends_at": STARTS_AT + timedelta(minutes=45),
        "summary": "1:1 with Zoë",
        "description": "Bring your questions.",
        "location": "Video call",
        "url": "https://creatorly.test/sessions/42",
        "organizer_name": "Zoë Ørsted",
        "organizer_email": "zoe@example.com",
        "attendee_name": "Sam Fan",
        "attendee_email": "sam@example.com",
        "created_at": CREATED_AT,
    }
    return build_invite(**(values | overrides))


def _event(ics: bytes) -> Component:
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_an_invite_parses_back_with_every_field() -> None:
    ics = _invite()
    calendar = Calendar.from_ical(ics)
    event = _event(ics)
    assert (str(calendar["prodid"]), str(calendar["version"]), str(calendar["method"])) == (
        "-//Creatorly//Sessions//EN",
        "2.0",
        "REQUEST",
    )
    assert (str(event["uid"]), int(event["sequence"]), str(event["status"])) == ("session-42@creatorly", 0, "CONFIRMED")
    assert event.decoded("dtstamp") == CREATED_AT
    assert event.decoded("dtstart") == datetime(2027, 3, 10, 14, 30, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2027, 3, 10, 15, 15, tzinfo=UTC)
    assert (str(event["summary"]), str(event["description"])) == ("1:1 with Zoë", "Bring your questions.")
    assert (str(event["location"]), str(event["url"])) == ("Video call", "https://creatorly.test/sessions/42")
    organizer, attendee = event["organizer"], event["attendee"]
    assert (str(organizer), organizer.params["CN"]) == ("mailto:zoe@example.com", "Zoë Ørsted")
    assert str(attendee) == "mailto:sam@example.com"
    assert {key: attendee.params[key] for key in ("CN", "ROLE", "PARTSTAT", "RSVP")} == {
        "CN": "Sam Fan",
        "ROLE": "REQ-PARTICIPANT",
        "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "FALSE",
    }


def test_start_and_end_are_written_in_utc() -> None:
    # Given 09:30 in New York (EST, UTC-5, the day before DST starts), then the file says 14:30Z.
    ics = _invite()
    assert b"DTSTART:20270310T143000Z\r\n" in ics
    assert b"DTEND:20270310T151500Z\r\n" in ics
    assert b"DTSTAMP:20270201T080005Z\r\n" in ics
    assert b"VTIMEZONE" not in ics


def test_two_display_alarms_fire_24_hours_and_1_hour_before() -> None:
    alarms = _event(_invite()).walk("VALARM")
    assert [(str(alarm["action"]), alarm.decoded("trigger")) for alarm in alarms] == [
        ("DISPLAY", -timedelta(hours=24)),
        ("DISPLAY", -timedelta(hours=1)),
    ]
    assert [str(alarm["description"]) for alarm in alarms] == ["1:1 with Zoë", "1:1 with Zoë"]


def test_text_with_commas_semicolons_newlines_and_non_ascii_is_escaped_and_round_trips() -> None:
    summary = "Mentoring; portfolio, review"
    description = "Agenda:\n1. Intro, goals; plan\n2. Q&A — ¿preguntas? 日本語"
    ics = _invite(
        summary=summary,
        description=description,
        location="Café Ørsted, Rue 1; Paris",
        organizer_name='José "Pepe" Núñez, Studio',
        attendee_name="Ana; María",
    )
    assert b"SUMMARY:Mentoring\\; portfolio\\, review\r\n" in ics
    assert b"Agenda:\\n1. Intro\\, goals\\; plan" in ics
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # folded in octets, as RFC 5545 asks
    event = _event(ics)
    assert (str(event["summary"]), str(event["description"])) == (summary, description)
    assert str(event["location"]) == "Café Ørsted, Rue 1; Paris"
    assert event["organizer"].params["CN"] == 'José "Pepe" Núñez, Studio'
    assert event["attendee"].params["CN"] == "Ana; María"


def test_line_breaks_in_a_name_become_spaces() -> None:
    assert _event(_invite(attendee_name="Sam\r\nFan")).get("attendee").params["CN"] == "Sam Fan"


def test_a_reschedule_keeps_the_uid_and_bumps_the_sequence() -> None:
    # Given the session moves a week on, past the switch to daylight saving time (14 March 2027).
    moved = datetime(2027, 3, 17, 9, 30, tzinfo=NEW_YORK)
    ics = _invite(sequence=1, starts_at=moved, ends_at=moved + timedelta(hours=1))
    event = _event(ics)
    assert (str(event["uid"]), int(event["sequence"])) == ("session-42@creatorly", 1)
    assert b"DTSTART:20270317T133000Z\r\n" in ics  # 09:30 EDT is UTC-4


def test_a_cancellation_says_cancel_and_cancelled_without_alarms() -> None:
    ics = _invite(method="CANCEL", sequence=2)
    event = _event(ics)
    assert str(Calendar.from_ical(ics)["method"]) == "CANCEL"
    assert (str(event["status"]), int(event["sequence"])) == ("CANCELLED", 2)
    assert event.walk("VALARM") == []


def test_location_and_url_are_optional() -> None:
    event = _event(_invite(location=None, url=None))
    assert ("location" in event, "url" in event) == (False, False)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"method": "PUBLISH"}, "unsupported iTIP method"),
        ({"sequence": -1}, "sequence"),
        ({"ends_at": STARTS_AT}, "ends_at must be after"),
        ({"starts_at": datetime(2027, 3, 10, 9, 30), "ends_at": datetime(2027, 3, 10, 10, 30)}, "timezone-aware"),
    ],
)
def test_invalid_invites_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _invite(**overrides)
