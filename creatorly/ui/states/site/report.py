"""State of `/report?target=…&id=…`: anyone reports a storefront, product, post, comment or review."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput, NotFound
from creatorly.services.moderation import service as moderation
from creatorly.services.moderation.schemas import ReportInput
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.events import Events

FIELDS = ("category", "details", "email")


class ReportState(rx.State):
    is_loading: bool = True
    is_missing: bool = False
    is_sent: bool = False
    is_sending: bool = False
    needs_email: bool = True
    target_label: str = ""
    category_error: str = ""
    details_error: str = ""
    email_error: str = ""
    form_error: str = ""
    _target_type: str = ""
    _target_id: str = ""

    def _clear_errors(self) -> None:
        self.category_error = self.details_error = self.email_error = self.form_error = ""

    @rx.event
    async def load(self) -> Events:
        query = self.router.url.query_parameters
        self._target_type, self._target_id = query.get("target", ""), query.get("id", "")
        self.is_loading, self.is_sent = True, False
        self._clear_errors()
        yield None
        self.needs_email = not (await self.get_state(AuthState)).is_signed_in
        try:
            target = await moderation.report_target(target_type=self._target_type, target_id=self._target_id)
        except NotFound:
            self.is_missing, self.is_loading = True, False
            return
        self.target_label, self.is_missing, self.is_loading = target.label, False, False

    @rx.event
    async def submit(self, form: dict[str, str]) -> Events:
        if self.is_sending:
            return
        self._clear_errors()
        self.is_sending = True
        yield None
        auth = await self.get_state(AuthState)
        values = ReportInput(
            target_type=self._target_type,
            target_id=self._target_id,
            category=form.get("category", ""),
            details=form.get("details", ""),
            email=form.get("email", ""),
        )
        try:
            await moderation.submit_report(
                session_token=auth.session_token, values=values, ip=self.router.session.client_ip
            )
        except InvalidInput as error:
            self._show_field_error(error)
        except NotFound:
            self.is_missing = True
        except CreatorlyError as error:
            self.form_error = error.message
        else:
            self.is_sent = True
        finally:
            self.is_sending = False

    def _show_field_error(self, error: InvalidInput) -> None:
        if error.field == "category":
            self.category_error = error.message
        elif error.field == "details":
            self.details_error = error.message
        elif error.field == "email":
            self.email_error = error.message
        else:
            self.form_error = error.message
