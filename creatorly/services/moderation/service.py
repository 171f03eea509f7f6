"""Reporting content (anyone, rate-limited) and reading the moderation queue, a case, and a creator's decisions."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy.exc import IntegrityError

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.models import ModerationCase, Report
from creatorly.providers.registry import get_rate_limiter
from creatorly.services.accounts.authorization import require_user
from creatorly.services.accounts.errors import NotAuthenticated, TooManyAttempts
from creatorly.services.accounts.rules import validated_email
from creatorly.services.admin.access import admin_actor
from creatorly.services.creators import service as creators
from creatorly.services.moderation import repository, rules, targets
from creatorly.services.moderation.errors import ReportTargetNotFound
from creatorly.services.moderation.schemas import (
    CaseDetail,
    CaseView,
    CreatorDecision,
    QueueRow,
    ReportInput,
    ReportTarget,
    ReportView,
)

QUEUE_LIMIT = 200
QUEUE_FILTERS = {
    "open": [rules.OPEN],
    "appealed": [rules.APPEALED],
    "resolved": [rules.RESOLVED, rules.APPEAL_RESOLVED],
}


def ip_hash(ip: str) -> str:
    """A keyed hash of the reporter's IP: enough to spot one source of many reports, not to recover the address."""
    key = settings.secret_key.get_secret_value().encode() or b"creatorly"
    return hmac.new(key, f"report-ip:{ip}".encode(), hashlib.sha256).hexdigest()


async def report_target(*, target_type: str, target_id: str) -> ReportTarget:
    """What the report form is about; unknown, hidden or unpublished content is not found."""
    kind, number = _checked_target(target_type, target_id)
    async with db.transaction() as session:
        target = await targets.find_target(session, kind, number)
    if not target.is_visible:
        raise ReportTargetNotFound()
    return ReportTarget(target_type=kind, target_id=number, label=target.label)


def _checked_target(target_type: str, target_id: str | int) -> tuple[str, int]:
    try:
        return rules.check_target_type(target_type), rules.check_target_id(target_id)
    except InvalidInput:
        raise ReportTargetNotFound() from None


async def _reporter(session_token: str, typed_email: str) -> tuple[int | None, str]:
    """(user id, email to tell the outcome): the signed-in account's, else the typed address (required)."""
    if session_token:
        try:
            user = await require_user(session_token)
        except NotAuthenticated:
            pass
        else:
            return user.id, user.email
    if not typed_email.strip():
        raise InvalidInput("Enter your email so we can tell you what we decide.", field="email")
    return None, validated_email(typed_email)


async def _count_report(*, ip: str, email: str) -> None:
    limiter = get_rate_limiter()
    by_ip = await limiter.hit(settings.rate_limit_report, "report-ip", ip_hash(ip))
    by_email = await limiter.hit(settings.rate_limit_report, "report-email", email)
    if not (by_ip and by_email):
        raise TooManyAttempts("You've sent a lot of reports. Please wait a while before sending another.")


async def submit_report(*, session_token: str, values: ReportInput, ip: str) -> int:
    """File a report about visible content; it joins the target's open case (or opens one). Returns the case id."""
    kind, number = _checked_target(values.target_type, values.target_id)
    category = rules.check_category(values.category)
    text = rules.check_report_text(values.details)
    user_id, email = await _reporter(session_token, values.email)
    await _count_report(ip=ip, email=email)
    report = Report(
        case_id=0,
        target_type=kind,
        target_id=number,
        category=category,
        text=text,
        reporter_user_id=user_id,
        reporter_email=email,
        ip_hash=ip_hash(ip),
    )
    try:
        return await _file_report(report)
    except IntegrityError:  # another report opened the target's case at the same moment: join it
        return await _file_report(report)


async def _file_report(values: Report) -> int:
    kind, number, now = values.target_type, values.target_id, utc_now()
    async with db.transaction() as session:
        target = await targets.find_target(session, kind, number)
        if not target.is_visible:
            raise ReportTargetNotFound()
        case = await repository.active_case(session, kind, number)
        if case is None:
            case = ModerationCase(target_type=kind, target_id=number, creator_id=target.creator_id, created_at=now)
            await repository.add(session, case)
        assert case.id is not None
        report = Report.model_validate(
            {
                **values.model_dump(exclude={"id"}),
                "case_id": case.id,
                "creator_id": target.creator_id,
                "created_at": now,
            }
        )
        await repository.add(session, report)
        await repository.count_report(session, case.id, now)
        return case.id


# --- Admin reads ---------------------------------------------------------------------------------


async def admin_queue(*, session_token: str, status: str = "open") -> list[QueueRow]:
    """Cases with this status (open, appealed or resolved), newest activity first, with counts per category."""
    await admin_actor(session_token=session_token)
    statuses = QUEUE_FILTERS.get(status)
    if statuses is None:
        raise InvalidInput("Choose open, appealed or resolved.", field="status")
    async with db.transaction() as session:
        cases = await repository.cases_with_status(session, statuses, limit=QUEUE_LIMIT)
        counts = await repository.category_counts(session, [case.id for case in cases if case.id is not None])
        rows = []
        for case in cases:
            handler = targets.handler_for(case.target_type)
            target = None if handler is None else await handler.find(session, case.target_id)
            rows.append(
                QueueRow(
                    target_type=case.target_type,
                    target_id=case.target_id,
                    label=target.label if target else f"{case.target_type} {case.target_id} (deleted)",
                    status=case.status,
                    report_count=case.report_count,
                    category_counts=counts.get(case.id or 0, {}),
                    updated_at=case.updated_at,
                )
            )
        return rows


def case_view(case: ModerationCase) -> CaseView:
    assert case.id is not None
    return CaseView(
        id=case.id,
        status=case.status,
        report_count=case.report_count,
        decision=case.decision,
        reason=case.reason,
        decided_by_email=case.decided_by_email,
        decided_at=case.decided_at,
        appeal_text=case.appeal_text,
        appealed_at=case.appealed_at,
        appeal_decision=case.appeal_decision,
        appeal_reason=case.appeal_reason,
        appeal_decided_by_email=case.appeal_decided_by_email,
        appeal_decided_at=case.appeal_decided_at,
        created_at=case.created_at,
    )


def _report_view(report: Report) -> ReportView:
    assert report.id is not None
    who = report.reporter_email or f"user #{report.reporter_user_id}"
    if report.reporter_user_id is None:
        who += " (signed out)"
    return ReportView(
        id=report.id, category=report.category, text=report.text, reporter=who, created_at=report.created_at
    )


async def admin_case(*, session_token: str, target_key: str) -> CaseDetail:
    """A target's summary, every report about it and every decision, with the open or appealed case on top."""
    await admin_actor(session_token=session_token)
    try:
        kind, number = rules.parse_target_key(target_key)
    except InvalidInput:
        raise ReportTargetNotFound() from None
    async with db.transaction() as session:
        target = await targets.find_target(session, kind, number)
        cases = [case_view(case) for case in await repository.cases_of_target(session, kind, number)]
        reports = [_report_view(report) for report in await repository.reports_of_target(session, kind, number)]
    current = next((case for case in cases if case.status in rules.ACTIVE_STATUSES), None)
    return CaseDetail(
        target=target, current=current, cases=cases, reports=reports, can_take_down=targets.can_take_down(kind)
    )


# --- Creator reads -------------------------------------------------------------------------------


async def my_decisions(*, session_token: str) -> list[CreatorDecision]:
    """Every decision about the signed-in creator's content, newest first, and whether each can be appealed."""
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator = await creators.find_creator_of(session, user.id)
        if creator is None or creator.id is None:
            return []
        decided = []
        for case in await repository.decided_cases_of_creator(session, creator.id):
            handler = targets.handler_for(case.target_type)
            target = None if handler is None else await handler.find(session, case.target_id)
            decided.append(_creator_decision(case, target.label if target else f"Your {case.target_type}"))
        return decided


def _creator_decision(case: ModerationCase, label: str) -> CreatorDecision:
    assert case.id is not None
    return CreatorDecision(
        case_id=case.id,
        target_type=case.target_type,
        label=label,
        status=case.status,
        decision=case.decision,
        reason=case.reason,
        decided_at=case.decided_at,
        appeal_text=case.appeal_text,
        appeal_decision=case.appeal_decision,
        appeal_reason=case.appeal_reason,
        can_appeal=rules.may_appeal(status=case.status, decision=case.decision, appealed=case.appealed_at is not None),
    )
