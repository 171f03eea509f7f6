"""What a paid session order does: it takes its slot, or, when another fan's payment took it first, it is
refunded in full.

The slot is taken by one UPDATE in a savepoint; the database's constraint (an exclusion constraint on
PostgreSQL, a unique live start on SQLite) refuses the second of two overlapping bookings, so two fans who
pay for one slot at the same moment can never both hold it. Importing this module registers the fulfiller.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import queue
from creatorly.models import Order, SessionBooking
from creatorly.models.enums import BookingStatus, OrderKind
from creatorly.observability import get_logger
from creatorly.services.checkout.service import register_fulfiller
from creatorly.services.sessions import notices, repository

SETTLE_JOB = "settle_session_booking"
_HOLDING = (BookingStatus.REQUESTED, BookingStatus.EXPIRED)

logger = get_logger(__name__)


async def confirm_paid_booking(session: AsyncSession, order: Order, paid_at: datetime) -> None:
    """Hold the slot for the paid order's booking, or mark it lost and have it refunded (after commit)."""
    assert order.id is not None
    booking = await repository.booking_of_order(session, order.id, for_update=True)
    assert booking is not None, f"session order {order.public_id} has no booking"
    if booking.status not in _HOLDING:
        return
    if await take_slot(session, booking, at=paid_at):
        await notices.send_booked(session, booking, amount=order.amount, currency=order.currency)
        return
    booking.status, booking.updated_at = BookingStatus.CONFLICTED, paid_at
    session.add(booking)
    await session.flush()
    logger.info("session_slot_lost", booking=booking.public_id, order=order.public_id)
    await notices.send_slot_lost(session, booking, amount=order.amount, currency=order.currency)
    assert booking.id is not None
    queue.enqueue_after_commit(session, SETTLE_JOB, booking.id)


async def take_slot(session: AsyncSession, booking: SessionBooking, *, at: datetime) -> bool:
    """Move the booking to BOOKED in a savepoint; False (nothing changed) when the database refuses the slot."""
    previous = booking.status
    try:
        async with session.begin_nested():
            booking.status, booking.updated_at = BookingStatus.BOOKED, at
            session.add(booking)
            await session.flush()
    except IntegrityError:
        await session.refresh(booking)
        booking.status = previous
        return False
    return True


register_fulfiller(OrderKind.SESSION, confirm_paid_booking)
