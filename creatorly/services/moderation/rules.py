"""Pure rules of moderation: what can be reported, how, and which decisions and appeals are allowed."""

from __future__ import annotations

from creatorly.errors import InvalidInput
from creatorly.services.memberships.tier_rules import plain_text

TARGET_TYPES = ("storefront", "product", "post", "comment", "review")
CATEGORIES = {
    "copyright": "Copyright or trademark",
    "fraud": "Fraud or scam",
    "adult": "Adult content",
    "harassment": "Harassment or hate",
    "other": "Something else",
}
MAX_REPORT_TEXT = 2000
MIN_REPORT_TEXT = 10
MAX_APPEAL_TEXT = 2000

OPEN, RESOLVED, APPEALED, APPEAL_RESOLVED = "open", "resolved", "appealed", "appeal_resolved"
STATUSES = (OPEN, RESOLVED, APPEALED, APPEAL_RESOLVED)
STATUS_LABELS = {
    OPEN: "Open",
    RESOLVED: "Decided",
    APPEALED: "Appealed",
    APPEAL_RESOLVED: "Appeal decided",
}
DISMISSED, CONTENT_REMOVED = "dismissed", "content_removed"
DECISION_LABELS = {DISMISSED: "Dismissed: no action", CONTENT_REMOVED: "Content removed"}
UPHELD, REVERSED = "upheld", "reversed"
APPEAL_LABELS = {UPHELD: "Decision upheld", REVERSED: "Decision reversed: content restored"}
ACTIVE_STATUSES = (OPEN, APPEALED)  # a case a new report joins


def check_target_type(raw: str) -> str:
    target_type = raw.strip().lower()
    if target_type not in TARGET_TYPES:
        raise InvalidInput("Choose what you are reporting.", field="target")
    return target_type


def check_target_id(raw: str | int) -> int:
    text = str(raw).strip()
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise InvalidInput("That page can't be reported.", field="id")
    return int(text)


def parse_target_key(key: str) -> tuple[str, int]:
    """`product-12` → ("product", 12); InvalidInput for anything else."""
    kind, _, number = key.strip().lower().rpartition("-")
    return check_target_type(kind), check_target_id(number)


def check_category(raw: str) -> str:
    category = raw.strip().lower()
    if category not in CATEGORIES:
        raise InvalidInput("Choose a category.", field="category")
    return category


def check_report_text(raw: str) -> str:
    if len(raw) > MAX_REPORT_TEXT * 2:  # before cleaning: no work on huge input
        raise InvalidInput(f"Keep the details under {MAX_REPORT_TEXT:,} characters.", field="details")
    text = plain_text(raw, keep_newlines=True)
    if len(text) < MIN_REPORT_TEXT:
        raise InvalidInput(f"Tell us what is wrong in at least {MIN_REPORT_TEXT} characters.", field="details")
    if len(text) > MAX_REPORT_TEXT:
        raise InvalidInput(f"Keep the details under {MAX_REPORT_TEXT:,} characters.", field="details")
    return text


def check_appeal_text(raw: str) -> str:
    if len(raw) > MAX_APPEAL_TEXT * 2:
        raise InvalidInput(f"Keep your appeal under {MAX_APPEAL_TEXT:,} characters.", field="appeal")
    text = plain_text(raw, keep_newlines=True)
    if len(text) < MIN_REPORT_TEXT:
        raise InvalidInput(f"Explain your appeal in at least {MIN_REPORT_TEXT} characters.", field="appeal")
    if len(text) > MAX_APPEAL_TEXT:
        raise InvalidInput(f"Keep your appeal under {MAX_APPEAL_TEXT:,} characters.", field="appeal")
    return text


def check_decision(raw: str) -> str:
    decision = raw.strip().lower()
    if decision not in DECISION_LABELS:
        raise InvalidInput("Choose dismiss or remove the content.", field="decision")
    return decision


def check_appeal_decision(raw: str) -> str:
    decision = raw.strip().lower()
    if decision not in APPEAL_LABELS:
        raise InvalidInput("Choose uphold or reverse.", field="decision")
    return decision


def may_decide(status: str) -> bool:
    return status == OPEN


def may_appeal(*, status: str, decision: str, appealed: bool) -> bool:
    """A creator appeals a removal once, after it was decided and before anything else happened to the case."""
    return status == RESOLVED and decision == CONTENT_REMOVED and not appealed


def may_decide_appeal(status: str) -> bool:
    return status == APPEALED
