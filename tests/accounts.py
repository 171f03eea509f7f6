"""Helpers for account tests: fresh requesters, outbox links, signed-up users."""

from __future__ import annotations

import itertools
import re

from sqlmodel import col, select

from creatorly import db
from creatorly.models import OutboxEmail
from creatorly.services.accounts import recovery
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import Requester, SignedIn

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)
_LINK = re.compile(r"https?://\S+\?token=(\S+)")


def new_requester() -> Requester:
    """A distinct IP per call, so rate limits of one test never leak into another."""
    number = next(_numbers)
    return Requester(ip=f"198.51.{number // 250}.{number % 250 + 1}", user_agent=f"pytest-browser/{number}")


async def outbox_for(address: str) -> list[OutboxEmail]:
    async with db.transaction() as session:
        statement = select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(col(OutboxEmail.id))
        return list((await session.exec(statement)).all())


async def latest_link_token(address: str, subject_contains: str) -> str:
    emails = [email for email in await outbox_for(address) if subject_contains in email.subject]
    assert emails, f"no email about {subject_contains!r} to {address}"
    match = _LINK.search(emails[-1].text_body)
    assert match is not None
    return match.group(1)


async def signed_up_and_verified(email: str, *, password: str = PASSWORD) -> SignedIn:
    requester = new_requester()
    await accounts.sign_up(email=email, password=password, display_name="Fan", accepted_terms=True, requester=requester)
    token = await latest_link_token(email, "Confirm your email")
    return await recovery.verify_email(token=token, requester=requester)
