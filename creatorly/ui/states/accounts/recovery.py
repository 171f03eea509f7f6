"""States of the emailed-link pages: verify an email; ask for and complete a password reset."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.accounts import recovery
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


class VerifyEmailState(rx.State):
    """Opening the link verifies the address and signs this browser in."""

    is_loading: bool = True
    is_verified: bool = False
    error: str = ""

    @rx.event
    async def load(self) -> None:
        self.is_loading, self.is_verified, self.error = True, False, ""
        token = self.router.url.query_parameters.get("token", "")
        auth = await self.get_state(AuthState)
        try:
            signed_in = await recovery.verify_email(
                token=token, requester=auth.requester(), previous_token=auth.session_token
            )
        except CreatorlyError as error:
            self.error = error.message
        else:
            auth.remember(signed_in)
            self.is_verified = True
        self.is_loading = False


class ResetRequestState(rx.State):
    is_submitting: bool = False
    is_done: bool = False
    form_error: str = ""

    @rx.event
    async def submit(self, form: dict[str, str]) -> Events:
        self.is_submitting, self.form_error = True, ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            await recovery.request_password_reset(email=form.get("email", ""), requester=auth.requester())
        except CreatorlyError as error:
            self.form_error = error.message
            yield toast.error(error.message)
        else:
            self.is_done = True
        finally:
            self.is_submitting = False


class ResetConfirmState(rx.State):
    is_submitting: bool = False
    is_done: bool = False
    errors: dict[str, str] = {}
    form_error: str = ""
    _token: str = ""

    @rx.event
    def load(self) -> None:
        self._token = self.router.url.query_parameters.get("token", "")
        self.is_done, self.errors, self.form_error = False, {}, ""

    @rx.event
    async def submit(self, form: dict[str, str]) -> Events:
        self.is_submitting, self.errors, self.form_error = True, {}, ""
        yield None
        try:
            if form.get("password", "") != form.get("password_again", ""):
                raise InvalidInput("The two passwords are different.", field="password_again")
            await recovery.reset_password(token=self._token, new_password=form.get("password", ""))
        except InvalidInput as error:
            self.errors = {error.field or "password": error.message}
            yield toast.error(error.message)
        except CreatorlyError as error:
            self.form_error = error.message
            yield toast.error(error.message)
        else:
            self.is_done = True
            auth = await self.get_state(AuthState)
            auth.forget()
        finally:
            self.is_submitting = False


class ConfirmEmailChangeState(rx.State):
    is_loading: bool = True
    new_email: str = ""
    error: str = ""

    @rx.event
    async def load(self) -> None:
        self.is_loading, self.new_email, self.error = True, "", ""
        try:
            self.new_email = await recovery.confirm_email_change(
                token=self.router.url.query_parameters.get("token", "")
            )
        except CreatorlyError as error:
            self.error = error.message
        else:
            auth = await self.get_state(AuthState)
            await auth.load_user()
        self.is_loading = False
