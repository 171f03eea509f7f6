"""Privacy rights: download everything we hold about you; delete your account (keeping anonymous finances)."""

from __future__ import annotations

from typing import Any

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.services.accounts import repository
from creatorly.services.accounts.errors import InvalidCredentials
from creatorly.services.accounts.passwords import verify_password
from creatorly.services.accounts.sessions import live_session
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor
from creatorly.services.catalog import service as catalog
from creatorly.services.email import service as email_service
from creatorly.services.memberships import library as memberships_library
from creatorly.services.moderation import privacy as moderation
from creatorly.services.orders import service as orders
from creatorly.services.reviews import privacy as reviews
from creatorly.services.tips import service as tips

DELETE_CONFIRMATION = "DELETE"


async def export_my_data(*, session_token: str) -> dict[str, Any]:
    """Everything we hold about the signed-in person, and nobody else, as JSON-ready data."""
    async with db.transaction() as session:
        current, user = await live_session(session, session_token)
        assert user.id is not None
        sessions = await repository.list_sessions(session, user.id)
        identities = await repository.list_identities(session, user.id)
        await audit.record(
            session, actor=audit.actor_of(user), action="account.data_exported", target_type="user", target_id=user.id
        )
        return {
            "exported_at": utc_now().isoformat(),
            "account": {
                "email": user.email,
                "display_name": user.display_name,
                "role": user.role,
                "email_verified_at": _iso(user.email_verified_at),
                "terms_version": user.terms_version,
                "terms_accepted_at": _iso(user.terms_accepted_at),
                "two_factor_enabled": user.totp_enabled_at is not None,
                "created_at": user.created_at.isoformat(),
            },
            "sessions": [
                {
                    "user_agent": row.user_agent,
                    "created_at": row.created_at.isoformat(),
                    "last_seen_at": row.last_seen_at.isoformat(),
                    "revoked_at": _iso(row.revoked_at),
                    "is_current": row.id == current.id,
                }
                for row in sessions
            ],
            "linked_accounts": [{"provider": item.provider, "email": item.email} for item in identities],
            "creator": await catalog.export_creator_data(session, user_id=user.id),
            "purchases": await orders.export_buyer_orders(session, user_id=user.id, email=user.email),
            "emails": await email_service.export_for_address(session, user.email),
            # Memberships and tips by the account, or to its email once that email is proven theirs.
            "memberships": await memberships_library.export_member_subscriptions(
                session, user_id=user.id, email=user.email if user.email_verified_at is not None else None
            ),
            "tips": await tips.export_sent_tips(
                session, user_id=user.id, email=user.email if user.email_verified_at is not None else None
            ),
            "reviews": await reviews.export_reviews_of(session, user_id=user.id),
            "reports": await moderation.export_reports_of(
                session, user_id=user.id, email=user.email if user.email_verified_at is not None else ""
            ),
        }


async def delete_my_account(*, session_token: str, password: str, confirmation: str) -> None:
    """Erase or anonymise personal data; orders stay as financial records without personal data."""
    async with db.transaction() as session:
        _row, user = await live_session(session, session_token)
        assert user.id is not None
        if confirmation.strip() != DELETE_CONFIRMATION:
            raise InvalidCredentials(f"Type {DELETE_CONFIRMATION} to confirm.")
        if user.password_hash is not None and not verify_password(password, user.password_hash):
            raise InvalidCredentials("Your password is not correct.")
        original_email, placeholder = user.email, f"deleted-user-{user.id}@deleted.invalid"
        await orders.anonymize_buyer(session, user_id=user.id, email=original_email, replacement_email=placeholder)
        await catalog.retire_creator(session, user_id=user.id)
        await email_service.erase_address(session, original_email)
        await reviews.erase_reviews_of(session, user_id=user.id)
        await moderation.forget_reporter(session, user_id=user.id, email=original_email, replacement_email=placeholder)
        await repository.erase_personal_rows(session, user.id)
        now = utc_now()
        user.email, user.display_name, user.password_hash = placeholder, "", None
        user.totp_secret_encrypted, user.totp_enabled_at = None, None
        user.is_active, user.deleted_at, user.updated_at = False, now, now
        # The entry names the account by id and its placeholder address: the erased email is not kept here.
        await audit.record(
            session,
            actor=Actor(user_id=user.id, email=placeholder, role=str(user.role)),
            action="account.deleted",
            target_type="user",
            target_id=user.id,
            before={"deleted": False},
            after={"deleted": True},
        )


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
