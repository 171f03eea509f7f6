"""States of `/admin/reports` (the queue, grouped by target) and `/admin/reports/{type}-{id}` (one case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from creatorly.errors import CreatorlyError, NotFound
from creatorly.services.moderation import decisions
from creatorly.services.moderation import rules as moderation_rules
from creatorly.services.moderation import service as moderation
from creatorly.services.moderation.schemas import CaseDetail, CaseView, QueueRow
from creatorly.ui import routes
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


def _when(moment: datetime | None) -> str:
    return f"{moment:%d %b %Y %H:%M} UTC" if moment else ""


@dataclass
class QueueItem:
    href: str = ""
    label: str = ""
    kind: str = ""
    status: str = ""
    report_count: int = 0
    categories: str = ""
    updated: str = ""


@dataclass
class ReportItem:
    id: int = 0
    category: str = ""
    text: str = ""
    reporter: str = ""
    at: str = ""


@dataclass
class HistoryItem:
    id: int = 0
    status: str = ""
    opened: str = ""
    report_count: int = 0
    decision: str = ""
    reason: str = ""
    decided: str = ""
    appeal_text: str = ""
    appealed: str = ""
    appeal_decision: str = ""
    appeal_reason: str = ""
    appeal_decided: str = ""


def _categories(counts: dict[str, int]) -> str:
    return " · ".join(
        f"{moderation_rules.CATEGORIES.get(name, name)} {count}" for name, count in sorted(counts.items())
    )


def _queue_item(row: QueueRow) -> QueueItem:
    return QueueItem(
        href=routes.admin_report(row.target_type, row.target_id),
        label=row.label,
        kind=row.target_type,
        status=moderation_rules.STATUS_LABELS.get(row.status, row.status),
        report_count=row.report_count,
        categories=_categories(row.category_counts),
        updated=_when(row.updated_at),
    )


def _history_item(case: CaseView) -> HistoryItem:
    return HistoryItem(
        id=case.id,
        status=moderation_rules.STATUS_LABELS.get(case.status, case.status),
        opened=_when(case.created_at),
        report_count=case.report_count,
        decision=moderation_rules.DECISION_LABELS.get(case.decision, ""),
        reason=case.reason,
        decided=f"{_when(case.decided_at)} by {case.decided_by_email}" if case.decided_at else "",
        appeal_text=case.appeal_text,
        appealed=_when(case.appealed_at),
        appeal_decision=moderation_rules.APPEAL_LABELS.get(case.appeal_decision, ""),
        appeal_reason=case.appeal_reason,
        appeal_decided=f"{_when(case.appeal_decided_at)} by {case.appeal_decided_by_email}"
        if case.appeal_decided_at
        else "",
    )


class ReportsQueueState(rx.State):
    is_allowed: bool = False
    is_loading: bool = False
    status: str = "open"
    rows: list[QueueItem] = []

    @rx.event
    async def load(self) -> Events:
        refused = await admin_refusal(self)
        if refused:
            self.is_allowed, self.rows = False, []
            for event in refused:
                yield event
            return
        self.is_allowed = True
        async for event in self._fetch():
            yield event

    @rx.event
    async def show_status(self, status: str) -> Events:
        self.status = status if status in moderation.QUEUE_FILTERS else "open"
        async for event in self._fetch():
            yield event

    async def _fetch(self) -> Events:
        self.is_loading = True
        yield None
        token = await session_token_of(self)
        try:
            rows = await moderation.admin_queue(session_token=token, status=self.status)
        except CreatorlyError as error:
            yield toast.error(error.message)
        else:
            self.rows = [_queue_item(row) for row in rows]
        finally:
            self.is_loading = False


class ReportCaseState(rx.State):
    is_allowed: bool = False
    is_missing: bool = False
    is_working: bool = False
    target_key: str = ""
    label: str = ""
    kind: str = ""
    public_href: str = ""
    admin_creator_href: str = ""
    is_visible: bool = False
    is_removed: bool = False
    can_take_down: bool = False
    current_status: str = ""  # "", open, appealed
    current_appeal_text: str = ""
    reports: list[ReportItem] = []
    history: list[HistoryItem] = []

    @rx.event
    async def load(self) -> Events:
        key = str(getattr(self, "admin_report_target", "") or "")
        refused = await admin_refusal(self)
        if refused:
            self.is_allowed = False
            for event in refused:
                yield event
            return
        self.is_allowed, self.target_key = True, key
        await self._fetch()

    async def _fetch(self) -> None:
        token = await session_token_of(self)
        try:
            detail = await moderation.admin_case(session_token=token, target_key=self.target_key)
        except NotFound:
            self.is_missing = True
            return
        self.is_missing = False
        self._show(detail)

    def _show(self, detail: CaseDetail) -> None:
        target = detail.target
        self.label, self.kind, self.public_href = target.label, target.target_type, target.public_path
        self.admin_creator_href = routes.admin_creator(target.creator_id) if target.creator_id else ""
        self.is_visible, self.is_removed, self.can_take_down = (
            target.is_visible,
            target.is_removed,
            detail.can_take_down,
        )
        self.current_status = detail.current.status if detail.current else ""
        self.current_appeal_text = detail.current.appeal_text if detail.current else ""
        self.reports = [
            ReportItem(
                id=report.id,
                category=moderation_rules.CATEGORIES.get(report.category, report.category),
                text=report.text,
                reporter=report.reporter,
                at=_when(report.created_at),
            )
            for report in detail.reports
        ]
        self.history = [_history_item(case) for case in detail.cases]

    def _target(self) -> tuple[str, int]:
        return moderation_rules.parse_target_key(self.target_key)

    @rx.event
    async def resolve(self, form: dict[str, str]) -> Events:
        async for event in self._act(form, is_appeal=False):
            yield event

    @rx.event
    async def resolve_appeal(self, form: dict[str, str]) -> Events:
        async for event in self._act(form, is_appeal=True):
            yield event

    @rx.event
    async def take_down(self, form: dict[str, str]) -> Events:
        """Remove content nobody has reported (yet): recorded as a decision the creator is emailed and may appeal."""
        if self.is_working:
            return
        self.is_working = True
        yield None
        token = await session_token_of(self)
        try:
            kind, number = self._target()
            await decisions.take_down_content(
                session_token=token, target_type=kind, target_id=number, reason=form.get("reason", "")
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
        else:
            yield toast.success("Content removed. The creator has been emailed and may appeal.")
            await self._fetch()
        finally:
            self.is_working = False

    async def _act(self, form: dict[str, str], *, is_appeal: bool) -> Events:
        if self.is_working:
            return
        self.is_working = True
        yield None
        token = await session_token_of(self)
        try:
            kind, number = self._target()
            action = decisions.resolve_appeal if is_appeal else decisions.resolve_case
            await action(
                session_token=token,
                target_type=kind,
                target_id=number,
                decision=form.get("decision", ""),
                reason=form.get("reason", ""),
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
        else:
            yield toast.success("Decision recorded. The people concerned have been emailed.")
            await self._fetch()
        finally:
            self.is_working = False
