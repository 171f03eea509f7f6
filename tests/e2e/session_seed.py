"""Commands the session-booking browser test runs against the e2e app's database (`python -m tests.e2e.session_seed
…`), each printing JSON: seed a creator offering a session, end a booking as the creator, read the outbox, settle."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.models import OutboxAttachment, OutboxEmail, SessionBooking
from creatorly.models.enums import Role
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import Requester, SignedIn
from creatorly.services.creators import service as creators
from creatorly.services.ledger import service as ledger
from creatorly.services.sessions import lifecycle, settlement
from creatorly.services.sessions import service as sessions
from creatorly.services.sessions.schemas import SessionTypeInput

PASSWORD = "correct horse battery staple"
CREATOR_ZONE = "Asia/Kolkata"
WORKING_DAY = {weekday: [("09:00", "18:00")] for weekday in range(7)}


async def _sign_in(email: str) -> str:
    signed_in = await accounts.sign_in(
        email=email, password=PASSWORD, requester=Requester(ip="198.51.100.77", user_agent="e2e-session-seed")
    )
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


async def seed(suffix: str) -> dict[str, Any]:
    """A creator in Kolkata, free 09:00–18:00 every day, offering a 60-minute $40 portfolio review."""
    email, handle = f"coach-{suffix}@example.com", f"coach{suffix}"
    async with db.transaction() as session:
        user = await accounts.add_verified_user(
            session, email=email, password=PASSWORD, display_name=f"Coach {suffix}", role=Role.CREATOR
        )
        assert user.id is not None
        await creators.add_creator(
            session,
            user_id=user.id,
            handle=handle,
            display_name=f"Coach {suffix}",
            bio_markdown="Portfolio reviews.",
            currency="USD",
        )
    token = await _sign_in(email)
    await sessions.save_my_availability(session_token=token, timezone=CREATOR_ZONE, weekly=WORKING_DAY)
    offered = await sessions.save_session_type(
        session_token=token,
        changes=SessionTypeInput(
            title="Portfolio review",
            description="An hour on your portfolio, with notes afterwards.",
            duration_text="60",
            price_text="40",
            currency="USD",
            location="https://meet.example.com/review",
            free_cancel_hours_text="24",
            late_fee_percent_text="50",
        ),
    )
    return {"handle": handle, "email": email, "session_type_id": offered.public_id}


async def finish(public_id: str, creator_email: str) -> dict[str, Any]:
    """Move the booking two hours into the past (the test's clock), then the creator marks it completed."""
    now = utc_now()
    async with db.transaction() as session:
        booking = (await session.exec(select(SessionBooking).where(col(SessionBooking.public_id) == public_id))).one()
        length = booking.ends_at - booking.starts_at
        booking.starts_at = now - timedelta(hours=2)
        booking.ends_at = booking.starts_at + length
        booking.blocked_until = booking.ends_at
        session.add(booking)
    view = await lifecycle.report_as_creator(
        session_token=await _sign_in(creator_email), public_id=public_id, report="completed"
    )
    return {"status": view.status}


async def mail(*addresses: str) -> dict[str, Any]:
    """Each address's emails: subject and attachment file names."""
    found: dict[str, Any] = {}
    async with db.reads() as session:
        for address in addresses:
            emails = (await session.exec(select(OutboxEmail).where(col(OutboxEmail.to_address) == address))).all()
            found[address] = [
                {
                    "subject": email.subject,
                    "attachments": [
                        attachment.filename
                        for attachment in (
                            await session.exec(
                                select(OutboxAttachment).where(col(OutboxAttachment.email_id) == email.id)
                            )
                        ).all()
                    ],
                }
                for email in emails
            ]
    return found


async def balances(handle: str) -> dict[str, Any]:
    async with db.reads() as session:
        creator = await creators.trading_creator_by_handle(session, handle)
        assert creator is not None and creator.id is not None
        rows = await ledger.balances_of_creator(session, creator.id, now=utc_now())
        trial = await ledger.trial_balance(session)
    usd = next((row for row in rows if row.currency == "USD"), None)
    return {
        "escrow": usd.escrow if usd else 0,
        "pending": usd.pending if usd else 0,
        "trial_balance": trial,
    }


async def settle(handle: str) -> dict[str, Any]:
    counts = await settlement.settle_due_sessions()
    return {"counts": counts, **(await balances(handle))}


COMMANDS = {"seed": seed, "finish": finish, "mail": mail, "balances": balances, "settle": settle}


def main() -> None:
    command, *arguments = sys.argv[1:]
    print(json.dumps(asyncio.run(COMMANDS[command](*arguments)), default=str))  # type: ignore[operator]


if __name__ == "__main__":
    main()
