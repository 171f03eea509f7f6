"""State of the dashboard's suspension banner: whether an admin suspended the creator's storefront, and why."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.creators import service as creators
from creatorly.ui.states.auth import AuthState


class SuspensionBannerState(rx.State):
    is_suspended: bool = False
    reason: str = ""

    @rx.event
    async def load(self) -> None:
        token = (await self.get_state(AuthState)).session_token
        try:
            reason = await creators.my_suspension_reason(session_token=token)
        except CreatorlyError:
            reason = None
        self.is_suspended, self.reason = reason is not None, reason or ""
