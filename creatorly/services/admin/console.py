"""The admin console's reads: users, payouts and webhook events, searchable and paged, and one of each in detail.

Every read checks the token is an admin's with two-factor on; lists are newest first, `limit` a page, with a cursor
(the last id shown) for the next.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.models import ExternalEvent, Payout, PayoutAccount, User
from creatorly.services.admin import console_repository as repository
from creatorly.services.admin.access import admin_actor
from creatorly.services.admin.schemas import (
    EventDetail,
    EventRow,
    EventStatus,
    LedgerLine,
    Page,
    PayoutDetail,
    PayoutRow,
    PayoutStep,
    UserDetail,
    UserRow,
)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_SEARCH_LENGTH = 320
PAYOUT_STATUSES = ("pending", "in_transit", "paid", "failed")
T = TypeVar("T")
R = TypeVar("R")


class UserNotFound(NotFound):
    code = "user_not_found"
    default_message = "No user with that id."


class PayoutNotFound(NotFound):
    code = "payout_not_found"
    default_message = "No payout with that id."


class EventNotFound(NotFound):
    code = "event_not_found"
    default_message = "No webhook event with that id."


def _search(text: str) -> str:
    tidy = text.strip()
    if len(tidy) > MAX_SEARCH_LENGTH:
        raise InvalidInput("That search is too long.", field="query")
    return tidy


def _size(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"A page holds 1 to {MAX_PAGE_SIZE} rows.", field="limit")
    return limit


def _paged(rows: Sequence[T], limit: int, convert: Callable[[T], R], id_of: Callable[[R], int]) -> Page[R]:
    items = [convert(row) for row in rows[:limit]]
    return Page(items=items, next_cursor=id_of(items[-1]) if len(rows) > limit else None)


def _user_row(user: User, creator_id: int | None, handle: str | None) -> UserRow:
    assert user.id is not None
    return UserRow(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=str(user.role),
        created_at=user.created_at,
        has_two_factor=user.totp_enabled_at is not None,
        creator_id=creator_id,
        creator_handle=handle or "",
    )


async def list_users(
    *, session_token: str, email: str = "", before_id: int | None = None, limit: int = PAGE_SIZE
) -> Page[UserRow]:
    """Users whose email contains `email`, newest first."""
    await admin_actor(session_token=session_token)
    size, needle = _size(limit), _search(email)
    async with db.transaction() as session:
        rows = await repository.users_page(session, email_contains=needle, before_id=before_id, limit=size + 1)
    return _paged(rows, size, lambda row: _user_row(*row), lambda item: item.id)


async def user_detail(*, session_token: str, user_id: int) -> UserDetail:
    await admin_actor(session_token=session_token)
    async with db.transaction() as session:
        found = await repository.user_with_creator(session, user_id)
        if found is None:
            raise UserNotFound()
        user, creator_id, handle = found
        payout_settings = None if creator_id is None else await repository.payout_settings_of(session, creator_id)
        return UserDetail(
            user=_user_row(user, creator_id, handle),
            is_active=user.is_active,
            is_deleted=user.deleted_at is not None,
            is_email_verified=user.email_verified_at is not None,
            active_sessions=await repository.active_session_count(session, user_id, now=utc_now()),
            orders=await repository.order_count_of_buyer(session, user_id),
            payouts_under_review=bool(payout_settings and payout_settings.under_review),
            review_note=payout_settings.review_note if payout_settings else "",
        )


def _payout_row(payout: Payout, handle: str) -> PayoutRow:
    assert payout.id is not None
    return PayoutRow(
        id=payout.id,
        public_id=payout.public_id,
        creator_id=payout.creator_id,
        creator_handle=handle,
        amount=payout.amount,
        currency=payout.currency,
        status=str(payout.status),
        provider=payout.provider,
        created_at=payout.created_at,
    )


async def list_payouts(
    *, session_token: str, status: str = "", search: str = "", before_id: int | None = None, limit: int = PAGE_SIZE
) -> Page[PayoutRow]:
    """Payouts in `status` (any when empty) of creators whose handle contains `search` (or with that public id)."""
    await admin_actor(session_token=session_token)
    if status and status not in PAYOUT_STATUSES:
        raise InvalidInput("Unknown payout status.", field="status")
    size, needle = _size(limit), _search(search)
    async with db.transaction() as session:
        rows = await repository.payouts_page(
            session, status=status, handle_contains=needle, before_id=before_id, limit=size + 1
        )
    return _paged(rows, size, lambda row: _payout_row(*row), lambda item: item.id)


def account_label(account: PayoutAccount) -> str:
    """How a payout account is named to an admin: its kind and a hint, never the number."""
    if account.account_last4:
        return f"{account.kind} ···· {account.account_last4}"
    return f"{account.kind} {account.upi_id or account.stripe_account_id or account.paypal_email}".strip()


async def payout_detail(*, session_token: str, payout_id: int) -> PayoutDetail:
    await admin_actor(session_token=session_token)
    async with db.transaction() as session:
        found = await repository.payout_with_account(session, payout_id)
        if found is None:
            raise PayoutNotFound()
        payout, handle, account = found
        payout_settings = await repository.payout_settings_of(session, payout.creator_id)
        steps = await repository.payout_events(session, payout_id)
        lines = await repository.ledger_lines_of_reference(session, f"payout:{payout.public_id}")
    return PayoutDetail(
        payout=_payout_row(payout, handle),
        trigger=payout.trigger,
        provider_reference=payout.provider_reference or "",
        failure_reason=payout.failure_reason,
        account_label=account_label(account),
        updated_at=payout.updated_at,
        in_transit_at=payout.in_transit_at,
        paid_at=payout.paid_at,
        failed_at=payout.failed_at,
        payouts_under_review=bool(payout_settings and payout_settings.under_review),
        review_note=payout_settings.review_note if payout_settings else "",
        steps=[
            PayoutStep(at=step.created_at, from_status=step.from_status, to_status=step.to_status, cause=step.cause)
            for step in steps
        ],
        ledger=[
            LedgerLine(
                kind=kind,
                account=entry.account,
                amount=entry.amount,
                currency=entry.currency,
                memo=entry.memo,
                created_at=entry.created_at,
            )
            for kind, entry in lines
        ],
    )


def event_status(event: ExternalEvent, *, max_attempts: int | None = None) -> EventStatus:
    """Handled; stuck (no sweeper attempts left); failed (will be tried again); or pending (not tried yet)."""
    limit = settings.webhook_max_attempts if max_attempts is None else max_attempts
    if event.handled_at is not None:
        return EventStatus.HANDLED
    if event.attempts >= limit:
        return EventStatus.STUCK
    return EventStatus.FAILED if event.last_error is not None else EventStatus.PENDING


def _event_row(event: ExternalEvent) -> EventRow:
    assert event.id is not None
    return EventRow(
        id=event.id,
        provider=event.provider,
        event_id=event.event_id,
        event_type=event.event_type,
        status=event_status(event),
        received_at=event.received_at,
        handled_at=event.handled_at,
        attempts=event.attempts,
    )


def _status_filter(status: str) -> EventStatus | None:
    if not status:
        return None
    try:
        return EventStatus(status)
    except ValueError:
        raise InvalidInput("Unknown event status.", field="status") from None


async def list_events(
    *, session_token: str, status: str = "", search: str = "", before_id: int | None = None, limit: int = PAGE_SIZE
) -> Page[EventRow]:
    """Webhook events in `status` (any when empty) whose id is `search` or whose type starts with it."""
    await admin_actor(session_token=session_token)
    wanted, size, needle = _status_filter(status), _size(limit), _search(search)
    async with db.transaction() as session:
        rows = await repository.events_page(
            session,
            status=wanted,
            text=needle,
            max_attempts=settings.webhook_max_attempts,
            before_id=before_id,
            limit=size + 1,
        )
    return _paged(rows, size, _event_row, lambda item: item.id)


def pretty_payload(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return text


async def event_detail(*, session_token: str, event_id: int) -> EventDetail:
    await admin_actor(session_token=session_token)
    async with db.transaction() as session:
        found = await repository.event(session, event_id)
    if found is None:
        raise EventNotFound()
    return EventDetail(
        event=_event_row(found),
        payload=pretty_payload(found.payload),
        last_error=found.last_error or "",
        claimed_until=found.claimed_until,
    )
