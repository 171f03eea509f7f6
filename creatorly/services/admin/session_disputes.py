"""Admin: the open disputes of paid sessions (the fan's reason beside the creator's report) and the decision on
each: the creator's share of the escrow with a reason, audited and settled at once.

Both use cases refuse anyone but an admin with two-factor on before reading or writing anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.kit.clock import as_utc
from creatorly.kit.money import format_money
from creatorly.models import Creator, Order, SessionBooking, SessionType
from creatorly.models.enums import BookingStatus
from creatorly.services.admin.access import admin_actor, required_reason
from creatorly.services.sessions import settlement

MAX_DISPUTES_SHOWN = 200
REPORT_LABELS = {
    "completed": "Completed",
    "fan_no_show": "The fan didn't show",
    "creator_no_show": "The creator couldn't make it",
}


@dataclass(frozen=True, slots=True)
class OpenDispute:
    booking_id: str
    title: str
    creator_name: str
    creator_handle: str
    fan_name: str
    fan_email: str
    starts_at: datetime
    price_label: str
    satisfaction: int | None
    dispute_reason: str
    disputed_at: datetime | None
    creator_report: str  # a label; "" when the creator has not reported


# --- Queries ---------------------------------------------------------------------------------------------


async def _disputed_rows(
    session: AsyncSession, *, limit: int
) -> Sequence[tuple[SessionBooking, SessionType, Creator, Order]]:
    statement = (
        select(SessionBooking, SessionType, Creator, Order)
        .join(SessionType, col(SessionType.id) == col(SessionBooking.session_type_id))
        .join(Creator, col(Creator.id) == col(SessionBooking.creator_id))
        .join(Order, col(Order.id) == col(SessionBooking.order_id))
        .where(col(SessionBooking.status) == BookingStatus.DISPUTED)
        .order_by(col(SessionBooking.disputed_at), col(SessionBooking.id))
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


# --- Use cases -------------------------------------------------------------------------------------------


async def open_disputes(*, session_token: str) -> list[OpenDispute]:
    """Disputed bookings, oldest dispute first, for admins with two-factor on."""
    await admin_actor(session_token=session_token)
    async with db.reads() as session:
        rows = await _disputed_rows(session, limit=MAX_DISPUTES_SHOWN)
    return [
        OpenDispute(
            booking_id=booking.public_id,
            title=session_type.title,
            creator_name=creator.display_name,
            creator_handle=creator.handle,
            fan_name=booking.fan_name,
            fan_email=booking.fan_email,
            starts_at=as_utc(booking.starts_at),
            price_label=format_money(order.amount, order.currency),
            satisfaction=booking.satisfaction,
            dispute_reason=booking.dispute_reason or "",
            disputed_at=as_utc(booking.disputed_at) if booking.disputed_at else None,
            creator_report=REPORT_LABELS.get(booking.creator_report or "", booking.creator_report or ""),
        )
        for booking, session_type, creator, order in rows
    ]


def parse_percent(text: str) -> int:
    value = text.strip().rstrip("%").strip()
    if not value.isdigit() or not 0 <= int(value) <= 100:
        raise InvalidInput("The creator's share is a whole percent from 0 to 100.", field="creator_percent")
    return int(value)


async def decide(*, session_token: str, booking_public_id: str, creator_percent_text: str, reason: str) -> str:
    """Admin (with two-factor): split a disputed booking's escrow; the settlement's result ("settled", …)."""
    actor = await admin_actor(session_token=session_token)
    percent = parse_percent(creator_percent_text)
    text = required_reason(reason)
    return await settlement.decide_dispute(
        actor=actor, booking_public_id=booking_public_id, creator_percent=percent, reason=text
    )
