"""Payout use cases for the signed-in creator, and the entry points jobs and webhook handlers call.

Each `session_token` use case resolves the creator and calls the creator-id function of the same name in
balances.py, accounts.py, withdrawals.py or schedules.py (which jobs, the CLI and tests call directly).
"""

from __future__ import annotations

from creatorly import db
from creatorly.services.accounts.authorization import require_user
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor
from creatorly.services.creators import service as creators
from creatorly.services.payouts import accounts, balances, schedules, withdrawals
from creatorly.services.payouts.accounts import PayoutAccountNotFound
from creatorly.services.payouts.outcomes import apply_payout_outcome, find_lost_payouts, submit_payout
from creatorly.services.payouts.rules import PayoutRefused
from creatorly.services.payouts.schedules import ScheduledRun, run_scheduled_payouts, set_under_review
from creatorly.services.payouts.schemas import (
    CurrencyBalance,
    PayoutAccountForm,
    PayoutAccountView,
    PayoutView,
    Readiness,
)
from creatorly.services.payouts.withdrawals import SUBMIT_JOB, PayoutNotFound

__all__ = [
    "SUBMIT_JOB",
    "PayoutAccountNotFound",
    "PayoutNotFound",
    "PayoutRefused",
    "ScheduledRun",
    "add_payout_account",
    "apply_payout_outcome",
    "balances_of",
    "current_creator_id",
    "find_lost_payouts",
    "get_schedule",
    "list_payout_accounts",
    "list_payouts",
    "payout_detail",
    "payout_readiness",
    "remove_payout_account",
    "run_scheduled_payouts",
    "set_default_payout_account",
    "set_schedule",
    "set_under_review",
    "submit_payout",
    "withdraw",
]


async def current_creator_id(*, session_token: str) -> int:
    """The signed-in user's creator id; NotACreator (a NotFound) when they have no storefront."""
    creator_id, _actor = await _creator_and_actor(session_token)
    return creator_id


async def _creator_and_actor(session_token: str) -> tuple[int, Actor]:
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.creator_of(session, user.id)
    assert creator.id is not None
    return creator.id, audit.actor_of(user)


async def balances_of(*, session_token: str) -> list[CurrencyBalance]:
    """Pending, available, in payout, paid out and lifetime earnings per currency, with the release timeline."""
    return await balances.balances_of(await current_creator_id(session_token=session_token))


async def payout_readiness(*, session_token: str, currency: str) -> Readiness:
    """Whether the available balance in `currency` can be withdrawn now; if not, why and what to do."""
    return await withdrawals.payout_readiness(await current_creator_id(session_token=session_token), currency)


async def withdraw(*, session_token: str, currency: str, amount: int | None = None) -> PayoutView:
    """Withdraw the available balance (or `amount` of it); PayoutRefused, writing nothing, when it cannot go."""
    creator_id = await current_creator_id(session_token=session_token)
    return await withdrawals.withdraw(creator_id, currency, amount=amount)


async def list_payouts(*, session_token: str) -> list[PayoutView]:
    return await withdrawals.list_payouts(await current_creator_id(session_token=session_token))


async def payout_detail(*, session_token: str, payout_public_id: str) -> PayoutView:
    """One of the creator's payouts with its timeline; PayoutNotFound for anyone else's."""
    return await withdrawals.payout_detail(await current_creator_id(session_token=session_token), payout_public_id)


async def add_payout_account(*, session_token: str, form: PayoutAccountForm) -> PayoutAccountView:
    """Add a bank account, UPI id or Stripe account; InvalidInput(field=…) names a field that is wrong."""
    creator_id, actor = await _creator_and_actor(session_token)
    return await accounts.add_payout_account(creator_id, form, actor=actor)


async def list_payout_accounts(*, session_token: str) -> list[PayoutAccountView]:
    return await accounts.list_payout_accounts(await current_creator_id(session_token=session_token))


async def set_default_payout_account(*, session_token: str, account_public_id: str) -> PayoutAccountView:
    creator_id, actor = await _creator_and_actor(session_token)
    return await accounts.set_default_account(creator_id, account_public_id, actor=actor)


async def remove_payout_account(*, session_token: str, account_public_id: str) -> None:
    creator_id, actor = await _creator_and_actor(session_token)
    await accounts.remove_payout_account(creator_id, account_public_id, actor=actor)


async def get_schedule(*, session_token: str) -> str:
    return await schedules.get_schedule(await current_creator_id(session_token=session_token))


async def set_schedule(*, session_token: str, schedule: str) -> str:
    """Choose manual, daily, weekly (Mondays) or monthly (the 1st) payouts, in UTC."""
    return await schedules.set_schedule(await current_creator_id(session_token=session_token), schedule)
