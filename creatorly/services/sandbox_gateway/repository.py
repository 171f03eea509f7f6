"""Every query on the sandbox gateway's payments, payout transfers and the webhooks it owes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.models import SandboxPayment, SandboxPayoutTransfer, SandboxWebhook

_REQUIRES_PAYMENT = "requires_payment"
_IN_TRANSIT = "in_transit"
_RETRYABLE_CLIENT_ERRORS = (408, 429)


async def add_payment(session: AsyncSession, payment: SandboxPayment) -> SandboxPayment:
    session.add(payment)
    await session.flush()
    return payment


async def add_payment_unless_key_used(session: AsyncSession, payment: SandboxPayment) -> bool:
    """`INSERT … ON CONFLICT (idempotency_key) DO NOTHING` (a concurrent insert of the key is waited for): True
    if this inserted the payment, False if a payment with its idempotency key exists."""
    table: Any = SandboxPayment.__table__  # type: ignore[attr-defined]
    insert = postgresql_insert(table) if session.get_bind().dialect.name == "postgresql" else sqlite_insert(table)
    statement = (
        insert.values(**payment.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return (await session.exec(statement)).scalar_one_or_none() is not None


async def find_by_reference(session: AsyncSession, reference: str) -> SandboxPayment | None:
    statement = select(SandboxPayment).where(col(SandboxPayment.reference) == reference)
    return (await session.exec(statement)).first()


async def find_by_idempotency_key(session: AsyncSession, idempotency_key: str) -> SandboxPayment | None:
    statement = select(SandboxPayment).where(col(SandboxPayment.idempotency_key) == idempotency_key)
    return (await session.exec(statement)).first()


async def settle(
    session: AsyncSession,
    reference: str,
    *,
    status: str,
    failure_code: str | None,
    card_last4: str,
    fee: int,
    now: datetime,
) -> bool:
    """Move a payment out of requires_payment in one statement; False if it had already left it."""
    statement = (
        update(SandboxPayment)
        .where(col(SandboxPayment.reference) == reference, col(SandboxPayment.status) == _REQUIRES_PAYMENT)
        .values(status=status, failure_code=failure_code, card_last4=card_last4, fee=fee, updated_at=now)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def record_declined_attempt(
    session: AsyncSession, reference: str, *, failure_code: str, card_last4: str, now: datetime
) -> bool:
    """Note a refused card on a payment still awaiting one (it stays payable); False if it was already settled."""
    statement = (
        update(SandboxPayment)
        .where(col(SandboxPayment.reference) == reference, col(SandboxPayment.status) == _REQUIRES_PAYMENT)
        .values(failure_code=failure_code, card_last4=card_last4, updated_at=now)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def add_webhook(session: AsyncSession, webhook: SandboxWebhook) -> SandboxWebhook:
    session.add(webhook)
    await session.flush()
    return webhook


async def get_webhook(session: AsyncSession, webhook_id: int) -> SandboxWebhook | None:
    return await session.get(SandboxWebhook, webhook_id)


def _is_pending(*, max_attempts: int) -> ColumnElement[bool]:
    """Undelivered, attempts left, and not refused for good by a 4xx answer."""
    last_code = col(SandboxWebhook.last_status_code)
    return and_(
        col(SandboxWebhook.delivered_at).is_(None),
        col(SandboxWebhook.attempts) < max_attempts,
        or_(
            last_code.is_(None),
            last_code < 400,
            last_code >= 500,
            last_code.in_(_RETRYABLE_CLIENT_ERRORS),
        ),
    )


async def claim_webhook(
    session: AsyncSession, webhook_id: int, *, now: datetime, lease_until: datetime, max_attempts: int
) -> bool:
    """Atomically take a due, pending webhook and count the attempt; pushing next_attempt_at out is the lease."""
    statement = (
        update(SandboxWebhook)
        .where(
            col(SandboxWebhook.id) == webhook_id,
            col(SandboxWebhook.next_attempt_at) <= now,
            _is_pending(max_attempts=max_attempts),
        )
        .values(attempts=SandboxWebhook.attempts + 1, next_attempt_at=lease_until)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def due_webhook_ids(
    session: AsyncSession, *, due_before: datetime, max_attempts: int, limit: int
) -> Sequence[int]:
    statement = (
        select(SandboxWebhook.id)
        .where(col(SandboxWebhook.next_attempt_at) <= due_before, _is_pending(max_attempts=max_attempts))
        .order_by(col(SandboxWebhook.next_attempt_at))
        .limit(limit)
    )
    return [webhook_id for webhook_id in (await session.exec(statement)).all() if webhook_id is not None]


async def lock_payment(session: AsyncSession, reference: str) -> SandboxPayment | None:
    """The payment row, locked: refunds of one payment are decided one after another."""
    statement = select(SandboxPayment).where(col(SandboxPayment.reference) == reference).with_for_update(key_share=True)
    return (await session.exec(statement)).first()


async def find_webhook_by_event_id(session: AsyncSession, event_id: str) -> SandboxWebhook | None:
    return (await session.exec(select(SandboxWebhook).where(col(SandboxWebhook.event_id) == event_id))).first()


async def refund_payloads_of(session: AsyncSession, *, event_type: str, payment_reference: str) -> Sequence[str]:
    """Payloads of the refund events of one payment (the compact JSON names the payment verbatim)."""
    needle = f'"payment_reference":"{payment_reference}"'
    statement = select(SandboxWebhook.payload).where(
        col(SandboxWebhook.event_type) == event_type, col(SandboxWebhook.payload).contains(needle, autoescape=True)
    )
    return list((await session.exec(statement)).all())


async def add_transfer(session: AsyncSession, transfer: SandboxPayoutTransfer) -> SandboxPayoutTransfer:
    session.add(transfer)
    await session.flush()
    return transfer


async def get_transfer(session: AsyncSession, transfer_id: int) -> SandboxPayoutTransfer | None:
    return await session.get(SandboxPayoutTransfer, transfer_id)


async def find_transfer_by_idempotency_key(session: AsyncSession, idempotency_key: str) -> SandboxPayoutTransfer | None:
    statement = select(SandboxPayoutTransfer).where(col(SandboxPayoutTransfer.idempotency_key) == idempotency_key)
    return (await session.exec(statement)).first()


async def transfers_of(session: AsyncSession, *, merchant_references: list[str]) -> Sequence[SandboxPayoutTransfer]:
    statement = (
        select(SandboxPayoutTransfer)
        .where(col(SandboxPayoutTransfer.merchant_reference).in_(merchant_references))
        .order_by(col(SandboxPayoutTransfer.id))
    )
    return (await session.exec(statement)).all()


async def settle_transfer(session: AsyncSession, transfer_id: int, *, status: str, now: datetime) -> bool:
    """Move a due transfer out of in_transit in one statement; False if it had already left it."""
    statement = (
        update(SandboxPayoutTransfer)
        .where(
            col(SandboxPayoutTransfer.id) == transfer_id,
            col(SandboxPayoutTransfer.status) == _IN_TRANSIT,
            col(SandboxPayoutTransfer.settles_at) <= now,
        )
        .values(status=status, updated_at=now)
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def due_transfer_ids(session: AsyncSession, *, due_before: datetime, limit: int) -> Sequence[int]:
    statement = (
        select(SandboxPayoutTransfer.id)
        .where(col(SandboxPayoutTransfer.status) == _IN_TRANSIT, col(SandboxPayoutTransfer.settles_at) <= due_before)
        .order_by(col(SandboxPayoutTransfer.settles_at))
        .limit(limit)
    )
    return [transfer_id for transfer_id in (await session.exec(statement)).all() if transfer_id is not None]


async def payments_with_references(session: AsyncSession, references: list[str]) -> Sequence[SandboxPayment]:
    statement = (
        select(SandboxPayment).where(col(SandboxPayment.reference).in_(references)).order_by(col(SandboxPayment.id))
    )
    return (await session.exec(statement)).all()


async def refund_payloads_of_payments(
    session: AsyncSession, *, event_type: str, payment_references: list[str]
) -> Sequence[str]:
    """Payloads of the refund events of any of these payments (the compact JSON names each payment verbatim)."""
    if not payment_references:
        return []
    payload = col(SandboxWebhook.payload)
    needles = [
        payload.contains(f'"payment_reference":"{reference}"', autoescape=True) for reference in payment_references
    ]
    statement = select(SandboxWebhook.payload).where(col(SandboxWebhook.event_type) == event_type, or_(*needles))
    return list((await session.exec(statement)).all())


async def count_declined_for(session: AsyncSession, merchant_reference: str) -> int:
    """How many payments for this merchant reference were declined (retries of a saved-card charge)."""
    statement = select(func.count()).where(
        col(SandboxPayment.merchant_reference) == merchant_reference, col(SandboxPayment.status) == "declined"
    )
    return int((await session.exec(statement)).one())
