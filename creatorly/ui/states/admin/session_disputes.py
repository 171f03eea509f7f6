"""State of `/admin/disputes`: open disputes of paid sessions and the decision on each (admins with two-factor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.admin import session_disputes
from creatorly.ui.states.admin.guard import admin_refusal, session_token_of
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


def _when(moment: datetime | None) -> str:
    return f"{moment:%d %b %Y %H:%M} UTC" if moment else ""


@dataclass
class DisputeRow:
    booking_id: str = ""
    title: str = ""
    creator: str = ""
    fan: str = ""
    when: str = ""
    price_label: str = ""
    satisfaction: str = ""
    dispute_reason: str = ""
    disputed: str = ""
    creator_report: str = ""


class AdminDisputesState(rx.State):
    is_allowed: bool = False
    is_working: bool = False
    rows: list[DisputeRow] = []
    error: str = ""
    error_field: str = ""
    error_booking: str = ""

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

    async def _fetch(self) -> Events:
        try:
            disputes = await session_disputes.open_disputes(session_token=await session_token_of(self))
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.rows = [
            DisputeRow(
                booking_id=item.booking_id,
                title=item.title,
                creator=f"{item.creator_name} (@{item.creator_handle})",
                fan=f"{item.fan_name} · {item.fan_email}" if item.fan_name else item.fan_email,
                when=_when(item.starts_at),
                price_label=item.price_label,
                satisfaction=f"{item.satisfaction} / 5" if item.satisfaction else "Not rated",
                dispute_reason=item.dispute_reason,
                disputed=_when(item.disputed_at),
                creator_report=item.creator_report or "No report",
            )
            for item in disputes
        ]

    @rx.event
    async def decide(self, form: dict[str, str]) -> Events:
        if self.is_working:
            return
        self.is_working, self.error, self.error_field = True, "", ""
        booking_id = form.get("target_id", "")
        self.error_booking = booking_id
        yield None
        try:
            await session_disputes.decide(
                session_token=await session_token_of(self),
                booking_public_id=booking_id,
                creator_percent_text=form.get("creator_percent", ""),
                reason=form.get("reason", ""),
            )
        except CreatorlyError as error:
            self.error = error.message
            self.error_field = (error.field or "") if isinstance(error, InvalidInput) else ""
            yield toast.error(error.message)
            return
        finally:
            self.is_working = False
        yield toast.success(f"Dispute on {booking_id} decided and settled.")
        async for event in self._fetch():
            yield event
