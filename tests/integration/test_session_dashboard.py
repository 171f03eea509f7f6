"""The creator's sessions dashboard reads (escrow apart from earnings, the settlement rules before offering, free
slots to move a booking to) and the admin's session disputes: listed for admins with two-factor, decided and
settled, refused to everyone else with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from sqlmodel import SQLModel

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import Forbidden, InvalidInput, NotFound
from creatorly.models import Order, SessionBooking
from creatorly.models.enums import BookingStatus
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts import two_factor
from creatorly.services.accounts.errors import TwoFactorSetupRequired
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.admin import session_disputes
from creatorly.services.sessions import creator_views, lifecycle
from creatorly.services.sessions.booking import booking_key
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.sessions import booking_of as _booking_of
from tests.sessions import creator as _creator
from tests.sessions import new as _new
from tests.sessions import paid as _paid
from tests.sessions import slot as _slot

NOT_COMPARED = {"user_sessions"}


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    from tests.processes import serving

    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Payment webhooks reach this test's server; no job queued by another test runs here."""
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


async def _booked(app_server: str) -> tuple[str, Order, SessionBooking]:
    """A creator's paid $40 booking three days ahead; (creator's token, order, booking)."""
    creator, token, _, type_id = await _creator()
    order = await _paid(app_server, _new(creator, type_id, await _slot(creator, type_id)))
    return token, order, await _booking_of(order)


async def _moved_to_the_past(booking: SessionBooking) -> None:
    async with db.transaction() as session:
        held = await session.get(SessionBooking, booking.id)
        assert held is not None
        held.starts_at = datetime.now(UTC) - timedelta(hours=2)
        held.ends_at = held.blocked_until = held.starts_at + timedelta(hours=1)
        session.add(held)


async def _disputed(app_server: str) -> tuple[str, SessionBooking]:
    """A booking that took place, reported completed by the creator and disputed by the fan."""
    token, _, booking = await _booked(app_server)
    await _moved_to_the_past(booking)
    await lifecycle.report_as_creator(session_token=token, public_id=booking.public_id, report="completed")
    key = booking_key(booking.public_id)
    await lifecycle.dispute_as_fan(public_id=booking.public_id, key=key, reason="It ended after 10 minutes.")
    return token, booking


async def _admin(*, with_two_factor: bool) -> str:
    email = "disputes-admin@example.com" if with_two_factor else "unsure-admin@example.com"
    await accounts.create_admin(email=email, password=PASSWORD)
    signed_in = await accounts.sign_in(email=email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    if with_two_factor:
        setup = await two_factor.begin_setup(session_token=signed_in.session_token)
        await two_factor.confirm_setup(session_token=signed_in.session_token, code=pyotp.TOTP(setup.secret).now())
    return signed_in.session_token


async def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    async with db.transaction() as session:
        connection, tables = await session.connection(), {}
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in NOT_COMPARED:
                rows = (await connection.execute(table.select())).all()
                tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
        return tables


async def _status(booking: SessionBooking) -> tuple[BookingStatus, int | None]:
    async with db.transaction() as session:
        found = await session.get(SessionBooking, booking.id)
        assert found is not None
        return BookingStatus(found.status), found.admin_creator_percent


# --- The creator's side -----------------------------------------------------------------------------------


async def test_a_paid_session_shows_as_held_in_escrow_not_as_pending_or_available(app_server: str) -> None:
    token, _, _ = await _booked(app_server)

    money = await creator_views.my_session_money(session_token=token)

    # $40.00 less the sandbox provider's fee ($1.46): held for the creator, none of it earned yet.
    assert [(item.currency, item.escrow, item.pending, item.available) for item in money] == [("USD", 3854, 0, 0)]
    assert (money[0].escrow_label, money[0].pending_label, money[0].available_label) == ("$38.54", "$0.00", "$0.00")


def test_the_rules_preview_follows_the_policy_being_typed() -> None:
    lines = creator_views.rules_preview(
        free_cancel_hours_text="48", late_fee_percent_text="25", currency="USD", price_text="40"
    )

    assert "The fan cancels at least 48 hours before the start: the fan gets a full refund." in lines
    assert any("late fee of 25% of the price ($10.00 of $40.00)" in line for line in lines)
    assert lines[-1] == "Your share of a settled session is pending for 7 days, then available to pay out."


def test_the_rules_preview_falls_back_to_defaults_for_what_is_not_valid_yet() -> None:
    lines = creator_views.rules_preview(
        free_cancel_hours_text="soon", late_fee_percent_text="150", currency="XYZ", price_text="abc"
    )

    assert "The fan cancels at least 24 hours before the start: the fan gets a full refund." in lines
    assert any("late fee of 50% of the price ($25.00 of $50.00)" in line for line in lines)


async def test_reschedule_slots_are_the_free_times_of_the_bookings_type_in_the_creators_timezone(
    app_server: str,
) -> None:
    token, _, booking = await _booked(app_server)

    days = await creator_views.reschedule_slots(session_token=token, public_id=booking.public_id)

    first = days[0].slots[0]
    start = datetime.fromisoformat(first.starts_at)
    assert first.label == start.astimezone(creator_views.ZoneInfo("Asia/Kolkata")).strftime("%H:%M")
    all_starts = {datetime.fromisoformat(slot.starts_at) for day in days for slot in day.slots}
    assert booking.starts_at.replace(tzinfo=UTC) in all_starts  # its own time stays offered (except_booking_id)


async def test_another_creators_booking_is_not_found(app_server: str) -> None:
    _, _, booking = await _booked(app_server)
    _, stranger_token, _, _ = await _creator()

    with pytest.raises(NotFound):
        await creator_views.reschedule_slots(session_token=stranger_token, public_id=booking.public_id)


# --- The admin's disputes ---------------------------------------------------------------------------------


async def test_an_admin_sees_the_open_dispute_with_both_sides(app_server: str) -> None:
    _, booking = await _disputed(app_server)
    admin = await _admin(with_two_factor=True)

    disputes = await session_disputes.open_disputes(session_token=admin)

    assert [
        (item.booking_id, item.title, item.fan_email, item.price_label, item.dispute_reason, item.creator_report)
        for item in disputes
    ] == [
        (
            booking.public_id,
            "Portfolio review",
            "fan@example.com",
            "$40.00",
            "It ended after 10 minutes.",
            "Completed",
        )
    ]


async def test_a_decision_settles_the_dispute_and_it_leaves_the_list(app_server: str) -> None:
    _, booking = await _disputed(app_server)
    admin = await _admin(with_two_factor=True)

    result = await session_disputes.decide(
        session_token=admin, booking_public_id=booking.public_id, creator_percent_text="40", reason="Half done"
    )

    assert result == "dispute_split"
    assert await _status(booking) == (BookingStatus.SETTLED, 40)
    assert await session_disputes.open_disputes(session_token=admin) == []


@pytest.mark.parametrize(("percent", "reason", "field"), [("101", "Fair", "creator_percent"), ("50", "", "reason")])
async def test_a_bad_decision_is_refused_and_writes_nothing(
    app_server: str, percent: str, reason: str, field: str
) -> None:
    _, booking = await _disputed(app_server)
    admin = await _admin(with_two_factor=True)
    before = await _snapshot()

    with pytest.raises(InvalidInput) as refused:
        await session_disputes.decide(
            session_token=admin, booking_public_id=booking.public_id, creator_percent_text=percent, reason=reason
        )

    assert refused.value.field == field
    assert await _snapshot() == before


async def test_non_admins_and_admins_without_two_factor_are_refused_and_nothing_is_written(app_server: str) -> None:
    creator_token, booking = await _disputed(app_server)
    fan = (await signed_up_and_verified("curious-fan@example.com")).session_token
    no_two_factor = await _admin(with_two_factor=False)
    before = await _snapshot()

    for token, refusal in ((fan, Forbidden), (creator_token, Forbidden), (no_two_factor, TwoFactorSetupRequired)):
        with pytest.raises(refusal):
            await session_disputes.decide(
                session_token=token, booking_public_id=booking.public_id, creator_percent_text="100", reason="Mine"
            )
        with pytest.raises(refusal):
            await session_disputes.open_disputes(session_token=token)

    assert await _snapshot() == before
    assert await _status(booking) == (BookingStatus.DISPUTED, None)
