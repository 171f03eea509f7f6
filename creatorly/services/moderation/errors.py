"""Moderation errors: stable codes and messages safe to show."""

from __future__ import annotations

from creatorly.errors import CreatorlyError, NotFound


class ReportTargetNotFound(NotFound):
    code = "report_target_not_found"
    default_message = "We couldn't find that page to report. It may have been removed already."


class CaseNotFound(NotFound):
    code = "moderation_case_not_found"
    default_message = "We couldn't find that case."


class CaseNotOpen(CreatorlyError):
    code = "moderation_case_not_open"
    status = 409
    default_message = "This case has no open reports or appeal to decide on."


class AppealNotAllowed(CreatorlyError):
    code = "appeal_not_allowed"
    status = 409
    default_message = "This decision can't be appealed (it was already appealed, or nothing was removed)."


class TakedownNotAvailable(CreatorlyError):
    code = "takedown_not_available"
    status = 409
    default_message = "This kind of content can't be removed from here."
