"""Reminders 24 hours and 1 hour before a booked session, to both sides, each sent once.

The job runs every few minutes; a run that comes late (or a booking made less than a day ahead) sends only
the nearest reminder (`kit.reminders.due_reminders`). A reschedule clears both marks.
"""

from __future__ import annotations

from creatorly import db
from creatorly.kit.clock import as_utc, utc_now
from creatorly.kit.reminders import REMINDER_LEAD_TIMES, Reminder, due_reminders
from creatorly.models import SessionBooking
from creatorly.models.enums import BookingStatus
from creatorly.services.sessions import notices, repository

_LABELS = {Reminder.DAY_BEFORE: "in 24 hours", Reminder.HOUR_BEFORE: "in 1 hour"}


async def send_due_reminders(*, limit: int = 500) -> int:
    """Queue every reminder due now; how many bookings were reminded. Safe to run twice at once (row locks)."""
    now = utc_now()
    async with db.transaction() as session:
        ids = await repository.due_reminder_ids(
            session, now=now, until=now + REMINDER_LEAD_TIMES[Reminder.DAY_BEFORE], limit=limit
        )
    sent = 0
    for booking_id in ids:
        async with db.transaction() as session:
            booking = await session.get(SessionBooking, booking_id, with_for_update=True)
            if booking is None or booking.status != BookingStatus.BOOKED:
                continue
            already = {
                reminder
                for reminder, at in (
                    (Reminder.DAY_BEFORE, booking.reminded_24h_at),
                    (Reminder.HOUR_BEFORE, booking.reminded_1h_at),
                )
                if at is not None
            }
            for reminder in due_reminders(starts_at=as_utc(booking.starts_at), now=now, already_sent=already):
                await notices.send_reminder(session, booking, label=_LABELS[reminder])
                if reminder is Reminder.DAY_BEFORE:
                    booking.reminded_24h_at = now
                else:
                    booking.reminded_1h_at = now
                session.add(booking)
                sent += 1
    return sent
