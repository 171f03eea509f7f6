"""Reading the audit log: admins (with two-factor) browse and filter everything; a creator reads their own."""

from __future__ import annotations

import json
from collections.abc import Sequence

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.models import AuditEntry
from creatorly.models.enums import Role
from creatorly.services.accounts.authorization import require_role, require_user
from creatorly.services.audit import repository
from creatorly.services.audit.schemas import AuditFilter, AuditPage, AuditRecord
from creatorly.services.creators import service as creators

MAX_PAGE_SIZE = 200


def _record(entry: AuditEntry) -> AuditRecord:
    assert entry.id is not None
    return AuditRecord(
        id=entry.id,
        created_at=entry.created_at,
        actor_email=entry.actor_email,
        actor_role=entry.actor_role,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        reason=entry.reason,
        request_id=entry.request_id,
        before=json.loads(entry.before),
        after=json.loads(entry.after),
    )


def _checked_size(page_size: int) -> int:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"A page holds 1 to {MAX_PAGE_SIZE} entries.", field="page_size")
    return page_size


def _page(rows: Sequence[AuditEntry], page_size: int) -> AuditPage:
    items = [_record(row) for row in rows[:page_size]]
    return AuditPage(items=items, next_cursor=items[-1].id if len(rows) > page_size else None)


async def check_admin_access(*, session_token: str) -> None:
    """Raise unless the token is an admin's with two-factor on (NotAuthenticated, Forbidden, TwoFactorSetupRequired)."""
    await require_role(session_token, Role.ADMIN)


ACTION_LABELS = {
    "refund.requested": "Refund asked for",
    "payout_account.added": "Payout account added",
    "payout_account.default_set": "Default payout account changed",
    "payout_account.removed": "Payout account removed",
    "creator.terms_changed": "Platform fee or hold period changed",
    "payouts.held": "Payouts put under review",
    "payouts.released": "Payouts released from review",
    "webhook_event.retried": "Webhook event retried",
    "user.role_granted": "Role changed",
    "admin.signed_in": "Admin sign-in",
    "account.data_exported": "Your data downloaded",
    "account.deleted": "Account deleted",
    "product_file.quarantined": "Infected file quarantined",
    "creator.suspended": "Storefront suspended",
    "creator.restored": "Storefront restored",
    "order.receipt_resent": "Receipt sent again",
    "moderation.decided": "Reports decided",
    "moderation.appealed": "Moderation decision appealed",
    "moderation.appeal_decided": "Appeal decided",
    "product.taken_down": "Product taken down",
    "product.restored": "Product restored after appeal",
    "post.hidden": "Post hidden by a moderator",
    "post.shown_again": "Post shown again after appeal",
    "comment.hidden": "Comment hidden by a moderator",
    "comment.shown_again": "Comment shown again after appeal",
}


def action_label(action: str) -> str:
    """What a person reads for an entry's action."""
    return ACTION_LABELS.get(action) or action.replace(".", " ").replace("_", " ").capitalize()


def change_lines(record: AuditRecord) -> list[str]:
    """Each changed field as "name: old → new", for people to read."""
    names = sorted({*record.before, *record.after})
    return [f"{name}: {_shown(record.before.get(name))} → {_shown(record.after.get(name))}" for name in names]


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


async def admin_entries(
    *, session_token: str, wanted: AuditFilter, before_id: int | None = None, page_size: int = 50
) -> AuditPage:
    """Every entry matching the filter, newest first; admins with two-factor only."""
    await require_role(session_token, Role.ADMIN)
    size = _checked_size(page_size)
    async with db.transaction() as session:
        rows = await repository.newest_first(session, wanted, before_id=before_id, limit=size + 1)
    return _page(rows, size)


async def my_account_entries(*, session_token: str, before_id: int | None = None, page_size: int = 50) -> AuditPage:
    """The entries about the signed-in person's account: their storefront's (refunds, payout accounts, terms,
    holds) and their own actions (data export, sign-ins), newest first."""
    user = await require_user(session_token)
    size = _checked_size(page_size)
    async with db.transaction() as session:
        creator = await creators.find_creator_of(session, user.id)
        rows = await repository.of_account(
            session,
            creator_id=creator.id if creator else None,
            user_id=user.id,
            before_id=before_id,
            limit=size + 1,
        )
    return _page(rows, size)
