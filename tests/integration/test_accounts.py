"""Sign-up, verification, sign-in, sessions, password reset and change — and what they refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from creatorly import db
from creatorly.config import settings
from creatorly.errors import Forbidden
from creatorly.models import AccountToken, User, UserSession
from creatorly.models.enums import Role
from creatorly.services.accounts import authorization, privacy, recovery, two_factor
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.errors import (
    EmailRejected,
    InvalidCredentials,
    LinkInvalid,
    NotAuthenticated,
    PasswordRejected,
    TermsNotAccepted,
    TooManyAttempts,
    TwoFactorInvalid,
    TwoFactorSetupRequired,
)
from creatorly.services.accounts.schemas import SignedIn, TwoFactorChallenge
from creatorly.services.email import service as email_service
from tests.accounts import PASSWORD, latest_link_token, new_requester, outbox_for, signed_up_and_verified
from tests.smtp import SmtpServer


async def _count(model: type[User] | type[UserSession] | type[AccountToken]) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def _user(email: str) -> User:
    async with db.transaction() as session:
        return (await session.exec(select(User).where(User.email == email))).one()


async def test_sign_up_stores_a_hashed_password_and_the_terms_and_mails_a_link() -> None:
    await accounts.sign_up(
        email="  New.Fan@Example.com ",
        password=PASSWORD,
        display_name=" New  Fan ",
        accepted_terms=True,
        requester=new_requester(),
    )
    user = await _user("new.fan@example.com")
    assert user.display_name == "New Fan"
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.email_verified_at is None
    assert user.terms_version == "2026-11-22" and user.terms_accepted_at is not None
    assert user.role == Role.FAN
    [mail] = await outbox_for("new.fan@example.com")
    assert mail.subject == "Confirm your email for Creatorly"
    assert f"{settings.resolved_public_url}/verify-email?token=" in mail.text_body


@pytest.mark.parametrize(
    ("email", "password", "accepted", "error"),
    [
        ("fan@example.com", PASSWORD, False, TermsNotAccepted),
        ("not-an-email", PASSWORD, True, EmailRejected),
        ("fan@example.com", "short", True, PasswordRejected),
        ("fan@example.com", "password123", True, PasswordRejected),
        ("fan@example.com", "x" * 257, True, PasswordRejected),
        ("fanatic@example.com", "my fanatic secret", True, PasswordRejected),
    ],
)
async def test_sign_up_refuses_bad_input_and_writes_nothing(
    email: str, password: str, accepted: bool, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await accounts.sign_up(
            email=email, password=password, display_name="Fan", accepted_terms=accepted, requester=new_requester()
        )
    assert await _count(User) == 0
    assert await outbox_for(email) == []


async def test_long_passwords_are_accepted() -> None:
    await signed_up_and_verified("marathon@example.com", password="a long passphrase " * 7)
    result = await accounts.sign_in(
        email="marathon@example.com", password="a long passphrase " * 7, requester=new_requester()
    )
    assert isinstance(result, SignedIn)


async def test_sign_up_with_a_taken_email_answers_the_same_and_tells_the_owner() -> None:
    await signed_up_and_verified("taken@example.com")
    before = await _user("taken@example.com")
    answer = await accounts.sign_up(
        email="TAKEN@example.com",
        password="another good passphrase",
        display_name="Impostor",
        accepted_terms=True,
        requester=new_requester(),
    )
    assert answer is None
    after = await _user("taken@example.com")
    assert (after.password_hash, after.display_name) == (before.password_hash, before.display_name)
    subjects = [mail.subject for mail in await outbox_for("taken@example.com")]
    assert subjects[-1] == "Someone tried to sign up with your email"
    assert await _count(User) == 1


async def test_verification_link_verifies_signs_in_and_works_once() -> None:
    requester = new_requester()
    await accounts.sign_up(
        email="v@example.com", password=PASSWORD, display_name="V", accepted_terms=True, requester=requester
    )
    token = await latest_link_token("v@example.com", "Confirm your email")
    signed_in = await recovery.verify_email(token=token, requester=requester)
    assert signed_in.user.is_email_verified is True
    assert (await authorization.require_user(signed_in.session_token)).email == "v@example.com"
    with pytest.raises(LinkInvalid):
        await recovery.verify_email(token=token, requester=requester)


async def test_tampered_expired_and_wrong_purpose_links_are_refused() -> None:
    requester = new_requester()
    await accounts.sign_up(
        email="t@example.com", password=PASSWORD, display_name="T", accepted_terms=True, requester=requester
    )
    token = await latest_link_token("t@example.com", "Confirm your email")
    with pytest.raises(LinkInvalid):
        await recovery.verify_email(
            token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"), requester=requester
        )
    with pytest.raises(LinkInvalid):
        await recovery.reset_password(token=token, new_password="a brand new passphrase")
    async with db.transaction() as session:
        for row in (await session.exec(select(AccountToken))).all():
            row.expires_at -= timedelta(days=3)
    with pytest.raises(LinkInvalid):
        await recovery.verify_email(token=token, requester=requester)
    assert (await _user("t@example.com")).email_verified_at is None
    assert await _count(UserSession) == 0


async def test_sign_in_answers_identically_for_unknown_email_and_wrong_password() -> None:
    await signed_up_and_verified("known@example.com")
    with pytest.raises(InvalidCredentials) as unknown:
        await accounts.sign_in(email="nobody@example.com", password=PASSWORD, requester=new_requester())
    with pytest.raises(InvalidCredentials) as wrong:
        await accounts.sign_in(email="known@example.com", password="not the password", requester=new_requester())
    assert (unknown.value.code, unknown.value.message, unknown.value.status) == (
        wrong.value.code,
        wrong.value.message,
        wrong.value.status,
    )


async def test_password_reset_answers_identically_and_mails_only_real_accounts() -> None:
    await signed_up_and_verified("real@example.com")
    assert await recovery.request_password_reset(email="real@example.com", requester=new_requester()) is None
    assert await recovery.request_password_reset(email="ghost@example.com", requester=new_requester()) is None
    assert [mail.subject for mail in await outbox_for("real@example.com")][-1] == "Reset your Creatorly password"
    assert await outbox_for("ghost@example.com") == []


async def test_the_sixth_wrong_password_within_five_minutes_is_refused_even_when_right() -> None:
    await signed_up_and_verified("target@example.com")
    for attempt in range(5):
        with pytest.raises(InvalidCredentials):
            await accounts.sign_in(
                email="target@example.com", password=f"wrong guess {attempt}", requester=new_requester()
            )
    with pytest.raises(TooManyAttempts):
        await accounts.sign_in(email="target@example.com", password=PASSWORD, requester=new_requester())


async def test_one_ip_is_limited_across_accounts_and_sign_ups_are_limited_per_ip() -> None:
    requester = new_requester()
    for number in range(5):
        with pytest.raises(InvalidCredentials):
            await accounts.sign_in(email=f"spray{number}@example.com", password="guess guess", requester=requester)
    with pytest.raises(TooManyAttempts):
        await accounts.sign_in(email="spray-last@example.com", password="guess guess", requester=requester)
    sign_up_ip = new_requester()
    for number in range(3):
        await accounts.sign_up(
            email=f"bulk{number}@example.com",
            password=PASSWORD,
            display_name="B",
            accepted_terms=True,
            requester=sign_up_ip,
        )
    with pytest.raises(TooManyAttempts):
        await accounts.sign_up(
            email="bulk4@example.com", password=PASSWORD, display_name="B", accepted_terms=True, requester=sign_up_ip
        )
    assert await _count(User) == 3


async def test_sign_in_rotates_the_browser_token_and_sign_out_ends_it() -> None:
    first = await signed_up_and_verified("rotate@example.com")
    second = await accounts.sign_in(
        email="rotate@example.com", password=PASSWORD, requester=new_requester(), previous_token=first.session_token
    )
    assert isinstance(second, SignedIn)
    assert second.session_token != first.session_token
    with pytest.raises(NotAuthenticated):
        await authorization.require_user(first.session_token)
    await accounts.sign_out(session_token=second.session_token)
    with pytest.raises(NotAuthenticated):
        await authorization.require_user(second.session_token)


async def test_revoked_and_expired_sessions_cannot_call_any_private_use_case() -> None:
    signed_in = await signed_up_and_verified("private@example.com")
    other = await accounts.sign_in(email="private@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(other, SignedIn)
    await accounts.sign_out_everywhere(session_token=other.session_token)
    idle = await accounts.sign_in(email="private@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(idle, SignedIn)
    async with db.transaction() as session:
        for row in (await session.exec(select(UserSession).where(col(UserSession.revoked_at).is_(None)))).all():
            row.last_seen_at -= timedelta(days=8)
    private_calls = [
        lambda token: accounts.list_sessions(session_token=token),
        lambda token: accounts.sign_out_everywhere(session_token=token),
        lambda token: accounts.change_password(
            session_token=token,
            current_password=PASSWORD,
            new_password="new strong passphrase",
            requester=new_requester(),
        ),
        lambda token: privacy.export_my_data(session_token=token),
        lambda token: privacy.delete_my_account(session_token=token, password=PASSWORD, confirmation="DELETE"),
        lambda token: two_factor.begin_setup(session_token=token),
        lambda token: recovery.resend_verification(session_token=token, requester=new_requester()),
        lambda token: authorization.require_user(token),
    ]
    for token in (signed_in.session_token, other.session_token, idle.session_token, "", "made-up-token"):
        for call in private_calls:
            with pytest.raises(NotAuthenticated):
                await call(token)
    user = await _user("private@example.com")
    assert user.deleted_at is None and user.totp_secret_encrypted is None


async def test_reset_link_works_once_and_signs_out_every_device() -> None:
    signed_in = await signed_up_and_verified("reset@example.com")
    await recovery.request_password_reset(email="reset@example.com", requester=new_requester())
    token = await latest_link_token("reset@example.com", "Reset your")
    with pytest.raises(PasswordRejected):
        await recovery.reset_password(token=token, new_password="password")
    await recovery.reset_password(token=token, new_password="a brand new passphrase")
    with pytest.raises(LinkInvalid):
        await recovery.reset_password(token=token, new_password="yet another passphrase")
    with pytest.raises(NotAuthenticated):
        await authorization.require_user(signed_in.session_token)
    with pytest.raises(InvalidCredentials):
        await accounts.sign_in(email="reset@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(
        await accounts.sign_in(email="reset@example.com", password="a brand new passphrase", requester=new_requester()),
        SignedIn,
    )


async def test_password_change_ends_every_other_session_and_keeps_this_browser() -> None:
    here = await signed_up_and_verified("change@example.com")
    elsewhere = await accounts.sign_in(email="change@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(elsewhere, SignedIn)
    with pytest.raises(InvalidCredentials):
        await accounts.change_password(
            session_token=here.session_token,
            current_password="wrong",
            new_password="new strong passphrase",
            requester=new_requester(),
        )
    renewed = await accounts.change_password(
        session_token=here.session_token,
        current_password=PASSWORD,
        new_password="new strong passphrase",
        requester=new_requester(),
    )
    for old in (here.session_token, elsewhere.session_token):
        with pytest.raises(NotAuthenticated):
            await authorization.require_user(old)
    assert (await authorization.require_user(renewed.session_token)).email == "change@example.com"
    assert [mail.subject for mail in await outbox_for("change@example.com")][
        -1
    ] == "Your Creatorly password was changed"


async def test_sessions_list_shows_only_live_sessions_and_revokes_only_ones_own() -> None:
    mine = await signed_up_and_verified("list@example.com")
    theirs = await signed_up_and_verified("other@example.com")
    second = await accounts.sign_in(email="list@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(second, SignedIn)
    listed = await accounts.list_sessions(session_token=mine.session_token)
    assert [item.is_current for item in listed].count(True) == 1
    assert len(listed) == 2
    their_sessions = await accounts.list_sessions(session_token=theirs.session_token)
    await accounts.revoke_session(session_token=mine.session_token, session_id=their_sessions[0].id)
    assert (await authorization.require_user(theirs.session_token)).email == "other@example.com"
    other_id = next(item.id for item in listed if not item.is_current)
    await accounts.revoke_session(session_token=mine.session_token, session_id=other_id)
    with pytest.raises(NotAuthenticated):
        await authorization.require_user(second.session_token)


async def test_admins_are_created_by_command_and_must_turn_on_two_factor() -> None:
    assert await accounts.create_admin(email="root@example.com", password=PASSWORD) is True
    signed_in = await accounts.sign_in(email="root@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    with pytest.raises(TwoFactorSetupRequired):
        await authorization.require_role(signed_in.session_token, Role.ADMIN)
    fan = await signed_up_and_verified("plain@example.com")
    with pytest.raises(Forbidden):
        await authorization.require_role(fan.session_token, Role.ADMIN)
    assert await accounts.create_admin(email="plain@example.com", password=PASSWORD) is False
    assert (await _user("plain@example.com")).role == Role.ADMIN


async def test_sign_in_with_two_factor_needs_a_code() -> None:
    import pyotp

    signed_in = await signed_up_and_verified("totp@example.com")
    setup = await two_factor.begin_setup(session_token=signed_in.session_token)
    assert setup.qr_svg_data_uri.startswith("data:image/svg+xml")
    assert setup.provisioning_uri.startswith("otpauth://totp/Creatorly:totp%40example.com?secret=")
    backup_codes = await two_factor.confirm_setup(
        session_token=signed_in.session_token, code=pyotp.TOTP(setup.secret).now()
    )
    assert len(backup_codes) == 10
    user = await _user("totp@example.com")
    assert user.totp_secret_encrypted is not None and setup.secret not in user.totp_secret_encrypted

    challenge = await accounts.sign_in(email="totp@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(challenge, TwoFactorChallenge)
    with pytest.raises(TwoFactorInvalid):  # a typo keeps the challenge usable
        await accounts.complete_two_factor(
            challenge_token=challenge.challenge_token, code="000000", requester=new_requester()
        )
    done = await accounts.complete_two_factor(
        challenge_token=challenge.challenge_token, code=pyotp.TOTP(setup.secret).now(), requester=new_requester()
    )
    assert done.user.has_two_factor is True
    with pytest.raises(LinkInvalid):
        await accounts.complete_two_factor(
            challenge_token=challenge.challenge_token, code=pyotp.TOTP(setup.secret).now(), requester=new_requester()
        )


async def test_a_backup_code_works_exactly_once() -> None:
    import pyotp

    signed_in = await signed_up_and_verified("backup@example.com")
    setup = await two_factor.begin_setup(session_token=signed_in.session_token)
    codes = await two_factor.confirm_setup(session_token=signed_in.session_token, code=pyotp.TOTP(setup.secret).now())
    first = await accounts.sign_in(email="backup@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(first, TwoFactorChallenge)
    await accounts.complete_two_factor(
        challenge_token=first.challenge_token, code=codes[0].upper(), requester=new_requester()
    )
    again = await accounts.sign_in(email="backup@example.com", password=PASSWORD, requester=new_requester())
    assert isinstance(again, TwoFactorChallenge)
    with pytest.raises(TwoFactorInvalid):
        await accounts.complete_two_factor(
            challenge_token=again.challenge_token, code=codes[0], requester=new_requester()
        )


async def test_account_emails_go_out_over_smtp_when_configured(
    monkeypatch: pytest.MonkeyPatch, smtp_server: SmtpServer
) -> None:
    smtp_server.start()
    monkeypatch.setattr(settings, "smtp_url", f"smtp://127.0.0.1:{smtp_server.port}")
    await accounts.sign_up(
        email="smtp@example.com", password=PASSWORD, display_name="S", accepted_terms=True, requester=new_requester()
    )
    [queued] = await outbox_for("smtp@example.com")
    assert queued.id is not None
    outcome = await email_service.deliver_email(email_id=queued.id)
    assert outcome.result == "sent"
    [message] = smtp_server.inbox.messages
    assert (message["To"], message["Subject"]) == ("smtp@example.com", "Confirm your email for Creatorly")
    body = message.get_payload()
    assert isinstance(body, str) and "/verify-email?token=" in body


async def test_reset_mails_are_rate_limited_without_revealing_the_account() -> None:
    await signed_up_and_verified("limited@example.com")
    for _ in range(3):
        await recovery.request_password_reset(email="limited@example.com", requester=new_requester())
        await recovery.request_password_reset(email="unknown@example.com", requester=new_requester())
    with pytest.raises(TooManyAttempts):
        await recovery.request_password_reset(email="limited@example.com", requester=new_requester())
    with pytest.raises(TooManyAttempts):
        await recovery.request_password_reset(email="unknown@example.com", requester=new_requester())
    resets = [mail for mail in await outbox_for("limited@example.com") if mail.subject.startswith("Reset")]
    assert len(resets) == 3


def test_admin_create_command_makes_an_admin() -> None:
    from click.testing import CliRunner

    from creatorly.cli import main

    result = CliRunner().invoke(main, ["admin", "create", "boss@example.com", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com." in result.output
    weak = CliRunner().invoke(main, ["admin", "create", "weak@example.com", "--password", "password"])
    assert weak.exit_code == 1
    assert "too common" in weak.output


async def test_email_change_happens_only_after_the_new_address_confirms() -> None:
    signed_in = await signed_up_and_verified("old@example.com")
    with pytest.raises(InvalidCredentials):
        await recovery.request_email_change(
            session_token=signed_in.session_token,
            new_email="new@example.com",
            password="wrong",
            requester=new_requester(),
        )
    await recovery.request_email_change(
        session_token=signed_in.session_token, new_email="New@Example.com", password=PASSWORD, requester=new_requester()
    )
    assert (await authorization.require_user(signed_in.session_token)).email == "old@example.com"
    token = await latest_link_token("new@example.com", "Confirm your new email")
    assert await recovery.confirm_email_change(token=token) == "new@example.com"
    assert (await authorization.require_user(signed_in.session_token)).email == "new@example.com"
    assert [mail.subject for mail in await outbox_for("old@example.com")][-1] == "Your Creatorly email was changed"
    with pytest.raises(LinkInvalid):
        await recovery.confirm_email_change(token=token)


async def test_email_change_refuses_an_address_taken_meanwhile() -> None:
    signed_in = await signed_up_and_verified("first@example.com")
    await recovery.request_email_change(
        session_token=signed_in.session_token,
        new_email="wanted@example.com",
        password=PASSWORD,
        requester=new_requester(),
    )
    token = await latest_link_token("wanted@example.com", "Confirm your new email")
    await signed_up_and_verified("wanted@example.com")
    with pytest.raises(EmailRejected):
        await recovery.confirm_email_change(token=token)
    assert (await authorization.require_user(signed_in.session_token)).email == "first@example.com"
