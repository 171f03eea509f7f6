"""The texts of moderation emails: the outcome of a report, a decision about a creator's content, an appeal's."""

from __future__ import annotations

from dataclasses import dataclass

from creatorly.services.moderation.rules import APPEAL_LABELS, CONTENT_REMOVED, REVERSED


@dataclass(frozen=True, slots=True)
class EmailText:
    subject: str
    text_body: str


def to_reporter(*, label: str, decision: str, reason: str) -> EmailText:
    outcome = "We removed it." if decision == CONTENT_REMOVED else "We looked into it and decided not to take action."
    return EmailText(
        "We reviewed your report on Creatorly",
        f"Thank you for your report about {label}.\n\n{outcome}\n\nWhy: {reason}\n\n"
        "The creator may appeal this decision; we keep every report and decision for that.",
    )


def to_creator(*, label: str, decision: str, reason: str, appeal_url: str) -> EmailText:
    if decision != CONTENT_REMOVED:
        return EmailText(
            "Reports about your content were dismissed",
            f"People reported {label}. We reviewed the reports and took no action.\n\nWhy: {reason}",
        )
    return EmailText(
        "We removed some of your content on Creatorly",
        f"After reviewing reports, we removed {label} from public view.\n\nWhy: {reason}\n\n"
        f"If you think this is a mistake, you can appeal once, with your explanation, here:\n{appeal_url}\n",
    )


def appeal_decided(*, label: str, decision: str, reason: str) -> EmailText:
    outcome = "Your content is public again." if decision == REVERSED else "The removal stays in place; this is final."
    return EmailText(
        f"Your appeal: {APPEAL_LABELS[decision].split(':')[0].lower()}",
        f"We reviewed your appeal about {label}.\n\n{outcome}\n\nWhy: {reason}",
    )
