"""Commands the session-booking browser test runs against the e2e app's database (`python -m tests.e2e.session_seed
…`), each printing JSON: move a booking into the past (the test's clock), read the outbox, read balances, settle."""

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
from creatorly.services.creators import service as creators
from creatorly.services.ledger import service as ledger
from creatorly.services.sessions import settlement


async def into_past(public_id: str) -> dict[str, Any]:
    """Move the booking two hours into the past (the test's clock), so that the session has taken place."""
    now = utc_now()
    async with db.transaction() as session:
        booking = (await session.exec(select(SessionBooking).where(col(SessionBooking.public_id) == public_id))).one()
        length = booking.ends_at - booking.starts_at
        booking.starts_at = now - timedelta(hours=2)
        booking.ends_at = booking.starts_at + length
        booking.blocked_until = booking.ends_at
        session.add(booking)
    return {"starts_at": booking.starts_at.isoformat()}


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


COMMANDS = {"into_past": into_past, "mail": mail, "balances": balances, "settle": settle}


def main() -> None:
    command, *arguments = sys.argv[1:]
    print(json.dumps(asyncio.run(COMMANDS[command](*arguments)), default=str))  # type: ignore[operator]


if __name__ == "__main__":
    main()
