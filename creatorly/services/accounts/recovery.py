"""Email verification and password reset through signed, single-use, expiring links."""

from __future__ import annotations

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.services.accounts import emails, limits, links, repository
from creatorly.services.accounts.errors import EmailRejected, InvalidCredentials, LinkInvalid
from creatorly.services.accounts.passwords import hash_password, verify_password
from creatorly.services.accounts.rules import check_password, normalize_email, validated_email
from creatorly.services.accounts.schemas import Requester, SignedIn
from creatorly.services.accounts.sessions import live_session, open_session, to_current_user
from creatorly.services.email import service as email_service


async def verify_email(*, token: str, requester: Requester, previous_token: str = "") -> SignedIn:
    """Mark the address verified and sign this browser in: the link proves the mailbox is theirs."""
    async with db.transaction() as session:
        user_id = await links.consume(session, token, links.VERIFY_EMAIL)
        user = await repository.get_user(session, user_id)
        if user is None or user.deleted_at is not None or not user.is_active:
            raise LinkInvalid()
        if user.email_verified_at is None:
            user.email_verified_at = utc_now()
        session_token = await open_session(session, user_id, user_agent=requester.user_agent, replacing=previous_token)
        return SignedIn(session_token=session_token, user=to_current_user(user))


async def resend_verification(*, session_token: str, requester: Requester) -> None:
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        if user.email_verified_at is not None or user.id is None:
            return
        await limits.count_account_email(kind="verify", email=user.email, ip=requester.ip)
        signed = await links.issue(session, user.id, links.VERIFY_EMAIL)
        text = emails.verify_email(links.absolute_url(links.VERIFY_EMAIL_PATH, signed))
        await email_service.queue_email(session, to_address=user.email, subject=text.subject, text_body=text.text_body)


async def request_password_reset(*, email: str, requester: Requester) -> None:
    """Mail a reset link if the account exists; the answer is the same either way."""
    address = normalize_email(email)
    await limits.count_account_email(kind="reset", email=address, ip=requester.ip)
    async with db.transaction() as session:
        user = await repository.get_by_email(session, address)
        if user is None or user.id is None or not user.is_active or user.deleted_at is not None:
            return
        signed = await links.issue(session, user.id, links.RESET_PASSWORD)
        text = emails.reset_password(links.absolute_url(links.RESET_PASSWORD_PATH, signed))
        await email_service.queue_email(session, to_address=address, subject=text.subject, text_body=text.text_body)


async def reset_password(*, token: str, new_password: str) -> None:
    """Set a new password from a reset link (once), sign out every device and tell the owner."""
    check_password(new_password)  # before the link is used up, so a weak choice can be corrected
    async with db.transaction() as session:
        user_id = await links.consume(session, token, links.RESET_PASSWORD)
        user = await repository.get_user(session, user_id)
        if user is None or user.deleted_at is not None:
            raise LinkInvalid()
        check_password(new_password, email=user.email)
        now = utc_now()
        user.password_hash, user.password_changed_at, user.updated_at = hash_password(new_password), now, now
        if user.email_verified_at is None:
            user.email_verified_at = now  # the reset link reached the mailbox
        await repository.revoke_sessions(session, user_id, now=now)
        text = emails.password_changed()
        await email_service.queue_email(session, to_address=user.email, subject=text.subject, text_body=text.text_body)


async def request_email_change(*, session_token: str, new_email: str, password: str, requester: Requester) -> None:
    """Mail a confirmation link to the new address; the change happens only when that link is opened."""
    address = validated_email(new_email)
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        assert user.id is not None
        if user.password_hash is not None and not verify_password(password, user.password_hash):
            raise InvalidCredentials("Your password is not correct.")
        if address == user.email:
            raise EmailRejected("That is already your email address.", field="new_email")
        await limits.count_account_email(kind="change-email", email=user.email, ip=requester.ip)
        signed = await links.issue(session, user.id, links.CHANGE_EMAIL, detail=address)
        text = emails.confirm_new_email(links.absolute_url(links.CONFIRM_EMAIL_CHANGE_PATH, signed))
        await email_service.queue_email(session, to_address=address, subject=text.subject, text_body=text.text_body)


async def confirm_email_change(*, token: str) -> str:
    """Switch the account to the confirmed address (unless another account took it); tell the old one."""
    async with db.transaction() as session:
        user_id, address = await links.consume_with_detail(session, token, links.CHANGE_EMAIL)
        user = await repository.get_user(session, user_id)
        if user is None or user.deleted_at is not None or not address:
            raise LinkInvalid()
        if await repository.get_by_email(session, address) is not None:
            raise EmailRejected("Another account already uses that email address.", field="new_email")
        previous, now = user.email, utc_now()
        user.email, user.email_verified_at, user.updated_at = address, now, now
        text = emails.email_changed(address)
        await email_service.queue_email(session, to_address=previous, subject=text.subject, text_body=text.text_body)
        return address
