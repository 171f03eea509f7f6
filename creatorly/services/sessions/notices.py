"""Emails about a booking, to the fan and the creator, written to the outbox in the caller's transaction.

Booking, rescheduling and cancelling carry an `.ics` invite (METHOD REQUEST or CANCEL, one UID per booking,
SEQUENCE bumped by each reschedule) so calendars add, move or remove the session.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.config import settings
from creatorly.kit.calendar_invite import InviteMethod, build_invite
from creatorly.kit.clock import as_utc
from creatorly.kit.money import format_money
from creatorly.models import Creator, SessionBooking, SessionType
from creatorly.providers.email.base import Attachment
from creatorly.services.email import service as email
from creatorly.services.sessions import repository
from creatorly.services.sessions.booking import booking_page_url

DASHBOARD_SESSIONS_PATH = "/dashboard/sessions"


def local_label(moment: datetime, timezone: str) -> str:
    local = as_utc(moment).astimezone(ZoneInfo(timezone))
    return f"{local:%A}, {local.day} {local:%B %Y} at {local:%H:%M} ({timezone})"


async def _parts(session: AsyncSession, booking: SessionBooking) -> tuple[Creator, str, SessionType]:
    found = await repository.creator_email(session, booking.creator_id)
    session_type = await repository.type_by_id(session, booking.session_type_id)
    assert found is not None and session_type is not None, f"booking {booking.public_id} lost its creator or type"
    return found[0], found[1], session_type


def _place(session_type: SessionType) -> str:
    return f"Where: {session_type.location}\n" if session_type.location else ""


async def send_booked(session: AsyncSession, booking: SessionBooking, *, amount: int, currency: str) -> None:
    """The confirmation to the fan and the news to the creator, each with the invite in their own time."""
    creator, creator_address, session_type = await _parts(session, booking)
    price = format_money(amount, currency)
    page = booking_page_url(booking.public_id)
    await email.queue_email(
        session,
        to_address=booking.fan_email,
        subject=f"Booked: {session_type.title} with {creator.display_name}",
        text_body=(
            f"Hi {booking.fan_name},\n\nyour session is booked and paid ({price}).\n\n"
            f"What: {session_type.title} ({session_type.duration_minutes} minutes) with {creator.display_name}\n"
            f"When: {local_label(booking.starts_at, booking.fan_timezone)}\n{_place(session_type)}\n"
            f"The invite is attached. To reschedule, cancel, confirm or rate the session: {page}\n\n"
            "Your payment is held by Creatorly until the session has taken place.\n"
        ),
        attachments=invite_attachments(booking, creator, creator_address, session_type, method="REQUEST"),
    )
    await email.queue_email(
        session,
        to_address=creator_address,
        subject=f"New booking: {session_type.title} with {booking.fan_name}",
        text_body=(
            f"{booking.fan_name} ({booking.fan_email}) booked {session_type.title} and paid {price}.\n\n"
            f"When: {local_label(booking.starts_at, creator.timezone)}\n{_place(session_type)}"
            + (f"\nTheir note:\n{booking.note}\n" if booking.note else "")
            + f"\nYour calendar: {settings.resolved_public_url}{DASHBOARD_SESSIONS_PATH}\n"
        ),
        attachments=invite_attachments(booking, creator, creator_address, session_type, method="REQUEST"),
    )


async def send_slot_lost(session: AsyncSession, booking: SessionBooking, *, amount: int, currency: str) -> None:
    """Two fans paid for one slot at once: the one who lost it hears it is refunded in full."""
    creator, _, session_type = await _parts(session, booking)
    await email.queue_email(
        session,
        to_address=booking.fan_email,
        subject=f"That time was taken: your {format_money(amount, currency)} is being refunded",
        text_body=(
            f"Hi {booking.fan_name},\n\nsomeone else booked {session_type.title} with {creator.display_name} for "
            f"{local_label(booking.starts_at, booking.fan_timezone)} a moment before your payment arrived.\n\n"
            f"Your payment of {format_money(amount, currency)} is refunded in full; it reaches you as your bank "
            f"or card provider allows. You can pick another time: {settings.resolved_public_url}/{creator.handle}\n"
        ),
    )


async def send_rescheduled(session: AsyncSession, booking: SessionBooking, *, previous_start: datetime) -> None:
    creator, creator_address, session_type = await _parts(session, booking)
    for address, timezone in ((booking.fan_email, booking.fan_timezone), (creator_address, creator.timezone)):
        await email.queue_email(
            session,
            to_address=address,
            subject=f"Moved: {session_type.title} is now {local_label(booking.starts_at, timezone)}",
            text_body=(
                f"{session_type.title} ({creator.display_name} with {booking.fan_name}) moved from "
                f"{local_label(previous_start, timezone)} to {local_label(booking.starts_at, timezone)}.\n\n"
                f"The updated invite is attached. The booking: {booking_page_url(booking.public_id)}\n"
            ),
            attachments=invite_attachments(booking, creator, creator_address, session_type, method="REQUEST"),
        )


async def send_cancelled(session: AsyncSession, booking: SessionBooking, *, what_happens: str) -> None:
    creator, creator_address, session_type = await _parts(session, booking)
    who = creator.display_name if booking.cancelled_by == "creator" else booking.fan_name
    for address, timezone in ((booking.fan_email, booking.fan_timezone), (creator_address, creator.timezone)):
        await email.queue_email(
            session,
            to_address=address,
            subject=f"Cancelled: {session_type.title} on {local_label(booking.starts_at, timezone)}",
            text_body=(
                f"{who} cancelled {session_type.title} ({local_label(booking.starts_at, timezone)}).\n\n"
                f"{what_happens}\n\nThe booking: {booking_page_url(booking.public_id)}\n"
            ),
            attachments=invite_attachments(booking, creator, creator_address, session_type, method="CANCEL"),
        )


async def send_reminder(session: AsyncSession, booking: SessionBooking, *, label: str) -> None:
    """`label` is "in 24 hours" or "in 1 hour"."""
    creator, creator_address, session_type = await _parts(session, booking)
    for address, timezone, other in (
        (booking.fan_email, booking.fan_timezone, creator.display_name),
        (creator_address, creator.timezone, booking.fan_name),
    ):
        await email.queue_email(
            session,
            to_address=address,
            subject=f"Reminder: {session_type.title} with {other} {label}",
            text_body=(
                f"{session_type.title} with {other} starts {label}: "
                f"{local_label(booking.starts_at, timezone)}.\n{_place(session_type)}\n"
                f"The booking: {booking_page_url(booking.public_id)}\n"
            ),
        )


async def send_settled(session: AsyncSession, booking: SessionBooking, *, fan_text: str, creator_text: str) -> None:
    creator, creator_address, session_type = await _parts(session, booking)
    await email.queue_email(
        session,
        to_address=booking.fan_email,
        subject=f"Settled: {session_type.title} with {creator.display_name}",
        text_body=f"Hi {booking.fan_name},\n\n{fan_text}\n\nThe booking: {booking_page_url(booking.public_id)}\n",
    )
    await email.queue_email(
        session,
        to_address=creator_address,
        subject=f"Settled: {session_type.title} with {booking.fan_name}",
        text_body=f"{creator_text}\n\nYour sessions: {settings.resolved_public_url}{DASHBOARD_SESSIONS_PATH}\n",
    )


def invite_attachments(
    booking: SessionBooking, creator: Creator, creator_address: str, session_type: SessionType, *, method: InviteMethod
) -> list[Attachment]:
    """The booking's `.ics`: one UID for its life, the SEQUENCE moved on by each reschedule."""
    content = build_invite(
        uid=f"{booking.public_id}@creatorly",
        sequence=booking.invite_sequence,
        method=method,
        starts_at=as_utc(booking.starts_at),
        ends_at=as_utc(booking.ends_at),
        summary=f"{session_type.title}: {creator.display_name} with {booking.fan_name}",
        description=f"{session_type.description}\n\nThe booking: {booking_page_url(booking.public_id)}".strip(),
        location=session_type.location or None,
        url=booking_page_url(booking.public_id),
        organizer_name=creator.display_name,
        organizer_email=creator_address,
        attendee_name=booking.fan_name,
        attendee_email=booking.fan_email,
        created_at=as_utc(booking.created_at),
    )
    name = "cancel.ics" if method == "CANCEL" else "invite.ics"
    return [Attachment(filename=name, content_type="text/calendar", content=content)]
