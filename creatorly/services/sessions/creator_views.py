"""The creator's sessions dashboard reads: money held in escrow, the settlement rules before offering, free
slots to move a booking to."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from creatorly import db
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.kit.money import CURRENCY_EXPONENTS, format_money, parse_amount, to_decimal_string
from creatorly.services.accounts.authorization import require_user
from creatorly.services.creators import service as creators
from creatorly.services.ledger import service as ledger
from creatorly.services.sessions import repository, rules
from creatorly.services.sessions.booking import BookingNotFound, free_slots_of
from creatorly.services.sessions.schemas import Slot, SlotDay
from creatorly.services.sessions.settlement_rules import CancellationPolicy, describe_rules


@dataclass(frozen=True, slots=True)
class SessionMoney:
    """One currency of the creator's money: what paid sessions hold in escrow, apart from what is earned."""

    currency: str
    escrow: int
    pending: int
    available: int
    escrow_label: str
    pending_label: str
    available_label: str


async def my_session_money(*, session_token: str) -> list[SessionMoney]:
    """The signed-in creator's escrow, pending and available balances per currency (escrow never pays out)."""
    user = await require_user(session_token)
    async with db.reads() as session:
        creator = await creators.creator_of(session, user.id)
        assert creator.id is not None
        balances = await ledger.balances_of_creator(session, creator.id, now=utc_now())
    return [
        SessionMoney(
            currency=balance.currency,
            escrow=balance.escrow,
            pending=balance.pending,
            available=balance.available,
            escrow_label=format_money(balance.escrow, balance.currency),
            pending_label=format_money(balance.pending, balance.currency),
            available_label=format_money(balance.available, balance.currency),
        )
        for balance in balances
    ]


def rules_preview(
    *, free_cancel_hours_text: str, late_fee_percent_text: str, currency: str, price_text: str = ""
) -> list[str]:
    """The settlement rules for the policy being typed, in plain words; defaults where a field is not valid yet."""
    hours = _whole(free_cancel_hours_text, default=24, high=rules.MAX_FREE_CANCEL_HOURS)
    percent = _whole(late_fee_percent_text, default=50, high=100)
    code = currency.strip().upper()
    if code not in CURRENCY_EXPONENTS:
        code = "USD"
    try:
        price = parse_amount(price_text, code) if price_text.strip() else None
    except ValueError:
        price = None
    return describe_rules(
        CancellationPolicy(free_until_hours=hours, late_fee_percent=percent),
        settings.platform_fee_percent,
        code,
        hold_days=settings.hold_period_days,
        example_price=price if price and price > 0 else None,
    )


def _whole(text: str, *, default: int, high: int) -> int:
    value = text.strip()
    return int(value) if value.isdigit() and int(value) <= high else default


async def reschedule_slots(*, session_token: str, public_id: str) -> list[SlotDay]:
    """Free slots of the booking's session type in the creator's timezone; another creator's booking: not found."""
    user = await require_user(session_token)
    now = utc_now()
    async with db.reads() as session:
        creator = await creators.creator_of(session, user.id)
        booking = await repository.booking_by_public_id(session, public_id.strip())
        if booking is None or booking.creator_id != creator.id:
            raise BookingNotFound()
        session_type = await repository.type_by_id(session, booking.session_type_id)
        assert session_type is not None
        starts = await free_slots_of(session, creator, session_type, now=now, except_booking_id=booking.id)
    zone = ZoneInfo(creator.timezone)
    days: list[SlotDay] = []
    for start in starts:
        local = start.astimezone(zone)
        day = local.date().isoformat()
        if not days or days[-1].day != day:
            days.append(SlotDay(day=day, label=f"{local:%A}, {local.day} {local:%B}", slots=[]))
        days[-1].slots.append(Slot(starts_at=start.isoformat(), label=f"{local:%H:%M}"))
    return days


def amount_text(amount: int, currency: str) -> str:
    """A price as the form shows it for editing ("40.00")."""
    return to_decimal_string(amount, currency)
