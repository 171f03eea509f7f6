"""State of `/dashboard/moderation`: moderators' decisions about the creator's content, and the one appeal each."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.moderation import decisions
from creatorly.services.moderation import rules as moderation_rules
from creatorly.services.moderation import service as moderation
from creatorly.services.moderation.schemas import CreatorDecision
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


@dataclass
class DecisionItem:
    case_id: int = 0
    label: str = ""
    status: str = ""
    decision: str = ""
    is_removed: bool = False
    reason: str = ""
    decided: str = ""
    appeal_text: str = ""
    appeal_decision: str = ""
    appeal_reason: str = ""
    can_appeal: bool = False


def _item(decision: CreatorDecision) -> DecisionItem:
    return DecisionItem(
        case_id=decision.case_id,
        label=decision.label,
        status=moderation_rules.STATUS_LABELS.get(decision.status, decision.status),
        decision=moderation_rules.DECISION_LABELS.get(decision.decision, decision.decision),
        is_removed=decision.decision == moderation_rules.CONTENT_REMOVED,
        reason=decision.reason,
        decided=f"{decision.decided_at:%d %b %Y}" if decision.decided_at else "",
        appeal_text=decision.appeal_text,
        appeal_decision=moderation_rules.APPEAL_LABELS.get(decision.appeal_decision, ""),
        appeal_reason=decision.appeal_reason,
        can_appeal=decision.can_appeal,
    )


class ModerationDashboardState(rx.State):
    is_loading: bool = True
    is_appealing: bool = False
    appeal_error: str = ""
    items: list[DecisionItem] = []

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        yield None
        try:
            found = await moderation.my_decisions(session_token=await self._token())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_loading = False
        self.items = [_item(decision) for decision in found]

    @rx.event
    async def appeal(self, form: dict[str, str]) -> Events:
        if self.is_appealing:
            return
        case_id = str(form.get("case_id", ""))
        self.is_appealing, self.appeal_error = True, ""
        yield None
        try:
            await decisions.appeal(
                session_token=await self._token(), case_id=int(case_id or 0), text=form.get("appeal", "")
            )
        except InvalidInput as error:
            self.appeal_error = error.message
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_appealing = False
        yield toast.success("Appeal sent. A moderator will review it and email you.")
        found = await moderation.my_decisions(session_token=await self._token())
        self.items = [_item(decision) for decision in found]
