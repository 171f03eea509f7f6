"""Deciding on reports (dismiss, or remove the content), the creator's one appeal, and the appeal's decision.

Each decision is one transaction: the case, the takedown or restore, their audit entries and the emails to the
reporters and the creator commit together (the emails are sent after commit by the outbox worker).
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.kit.clock import utc_now
from creatorly.models import ModerationCase
from creatorly.services.accounts.authorization import require_user
from creatorly.services.admin.access import admin_actor, required_reason
from creatorly.services.audit import service as audit
from creatorly.services.audit.schemas import Actor
from creatorly.services.creators import service as creators
from creatorly.services.email.service import queue_email
from creatorly.services.moderation import emails, repository, rules, targets
from creatorly.services.moderation.errors import AppealNotAllowed, CaseNotFound, CaseNotOpen, TakedownNotAvailable
from creatorly.services.moderation.schemas import Target

DASHBOARD_MODERATION_PATH = "/dashboard/moderation"
TAKEDOWN_ACTIONS = {"product": "product.taken_down", "post": "post.hidden", "comment": "comment.hidden"}
RESTORE_ACTIONS = {"product": "product.restored", "post": "post.shown_again", "comment": "comment.shown_again"}


def _case_state(case: ModerationCase) -> dict[str, str]:
    return {"status": case.status, "decision": case.decision, "appeal_decision": case.appeal_decision}


async def _creator_email(session: AsyncSession, creator_id: int | None) -> str:
    user_id = None if creator_id is None else await repository.creator_user_id(session, creator_id)
    return "" if user_id is None else await repository.user_email(session, user_id)


async def _apply_takedown(session: AsyncSession, actor: Actor, target: Target, reason: str) -> None:
    before, after = await targets.take_down(session, target, reason)
    await audit.record(
        session,
        actor=actor,
        action=TAKEDOWN_ACTIONS.get(target.target_type, f"{target.target_type}.taken_down"),
        target_type=target.target_type,
        target_id=target.target_id,
        creator_id=target.creator_id,
        before=before,
        after=after,
        reason=reason,
    )


async def _notify_decision(session: AsyncSession, case: ModerationCase, target: Target) -> None:
    assert case.id is not None
    for address in await repository.reporter_emails(session, case.id):
        mail = emails.to_reporter(label=target.label, decision=case.decision, reason=case.reason)
        await queue_email(session, to_address=address, subject=mail.subject, text_body=mail.text_body)
    creator_address = await _creator_email(session, target.creator_id)
    if creator_address:
        appeal_url = f"{settings.resolved_public_url}{DASHBOARD_MODERATION_PATH}"
        mail = emails.to_creator(label=target.label, decision=case.decision, reason=case.reason, appeal_url=appeal_url)
        await queue_email(session, to_address=creator_address, subject=mail.subject, text_body=mail.text_body)


async def resolve_case(*, session_token: str, target_type: str, target_id: int, decision: str, reason: str) -> int:
    """Decide on a target's open reports: dismiss them, or remove the content (a storefront's removal is a
    suspension done on the creator's admin page). Admins with two-factor only. Returns the case id."""
    actor = await admin_actor(session_token=session_token)
    why = required_reason(reason)
    chosen = rules.check_decision(decision)
    async with db.transaction() as session:
        target = await targets.find_target(session, rules.check_target_type(target_type), target_id)
        case = await repository.active_case(session, target.target_type, target.target_id)
        if case is None:
            raise CaseNotFound()
        if not rules.may_decide(case.status):
            raise CaseNotOpen()
        await _decide(session, actor, case, target, chosen, why)
        assert case.id is not None
        return case.id


async def _decide(
    session: AsyncSession, actor: Actor, case: ModerationCase, target: Target, decision: str, reason: str
) -> None:
    before = _case_state(case)
    if decision == rules.CONTENT_REMOVED and targets.can_take_down(target.target_type) and not target.is_removed:
        await _apply_takedown(session, actor, target, reason)
    now = utc_now()
    case.status, case.decision, case.reason = rules.RESOLVED, decision, reason
    case.decided_by_email, case.decided_at, case.updated_at = actor.email, now, now
    session.add(case)
    await audit.record(
        session,
        actor=actor,
        action="moderation.decided",
        target_type=target.target_type,
        target_id=target.target_id,
        creator_id=target.creator_id,
        before=before,
        after=_case_state(case),
        reason=reason,
    )
    await _notify_decision(session, case, target)


async def take_down_content(*, session_token: str, target_type: str, target_id: int, reason: str) -> int:
    """An admin removes content directly: decides the target's open case as removed, or records a new decided
    case (without reports) so the creator is told and may appeal. Returns the case id."""
    actor = await admin_actor(session_token=session_token)
    why = required_reason(reason)
    async with db.transaction() as session:
        target = await targets.find_target(session, rules.check_target_type(target_type), target_id)
        if not targets.can_take_down(target.target_type):
            raise TakedownNotAvailable()
        case = await repository.active_case(session, target.target_type, target.target_id)
        if case is not None and not rules.may_decide(case.status):
            raise CaseNotOpen()
        if case is None:
            now = utc_now()
            case = ModerationCase(
                target_type=target.target_type,
                target_id=target.target_id,
                creator_id=target.creator_id,
                created_at=now,
                updated_at=now,
            )
            await repository.add(session, case)
        await _decide(session, actor, case, target, rules.CONTENT_REMOVED, why)
        assert case.id is not None
        return case.id


async def appeal(*, session_token: str, case_id: int, text: str) -> None:
    """The creator appeals a removal of their content, once, with their explanation."""
    user = await require_user(session_token)
    explanation = rules.check_appeal_text(text)
    async with db.transaction() as session:
        creator = await creators.find_creator_of(session, user.id)
        case = await repository.case_for_update(session, case_id)
        if case is None or creator is None or case.creator_id != creator.id:
            raise CaseNotFound()
        if not rules.may_appeal(status=case.status, decision=case.decision, appealed=case.appealed_at is not None):
            raise AppealNotAllowed()
        before, now = _case_state(case), utc_now()
        case.status, case.appeal_text, case.appealed_at, case.updated_at = rules.APPEALED, explanation, now, now
        session.add(case)
        await audit.record(
            session,
            actor=audit.actor_of(user),
            action="moderation.appealed",
            target_type=case.target_type,
            target_id=case.target_id,
            creator_id=case.creator_id,
            before=before,
            after=_case_state(case),
        )


async def resolve_appeal(*, session_token: str, target_type: str, target_id: int, decision: str, reason: str) -> None:
    """Decide a creator's appeal: uphold the removal, or reverse it (the content is restored). Admins only."""
    actor = await admin_actor(session_token=session_token)
    why = required_reason(reason)
    chosen = rules.check_appeal_decision(decision)
    async with db.transaction() as session:
        target = await targets.find_target(session, rules.check_target_type(target_type), target_id)
        case = await repository.active_case(session, target.target_type, target.target_id)
        if case is None or not rules.may_decide_appeal(case.status):
            raise CaseNotOpen("There is no appeal to decide on this case.")
        if chosen == rules.REVERSED:
            await _restore(session, actor, target, why)
        before, now = _case_state(case), utc_now()
        case.status, case.appeal_decision, case.appeal_reason = rules.APPEAL_RESOLVED, chosen, why
        case.appeal_decided_by_email, case.appeal_decided_at, case.updated_at = actor.email, now, now
        session.add(case)
        await audit.record(
            session,
            actor=actor,
            action="moderation.appeal_decided",
            target_type=target.target_type,
            target_id=target.target_id,
            creator_id=target.creator_id,
            before=before,
            after=_case_state(case),
            reason=why,
        )
        address = await _creator_email(session, target.creator_id)
        if address:
            mail = emails.appeal_decided(label=target.label, decision=chosen, reason=why)
            await queue_email(session, to_address=address, subject=mail.subject, text_body=mail.text_body)


async def _restore(session: AsyncSession, actor: Actor, target: Target, reason: str) -> None:
    before, after = await targets.restore(session, target)
    if not before and not after:
        return
    await audit.record(
        session,
        actor=actor,
        action=RESTORE_ACTIONS.get(target.target_type, f"{target.target_type}.restored"),
        target_type=target.target_type,
        target_id=target.target_id,
        creator_id=target.creator_id,
        before=before,
        after=after,
        reason=reason,
    )
