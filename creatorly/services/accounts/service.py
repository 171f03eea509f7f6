"""Account use cases: sign up, sign in (with the 2FA step), sign out, sessions and password change."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.models import User
from creatorly.models.enums import Role
from creatorly.services.accounts import emails, limits, links, repository, two_factor
from creatorly.services.accounts.errors import InvalidCredentials, TermsNotAccepted, TwoFactorInvalid
from creatorly.services.accounts.passwords import hash_password, verify_password, verify_password_timing_safe
from creatorly.services.accounts.rules import TERMS_VERSION, check_password, normalize_email, validated_email
from creatorly.services.accounts.schemas import (
    Requester,
    SessionInfo,
    SignedIn,
    SignInResult,
    TwoFactorChallenge,
)
from creatorly.services.accounts.sessions import live_session, open_session, to_current_user
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import SYSTEM, Actor
from creatorly.services.email import service as email_service

MAX_DISPLAY_NAME = 100


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await repository.get_by_email(session, normalize_email(email))


async def add_verified_user(
    session: AsyncSession, *, email: str, password: str, display_name: str, role: Role = Role.FAN
) -> User:
    """Create an account whose email is already known to be real (seed data, admin tooling)."""
    now = utc_now()
    user = User(
        email=normalize_email(email),
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        email_verified_at=now,
        terms_version=TERMS_VERSION,
        terms_accepted_at=now,
    )
    await repository.add(session, user)
    return user


def _display_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise InvalidInput("Tell us what to call you.", field="display_name")
    if len(name) > MAX_DISPLAY_NAME:
        raise InvalidInput(f"Use at most {MAX_DISPLAY_NAME} characters.", field="display_name")
    return name


async def sign_up(*, email: str, password: str, display_name: str, accepted_terms: bool, requester: Requester) -> None:
    """Create an unverified account and mail a confirmation link. The answer is the same for a taken email."""
    if not accepted_terms:
        raise TermsNotAccepted(field="accepted_terms")
    address = validated_email(email)
    check_password(password, email=address)
    name = _display_name(display_name)
    await limits.count_sign_up(ip=requester.ip)
    password_hash = hash_password(password)  # also for a taken email, so both answers take as long
    try:
        async with db.transaction() as session:
            existing = await repository.get_by_email(session, address)
            if existing is not None:
                await _tell_owner_about_sign_up(session, address)
                return
            now = utc_now()
            user = User(
                email=address,
                display_name=name,
                password_hash=password_hash,
                terms_version=TERMS_VERSION,
                terms_accepted_at=now,
            )
            await repository.add(session, user)
            assert user.id is not None
            await _send_verification(session, user.id, address)
    except IntegrityError:
        return  # a simultaneous sign-up took the address: answer exactly as for a taken email


async def _send_verification(session: AsyncSession, user_id: int, address: str) -> None:
    signed = await links.issue(session, user_id, links.VERIFY_EMAIL)
    text = emails.verify_email(links.absolute_url(links.VERIFY_EMAIL_PATH, signed))
    await email_service.queue_email(session, to_address=address, subject=text.subject, text_body=text.text_body)


async def _tell_owner_about_sign_up(session: AsyncSession, address: str) -> None:
    base = settings.resolved_public_url
    text = emails.already_registered(f"{base}{links.SIGN_IN_PATH}", f"{base}{links.RESET_REQUEST_PATH}")
    await email_service.queue_email(session, to_address=address, subject=text.subject, text_body=text.text_body)


async def sign_in(*, email: str, password: str, requester: Requester, previous_token: str = "") -> SignInResult:
    """Check the password (same answer for unknown emails), then open a session or ask for the second factor."""
    address = normalize_email(email)
    await limits.refuse_if_sign_in_blocked(ip=requester.ip, email=address)
    async with db.transaction() as session:
        user = await repository.get_by_email(session, address)
        if _password_matches(user, password):
            assert user is not None and user.id is not None
            if user.totp_enabled_at is not None:
                challenge = await links.issue(session, user.id, links.TWO_FACTOR_CHALLENGE)
                return TwoFactorChallenge(challenge_token=challenge)
            token = await open_session(session, user.id, user_agent=requester.user_agent, replacing=previous_token)
            await _audit_admin_sign_in(session, user, requester)
            return SignedIn(session_token=token, user=to_current_user(user))
    await limits.count_failed_sign_in(ip=requester.ip, email=address)
    raise InvalidCredentials()


async def _audit_admin_sign_in(session: AsyncSession, user: User, requester: Requester) -> None:
    """An admin's every sign-in is on the record, with where it came from."""
    if user.role == Role.ADMIN:
        await audit.record(
            session,
            actor=audit.actor_of(user),
            action="admin.signed_in",
            target_type="user",
            target_id=str(user.id),
            after={"user_agent": requester.user_agent[:200]},
        )


def _password_matches(user: User | None, password: str) -> bool:
    """Same work whether or not the account exists, can sign in with a password, or is deleted."""
    usable = user is not None and user.is_active and user.deleted_at is None
    return verify_password_timing_safe(password, user.password_hash if usable and user is not None else None)


async def complete_two_factor(
    *, challenge_token: str, code: str, requester: Requester, previous_token: str = ""
) -> SignedIn:
    """Second step of sign-in: a current TOTP code or an unused backup code turns the challenge into a session."""
    async with db.transaction() as session:
        _token_id, user_id = await links.peek(session, challenge_token, links.TWO_FACTOR_CHALLENGE)
        user = await repository.get_user(session, user_id)
        assert user is not None
    await limits.refuse_if_sign_in_blocked(ip=requester.ip, email=user.email)
    async with db.transaction() as session:
        user = await repository.get_user(session, user_id)
        assert user is not None and user.id is not None
        if await two_factor.accept_code(session, user, code):
            await links.consume(session, challenge_token, links.TWO_FACTOR_CHALLENGE)
            token = await open_session(session, user.id, user_agent=requester.user_agent, replacing=previous_token)
            await _audit_admin_sign_in(session, user, requester)
            return SignedIn(session_token=token, user=to_current_user(user))
    await limits.count_failed_sign_in(ip=requester.ip, email=user.email)
    raise TwoFactorInvalid()


async def sign_out(*, session_token: str) -> None:
    async with db.transaction() as session:
        row, _user = await live_session(session, session_token)
        row.revoked_at = utc_now()


async def sign_out_everywhere(*, session_token: str) -> int:
    """Revoke every session of the user, this one included; returns how many were live."""
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        assert user.id is not None
        return await repository.revoke_sessions(session, user.id, now=utc_now())


async def list_sessions(*, session_token: str) -> list[SessionInfo]:
    async with db.transaction() as session:
        current, user = await live_session(session, session_token)
        assert user.id is not None
        rows = await repository.list_live_sessions(session, user.id, now=utc_now())
        return [
            SessionInfo(
                id=row.id or 0,
                user_agent=row.user_agent,
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                is_current=row.id == current.id,
            )
            for row in rows
        ]


async def revoke_session(*, session_token: str, session_id: int) -> None:
    """Revoke one of the user's own sessions; another user's session id is simply not found."""
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        assert user.id is not None
        await repository.revoke_sessions(session, user.id, now=utc_now(), only_id=session_id)


async def change_password(
    *, session_token: str, current_password: str, new_password: str, requester: Requester
) -> SignedIn:
    """Replace the password, sign out every device, and keep this browser signed in with a new session."""
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        assert user.id is not None
        if user.password_hash is not None and not verify_password(current_password, user.password_hash):
            raise InvalidCredentials("Your current password is not correct.")
        check_password(new_password, email=user.email)
        now = utc_now()
        user.password_hash, user.password_changed_at, user.updated_at = hash_password(new_password), now, now
        await repository.revoke_sessions(session, user.id, now=now)
        token = await open_session(session, user.id, user_agent=requester.user_agent)
        text = emails.password_changed()
        await email_service.queue_email(session, to_address=user.email, subject=text.subject, text_body=text.text_body)
        return SignedIn(session_token=token, user=to_current_user(user))


async def create_admin(*, email: str, password: str, actor: Actor = SYSTEM) -> bool:
    """Make an admin (verified) or promote an existing account; True when the account is new."""
    address = validated_email(email)
    check_password(password, email=address)
    async with db.transaction() as session:
        user = await repository.get_by_email(session, address)
        is_new = user is None
        if user is None:
            user = await add_verified_user(
                session, email=address, password=password, display_name="Admin", role=Role.ADMIN
            )
            old_role = ""
        else:
            old_role = str(user.role)
            user.role, user.updated_at = Role.ADMIN, utc_now()
        await _audit_role(session, actor, user, old_role)
        return is_new


async def grant_role(session: AsyncSession, user_id: int, role: Role, *, actor: Actor | None = None) -> None:
    """Raise a fan to creator (admins keep their role), in the caller's transaction; by default the user acts."""
    user = await repository.get_user(session, user_id)
    if user is not None and user.role == Role.FAN:
        old_role = str(user.role)
        user.role, user.updated_at = role, utc_now()
        await _audit_role(session, actor or audit.actor_of(user), user, old_role)


async def _audit_role(session: AsyncSession, actor: Actor, user: User, old_role: str) -> None:
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="user.role_granted",
        target_type="user",
        target_id=str(user.id),
        before={"role": old_role},
        after={"role": str(user.role)},
    )
