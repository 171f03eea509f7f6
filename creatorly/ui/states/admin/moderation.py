"""Admin takedown actions (unpublish a product, hide a post, hide a comment), each fed by an admin_action_form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.admin import moderation as takedowns
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

Takedown = Callable[[str, int, str], Awaitable[int]]


async def _unpublish(token: str, target_id: int, reason: str) -> int:
    return await takedowns.unpublish_product(session_token=token, product_id=target_id, reason=reason)


async def _hide_post(token: str, target_id: int, reason: str) -> int:
    return await takedowns.hide_post(session_token=token, post_id=target_id, reason=reason)


async def _hide_comment(token: str, target_id: int, reason: str) -> int:
    return await takedowns.hide_comment(session_token=token, comment_id=target_id, reason=reason)


class ModerationActionsState(rx.State):
    is_working: bool = False
    done_message: str = ""

    async def _run(self, action: Takedown, form: dict[str, str], success: str) -> Events:
        if self.is_working:
            return
        target = str(form.get("target_id", "")).strip()
        if not target.isdigit():
            yield toast.error("That content can't be found.")
            return
        self.is_working, self.done_message = True, ""
        yield None
        token = (await self.get_state(AuthState)).session_token
        try:
            await action(token, int(target), form.get("reason", ""))
        except CreatorlyError as error:
            yield toast.error(error.message)
        else:
            self.done_message = success
            yield toast.success(success)
        finally:
            self.is_working = False

    @rx.event
    async def unpublish_product(self, form: dict[str, str]) -> Events:
        async for event in self._run(_unpublish, form, "Product unpublished. The creator has been emailed."):
            yield event

    @rx.event
    async def hide_post(self, form: dict[str, str]) -> Events:
        async for event in self._run(_hide_post, form, "Post hidden. The creator has been emailed."):
            yield event

    @rx.event
    async def hide_comment(self, form: dict[str, str]) -> Events:
        async for event in self._run(_hide_comment, form, "Comment hidden. The creator has been emailed."):
            yield event
