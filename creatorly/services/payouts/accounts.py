"""Payout accounts: add (validated, account number encrypted), list, choose the default per currency, remove."""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import NotFound
from creatorly.kit import crypto
from creatorly.kit.clock import utc_now
from creatorly.models import PayoutAccount
from creatorly.providers.payouts.base import PayoutDestination
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import SYSTEM, Actor
from creatorly.services.payouts import repository, rules
from creatorly.services.payouts.schemas import PayoutAccountForm, PayoutAccountView

ENCRYPTION_PURPOSE = "payout-account"


class PayoutAccountNotFound(NotFound):
    code = "payout_account_not_found"
    default_message = "We couldn't find that payout account."


def to_view(account: PayoutAccount) -> PayoutAccountView:
    return PayoutAccountView(
        public_id=account.public_id,
        kind=str(account.kind),
        currency=account.currency,
        country=account.country,
        label=label_of(account),
        holder_name=account.holder_name,
        is_default=account.is_default,
        created_at=account.created_at,
    )


def label_of(account: PayoutAccount) -> str:
    return rules.account_label(
        kind=account.kind,
        account_last4=account.account_last4,
        upi_id=account.upi_id,
        stripe_account_id=account.stripe_account_id,
        paypal_email=account.paypal_email,
    )


def destination_of(account: PayoutAccount) -> PayoutDestination:
    """Where a payout goes, with the account number decrypted (raises ValueError if the key changed)."""
    number = ""
    if account.account_number_encrypted:
        number = crypto.decrypt(
            account.account_number_encrypted,
            secret=settings.resolved_payout_encryption_key,
            purpose=ENCRYPTION_PURPOSE,
        )
    return PayoutDestination(
        kind=rules.destination_kind(account.kind),
        holder_name=account.holder_name,
        country=account.country,
        routing_code=account.routing_code,
        account_number=number,
        upi_id=account.upi_id,
        stripe_account_id=account.stripe_account_id,
        paypal_email=account.paypal_email,
    )


async def _audit(session: AsyncSession, actor: Actor, action: str, account: PayoutAccount, **changes: Any) -> None:
    before = {name: old for name, (old, _new) in changes.items()}
    after = {name: new for name, (_old, new) in changes.items()}
    await audit.record(
        session,
        actor=actor,
        action=action,
        target_type="payout_account",
        target_id=account.public_id,
        creator_id=account.creator_id,
        before={"account": label_of(account), **before},
        after={"account": label_of(account), **after},
    )


async def add_payout_account(creator_id: int, form: PayoutAccountForm, *, actor: Actor = SYSTEM) -> PayoutAccountView:
    """Validate and store a payout account; the first of its currency (or `make_default`) becomes the default."""
    valid = rules.valid_account(
        kind=form.kind,
        currency=form.currency,
        country=form.country,
        holder_name=form.holder_name,
        routing_code=form.routing_code,
        account_number=form.account_number,
        upi_id=form.upi_id,
        stripe_account_id=form.stripe_account_id,
        paypal_email=form.paypal_email,
    )
    async with db.transaction() as session:
        await repository.lock_payouts_of(session, creator_id, valid.currency)
        current_default = await repository.default_account(session, creator_id, valid.currency)
        is_default = form.make_default or current_default is None
        if is_default:
            await repository.clear_default(session, creator_id, valid.currency)
        account = _new_account(creator_id, valid, is_default=is_default)
        await repository.add(session, account)
        await _audit(
            session, actor, "payout_account.added", account, exists=(False, True), is_default=(False, is_default)
        )
        return to_view(account)


def _new_account(creator_id: int, valid: rules.ValidAccount, *, is_default: bool) -> PayoutAccount:
    encrypted = ""
    if valid.account_number:
        encrypted = crypto.encrypt(
            valid.account_number, secret=settings.resolved_payout_encryption_key, purpose=ENCRYPTION_PURPOSE
        )
    return PayoutAccount(
        public_id=f"pa_{secrets.token_hex(10)}",
        creator_id=creator_id,
        kind=valid.kind,
        currency=valid.currency,
        country=valid.country,
        holder_name=valid.holder_name,
        routing_code=valid.routing_code,
        account_number_encrypted=encrypted,
        account_last4=valid.account_number[-4:],
        upi_id=valid.upi_id,
        stripe_account_id=valid.stripe_account_id,
        paypal_email=valid.paypal_email,
        is_default=is_default,
    )


async def list_payout_accounts(creator_id: int) -> list[PayoutAccountView]:
    """The creator's payout accounts (not removed), by currency then age."""
    async with db.transaction() as session:
        return [to_view(account) for account in await repository.accounts_of(session, creator_id)]


async def set_default_account(creator_id: int, public_id: str, *, actor: Actor = SYSTEM) -> PayoutAccountView:
    """Make one of the creator's accounts the default of its currency; the old default is cleared at once."""
    async with db.transaction() as session:
        account = await _own_account(session, creator_id, public_id)
        was_default = account.is_default
        await repository.clear_default(session, creator_id, account.currency)
        account.is_default = True
        await repository.add(session, account)
        await _audit(session, actor, "payout_account.default_set", account, is_default=(was_default, True))
        return to_view(account)


async def remove_payout_account(creator_id: int, public_id: str, *, actor: Actor = SYSTEM) -> None:
    """Retire an account (payouts already made keep pointing at it); the newest other one becomes the default."""
    async with db.transaction() as session:
        account = await _own_account(session, creator_id, public_id)
        assert account.id is not None
        was_default = account.is_default
        account.is_default, account.removed_at = False, utc_now()
        await repository.add(session, account)
        await _audit(session, actor, "payout_account.removed", account, exists=(True, False))
        if was_default:
            successor = await repository.latest_other_account(
                session, creator_id, account.currency, except_id=account.id
            )
            if successor is not None:
                successor.is_default = True
                await repository.add(session, successor)


async def _own_account(session: AsyncSession, creator_id: int, public_id: str) -> PayoutAccount:
    """The creator's own account; another creator's answers exactly like one that does not exist."""
    account = await repository.account_of_creator(session, creator_id, public_id.strip())
    if account is None:
        raise PayoutAccountNotFound()
    await repository.lock_payouts_of(session, creator_id, account.currency)
    return account
