"""Payouts by creator id: readiness, withdraw (one open payout at a time), history, and each payout's outcome."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db, queue
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.money import UnsupportedCurrency, exponent_of, format_money
from creatorly.models import Payout, PayoutAccount, PayoutEvent
from creatorly.models.enums import PayoutStatus
from creatorly.observability import get_logger
from creatorly.providers.registry import payout_provider_name_for
from creatorly.services.creators import service as creators
from creatorly.services.ledger import service as ledger
from creatorly.services.payouts import accounts, repository, rules
from creatorly.services.payouts.rules import PayoutRefused, PayoutSituation, Refusal
from creatorly.services.payouts.schemas import PayoutEventView, PayoutView, Readiness

SUBMIT_JOB = "payouts.submit"
MAX_LISTED_PAYOUTS = 200
ONE_OPEN = Refusal(rules.PAYOUT_OPEN, "A payout is already on its way.", "Wait for it to arrive before the next one.")

logger = get_logger(__name__)


class PayoutNotFound(NotFound):
    code = "payout_not_found"
    default_message = "We couldn't find that payout."


def checked_currency(currency: str) -> str:
    code = currency.strip().upper()
    try:
        exponent_of(code)
    except UnsupportedCurrency:
        raise InvalidInput("Choose a supported currency.", field="currency") from None
    return code


async def situation_of(
    session: AsyncSession, creator_id: int, currency: str
) -> tuple[PayoutSituation, PayoutAccount | None]:
    """What decides whether money can go out now, and the account it would go to."""
    payout_settings = await repository.settings_of(session, creator_id)
    balances = await ledger.balances_of_creator(session, creator_id, now=utc_now())
    available = next((balance.available for balance in balances if balance.currency == currency), 0)
    account = await repository.default_account(session, creator_id, currency)
    situation = PayoutSituation(
        currency=currency,
        available=available,
        under_review=payout_settings is not None and payout_settings.under_review,
        review_note=payout_settings.review_note if payout_settings is not None else "",
        is_suspended=await creators.is_creator_suspended(session, creator_id),
        has_payout_account=account is not None,
        has_open_payout=await repository.has_open_payout(session, creator_id, currency),
    )
    return situation, account


async def payout_readiness(creator_id: int, currency: str) -> Readiness:
    """Whether the creator can withdraw their available balance now; if not, the reason and the next step."""
    code = checked_currency(currency)
    async with db.transaction() as session:
        situation, account = await situation_of(session, creator_id, code)
    refusal = rules.refusal_of(situation)
    amount = max(situation.available, 0)
    if refusal is not None:
        return Readiness(
            can_withdraw=False,
            amount=amount,
            reason_code=refusal.code,
            reason=refusal.reason,
            next_step=refusal.next_step,
        )
    assert account is not None
    return Readiness(
        can_withdraw=True,
        amount=amount,
        reason_code=None,
        reason=f"{format_money(amount, code)} is ready to go to {accounts.label_of(account)}.",
        next_step="Withdraw it now, or let your payout schedule send it.",
    )


async def withdraw(creator_id: int, currency: str, *, trigger: str = "manual", amount: int | None = None) -> PayoutView:
    """Open a payout of `amount` (None: all that is available) to the default account, and queue its submission.

    Under the creator's payout lock, so concurrent requests make one payout; the unique "one open payout"
    index is the second guard. A refusal raises PayoutRefused and writes nothing.
    """
    code = checked_currency(currency)
    try:
        async with db.transaction() as session:
            payout, account, event = await _open_payout(session, creator_id, code, trigger=trigger, amount=amount)
            queue.enqueue_after_commit(session, SUBMIT_JOB, payout.public_id)
    except IntegrityError:
        raise PayoutRefused(ONE_OPEN) from None
    logger.info("payout_opened", payout=payout.public_id, creator_id=creator_id, trigger=trigger)
    return to_view(payout, account, [event])


async def _open_payout(
    session: AsyncSession, creator_id: int, currency: str, *, trigger: str, amount: int | None
) -> tuple[Payout, PayoutAccount, PayoutEvent]:
    await repository.lock_payouts_of(session, creator_id, currency)
    situation, account = await situation_of(session, creator_id, currency)
    refusal = rules.refusal_of(situation, amount=amount)
    if refusal is not None:
        raise PayoutRefused(refusal)
    assert account is not None and account.id is not None
    payout = Payout(
        public_id=f"po_{secrets.token_hex(10)}",
        creator_id=creator_id,
        payout_account_id=account.id,
        amount=situation.available if amount is None else amount,
        currency=currency,
        status=PayoutStatus.PENDING,
        trigger=trigger,
        provider=payout_provider_name_for(str(account.kind), currency),
    )
    await repository.add(session, payout)
    assert payout.id is not None
    event = PayoutEvent(
        payout_id=payout.id, from_status="", to_status=PayoutStatus.PENDING, cause=_opened_cause(trigger)
    )
    await repository.add(session, event)
    await ledger.post_payout(
        session, payout_public_id=payout.public_id, creator_id=creator_id, amount=payout.amount, currency=currency
    )
    return payout, account, event


def _opened_cause(trigger: str) -> str:
    return "withdrawal requested" if trigger == "manual" else f"{trigger} payout schedule"


async def list_payouts(creator_id: int) -> list[PayoutView]:
    """The creator's payouts, newest first, each with its timeline."""
    async with db.transaction() as session:
        rows = await repository.payouts_of(session, creator_id, limit=MAX_LISTED_PAYOUTS)
        events = await repository.events_of(session, [payout.id for payout, _ in rows if payout.id is not None])
    return [to_view(payout, account, _events_for(payout, events)) for payout, account in rows]


async def payout_detail(creator_id: int, public_id: str) -> PayoutView:
    """One of the creator's payouts with its timeline; another creator's answers as not found."""
    async with db.transaction() as session:
        found = await repository.payout_with_account(session, public_id.strip())
        if found is None or found[0].creator_id != creator_id or found[0].id is None:
            raise PayoutNotFound()
        payout, account = found
        events = await repository.events_of(session, [found[0].id])
    return to_view(payout, account, list(events))


def _events_for(payout: Payout, events: Sequence[PayoutEvent]) -> list[PayoutEvent]:
    return [event for event in events if event.payout_id == payout.id]


def to_view(payout: Payout, account: PayoutAccount, events: Sequence[PayoutEvent]) -> PayoutView:
    return PayoutView(
        public_id=payout.public_id,
        amount=payout.amount,
        currency=payout.currency,
        amount_label=format_money(payout.amount, payout.currency),
        status=str(payout.status),
        trigger=payout.trigger,
        account_label=accounts.label_of(account),
        failure_reason=payout.failure_reason,
        created_at=payout.created_at,
        paid_at=payout.paid_at,
        events=[
            PayoutEventView(
                from_status=event.from_status, to_status=event.to_status, cause=event.cause, at=event.created_at
            )
            for event in events
        ],
    )
