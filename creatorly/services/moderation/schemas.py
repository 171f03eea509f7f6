"""Inputs and outputs of moderation use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Target:
    """What a report is about, as moderation needs it: whose it is, what to call it, where it lives."""

    target_type: str
    target_id: int
    creator_id: int | None
    label: str  # e.g. 'Product "Night Sky Presets" by Nova'
    public_path: str  # where the public sees it (empty when it has no page)
    is_visible: bool  # the public can see it now
    is_removed: bool = False  # taken down by a moderator


@dataclass(frozen=True, slots=True)
class ReportInput:
    target_type: str
    target_id: str
    category: str
    details: str
    email: str = ""  # required when signed out, so the reporter hears the outcome


@dataclass(frozen=True, slots=True)
class ReportTarget:
    """The report form's heading: what is being reported."""

    target_type: str
    target_id: int
    label: str


@dataclass(frozen=True, slots=True)
class QueueRow:
    target_type: str
    target_id: int
    label: str
    status: str
    report_count: int
    category_counts: dict[str, int]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReportView:
    id: int
    category: str
    text: str
    reporter: str  # email, or "signed-in user #n"
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CaseView:
    id: int
    status: str
    report_count: int
    decision: str
    reason: str
    decided_by_email: str
    decided_at: datetime | None
    appeal_text: str
    appealed_at: datetime | None
    appeal_decision: str
    appeal_reason: str
    appeal_decided_by_email: str
    appeal_decided_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CaseDetail:
    target: Target
    current: CaseView | None  # the open or appealed case, when there is one
    cases: list[CaseView] = field(default_factory=list)  # every case of the target, newest first
    reports: list[ReportView] = field(default_factory=list)  # every report of the target, newest first
    can_take_down: bool = False  # the target type has a takedown (a storefront is suspended elsewhere)


@dataclass(frozen=True, slots=True)
class CreatorDecision:
    case_id: int
    target_type: str
    label: str
    status: str
    decision: str
    reason: str
    decided_at: datetime | None
    appeal_text: str
    appeal_decision: str
    appeal_reason: str
    can_appeal: bool
