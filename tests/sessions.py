"""Helpers for paid-session tests: a creator who offers sessions, a fan who books and pays through the
sandbox, and reading what was written."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from icalendar import Calendar
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from creatorly import db
from creatorly.models import Creator, Order, OutboxAttachment, OutboxEmail, SandboxWebhook, SessionBooking
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.external_events import service as external_events
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.sessions import booking
from creatorly.services.sessions import service as sessions
from creatorly.services.sessions.schemas import NewBooking, SessionTypeInput
from tests.accounts import PASSWORD, new_requester
from tests.factories import make_creator

FAN = "fan@example.com"
ALL_DAY = {weekday: [("00:00", "24:00")] for weekday in range(7)}


async def creator(
    *, max_per_day: str = "", buffer: str = "0", price: str = "40", currency: str = "USD"
) -> tuple[Creator, str, str, str]:
    """A creator in Kolkata, free all week, offering a 60-minute $40 session; (creator, token, email, type id)."""
    made = await make_creator()
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    token = signed_in.session_token
    await sessions.save_my_availability(session_token=token, timezone="Asia/Kolkata", weekly=ALL_DAY)
    offered = await sessions.save_session_type(
        session_token=token,
        changes=SessionTypeInput(
            title="Portfolio review",
            duration_text="60",
            price_text=price,
            currency=currency,
            buffer_text=buffer,
            max_per_day_text=max_per_day,
            location="https://meet.example.com/review",
            free_cancel_hours_text="24",
            late_fee_percent_text="50",
        ),
    )
    return made.creator, token, made.email, offered.public_id


async def slot(creator: Creator, type_id: str, *, days_ahead: int = 3, offset: int = 0) -> str:
    offer = await booking.get_booking_offer(handle=creator.handle, session_type_id=type_id, timezone="UTC")
    earliest = datetime.now(UTC) + timedelta(days=days_ahead)
    starts = [slot.starts_at for day in offer.days for slot in day.slots]
    return [start for start in starts if datetime.fromisoformat(start) >= earliest][offset]


def new(creator: Creator, type_id: str, start: str, *, email: str = FAN, **changes: Any) -> NewBooking:
    values: dict[str, Any] = {
        "handle": creator.handle,
        "session_type_id": type_id,
        "starts_at": start,
        "fan_email": email,
        "fan_name": "Ada Lovelace",
        "fan_timezone": "America/New_York",
        "checkout_key": f"booking-key-{time.monotonic_ns()}",
        "note": "My portfolio, please",
    }
    values.update(changes)
    return NewBooking(**values)


async def fetch_order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def booking_of(order: Order) -> SessionBooking:
    async with db.transaction() as session:
        return (await session.exec(select(SessionBooking).where(SessionBooking.order_id == order.id))).one()


async def count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def charged(new: NewBooking) -> Order:
    """A booking whose card the gateway charged; its payment event is written but not yet delivered."""
    started = await booking.start_booking(new)
    order = await fetch_order(started.order_public_id)
    assert order.provider_reference is not None
    await gateway.pay(
        reference=order.provider_reference, card_number="4242424242424242", expiry="12/40", cvc="123", name="Ada"
    )
    return order


async def subjects(address: str) -> list[str]:
    async with db.transaction() as session:
        statement = select(OutboxEmail.subject).where(OutboxEmail.to_address == address).order_by(col(OutboxEmail.id))
        return list((await session.exec(statement)).all())


async def deliver(app_server: str, order: Order, *, event_type: str = "payment.succeeded") -> int:
    async with db.transaction() as session:
        statement = select(SandboxWebhook).where(SandboxWebhook.event_type == event_type)
        webhooks = [row for row in (await session.exec(statement)).all() if order.public_id in row.payload]
    raw = webhooks[-1].payload.encode()
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{app_server}/api/webhooks/sandbox",
            content=raw,
            headers={"Creatorly-Signature": signature, "Content-Type": "application/json"},
        )
    return response.status_code


async def paid(app_server: str, new: NewBooking) -> Order:
    order = await charged(new)
    assert await deliver(app_server, order) == 200
    return await fetch_order(order.public_id)


async def invites_to(address: str) -> list[Calendar]:
    async with db.transaction() as session:
        statement = (
            select(OutboxAttachment)
            .join(OutboxEmail, col(OutboxEmail.id) == col(OutboxAttachment.email_id))
            .where(OutboxEmail.to_address == address)
            .order_by(col(OutboxAttachment.id))
        )
        return [Calendar.from_ical(row.content) for row in (await session.exec(statement)).all()]
