"""The audit log: money, permission and account changes leave one entry each, with the fields that changed; the
log cannot be updated or deleted; admins (with two-factor) browse it all, a creator reads only their own."""

from __future__ import annotations

import json
from decimal import Decimal

import pyotp
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from creatorly import db
from creatorly.errors import Forbidden
from creatorly.models import AuditEntry
from creatorly.services.accounts import privacy, two_factor
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.errors import TwoFactorSetupRequired
from creatorly.services.accounts.schemas import SignedIn, TwoFactorChallenge
from creatorly.services.audit import browse
from creatorly.services.audit.schemas import AuditFilter
from creatorly.services.audit.service import command_line_actor
from creatorly.services.creators import service as creators
from creatorly.services.creators.schemas import ProfileInput
from creatorly.services.payouts import service as payouts
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.factories import make_creator
from tests.integration.payout_helpers import US_BANK

ADMIN_EMAIL = "admin@example.com"


async def _entries() -> list[AuditEntry]:
    async with db.transaction() as session:
        return list((await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all())


async def _signed_in(email: str) -> str:
    signed_in = await accounts.sign_in(email=email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token


async def _admin_with_two_factor() -> str:
    await accounts.create_admin(email=ADMIN_EMAIL, password=PASSWORD)
    first = await _signed_in(ADMIN_EMAIL)
    setup = await two_factor.begin_setup(session_token=first)
    await two_factor.confirm_setup(session_token=first, code=pyotp.TOTP(setup.secret).now())
    challenge = await accounts.sign_in(email=ADMIN_EMAIL, password=PASSWORD, requester=new_requester())
    assert isinstance(challenge, TwoFactorChallenge)
    done = await accounts.complete_two_factor(
        challenge_token=challenge.challenge_token, code=pyotp.TOTP(setup.secret).now(), requester=new_requester()
    )
    return done.session_token


def _changes(entry: AuditEntry) -> tuple[dict[str, object], dict[str, object]]:
    return json.loads(entry.before), json.loads(entry.after)


async def test_payout_account_changes_are_recorded_with_who_and_what_changed() -> None:
    made = await make_creator()
    token = await _signed_in(made.email)

    first = await payouts.add_payout_account(session_token=token, form=US_BANK)
    second = await payouts.add_payout_account(session_token=token, form=US_BANK)
    await payouts.set_default_payout_account(session_token=token, account_public_id=second.public_id)
    await payouts.remove_payout_account(session_token=token, account_public_id=first.public_id)

    entries = await _entries()
    assert [(entry.action, entry.target_id) for entry in entries] == [
        ("payout_account.added", first.public_id),
        ("payout_account.added", second.public_id),
        ("payout_account.default_set", second.public_id),
        ("payout_account.removed", first.public_id),
    ]
    assert {(entry.actor_email, entry.actor_role, entry.creator_id) for entry in entries} == {
        (made.email, "creator", made.creator.id)
    }
    assert _changes(entries[0]) == ({"exists": False, "is_default": False}, {"exists": True, "is_default": True})
    assert _changes(entries[2]) == ({"is_default": False}, {"is_default": True})
    assert _changes(entries[3]) == ({"exists": True}, {"exists": False})
    assert all("000123456789" not in entry.before + entry.after for entry in entries)  # no account numbers


async def test_terms_holds_and_role_grants_are_recorded_with_their_reason() -> None:
    made = await make_creator()
    operator = command_line_actor()
    await creators.set_creator_terms(
        handle=made.creator.handle,
        platform_fee_percent=Decimal("7.5"),
        hold_period_days=14,
        actor=operator,
        reason="Launch partner",
    )
    await payouts.set_under_review(handle=made.creator.handle, under_review=True, note="Chargebacks", actor=operator)
    fan = await signed_up_and_verified("newcreator@example.com")
    await creators.become_creator(
        session_token=fan.session_token,
        profile=ProfileInput(handle="newcreator", display_name="New"),
    )

    terms, held, granted = await _entries()
    assert (terms.action, terms.actor_email, terms.actor_role, terms.reason) == (
        "creator.terms_changed",
        operator.email,
        "system",
        "Launch partner",
    )
    assert operator.email.startswith("cli:")
    assert _changes(terms) == (
        {"platform_fee_percent": None, "hold_period_days": None},
        {"platform_fee_percent": "7.5", "hold_period_days": 14},
    )
    assert (held.action, held.reason, _changes(held)) == (
        "payouts.held",
        "Chargebacks",
        ({"under_review": False}, {"under_review": True}),
    )
    assert (granted.action, granted.actor_email, _changes(granted)) == (
        "user.role_granted",
        "newcreator@example.com",
        ({"role": "fan"}, {"role": "creator"}),
    )


async def test_admin_sign_ins_and_a_persons_data_export_and_deletion_are_recorded() -> None:
    await _admin_with_two_factor()
    fan = await signed_up_and_verified("leaving@example.com")
    await privacy.export_my_data(session_token=fan.session_token)
    await privacy.delete_my_account(session_token=fan.session_token, password=PASSWORD, confirmation="DELETE")

    actions = [(entry.action, entry.actor_email) for entry in await _entries()]
    assert actions == [
        ("user.role_granted", ""),
        ("admin.signed_in", ADMIN_EMAIL),
        ("admin.signed_in", ADMIN_EMAIL),
        ("account.data_exported", "leaving@example.com"),
        ("account.deleted", actions[-1][1]),
    ]
    assert actions[-1][1].endswith("@deleted.invalid")  # the erased address is not kept in the log


async def test_audit_rows_cannot_be_updated_or_deleted() -> None:
    made = await make_creator()
    await creators.set_creator_terms(handle=made.creator.handle, platform_fee_percent=Decimal(5), hold_period_days=3)
    [entry] = await _entries()

    for statement in ("UPDATE audit_log SET reason = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.transaction() as session:
                await session.exec(text(statement))  # type: ignore[call-overload]

    assert [(row.id, row.reason) for row in await _entries()] == [(entry.id, "")]


async def test_admins_with_two_factor_browse_and_filter_and_others_are_refused() -> None:
    admin_token = await _admin_with_two_factor()
    await accounts.create_admin(email="fresh-admin@example.com", password=PASSWORD)
    fresh_admin_token = await _signed_in("fresh-admin@example.com")
    made = await make_creator()
    creator_token = await _signed_in(made.email)
    await payouts.add_payout_account(session_token=creator_token, form=US_BANK)

    everything = await browse.admin_entries(session_token=admin_token, wanted=AuditFilter(), page_size=2)
    older = await browse.admin_entries(
        session_token=admin_token, wanted=AuditFilter(), before_id=everything.next_cursor, page_size=50
    )
    payout_only = await browse.admin_entries(session_token=admin_token, wanted=AuditFilter(action="payout_account"))
    by_actor = await browse.admin_entries(session_token=admin_token, wanted=AuditFilter(actor_email=made.email.upper()))

    assert [item.action for item in everything.items] == ["payout_account.added", "admin.signed_in"]
    assert everything.next_cursor is not None
    assert [item.action for item in older.items] == [
        "user.role_granted",
        "admin.signed_in",
        "admin.signed_in",
        "user.role_granted",
    ]
    assert older.next_cursor is None
    assert [item.action for item in payout_only.items] == ["payout_account.added"]
    assert [item.action for item in by_actor.items] == ["payout_account.added"]
    with pytest.raises(Forbidden):
        await browse.admin_entries(session_token=creator_token, wanted=AuditFilter())
    with pytest.raises(TwoFactorSetupRequired):
        await browse.admin_entries(session_token=fresh_admin_token, wanted=AuditFilter())


async def test_a_creator_reads_their_own_accounts_entries_and_nobody_elses() -> None:
    mine, theirs = await make_creator(), await make_creator()
    my_token, their_token = await _signed_in(mine.email), await _signed_in(theirs.email)
    await payouts.add_payout_account(session_token=their_token, form=US_BANK)
    await payouts.add_payout_account(session_token=my_token, form=US_BANK)
    await creators.set_creator_terms(
        handle=mine.creator.handle, platform_fee_percent=Decimal(4), hold_period_days=None, actor=command_line_actor()
    )
    await privacy.export_my_data(session_token=my_token)

    page = await browse.my_account_entries(session_token=my_token)

    assert [item.action for item in page.items] == [
        "account.data_exported",
        "creator.terms_changed",
        "payout_account.added",
    ]
    assert all(item.actor_email != theirs.email for item in page.items)


async def test_a_person_sees_changes_made_to_them_by_others() -> None:
    await accounts.create_admin(email=ADMIN_EMAIL, password=PASSWORD, actor=command_line_actor())
    token = await _signed_in(ADMIN_EMAIL)

    page = await browse.my_account_entries(session_token=token)

    assert [(browse.action_label(item.action), item.actor_role) for item in page.items] == [
        ("Admin sign-in", "admin"),
        ("Role changed", "system"),
    ]
    assert browse.change_lines(page.items[1]) == ["role: — → admin"]
