"""State of `/signup`: create an account, then check the inbox."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.accounts import service as accounts
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


class SignUpState(rx.State):
    is_submitting: bool = False
    is_done: bool = False
    submitted_email: str = ""
    errors: dict[str, str] = {}
    form_error: str = ""

    @rx.event
    async def submit(self, form: dict[str, str]) -> Events:
        self.is_submitting, self.errors, self.form_error = True, {}, ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            await accounts.sign_up(
                email=form.get("email", ""),
                password=form.get("password", ""),
                display_name=form.get("display_name", ""),
                accepted_terms=form.get("accepted_terms") == "on",
                requester=auth.requester(),
            )
        except InvalidInput as error:
            self.errors = {error.field or "form": error.message}
            self.form_error = error.message if not error.field else ""
            yield toast.error(error.message)
        except CreatorlyError as error:
            self.form_error = error.message
            yield toast.error(error.message)
        else:
            self.is_done, self.submitted_email = True, form.get("email", "").strip()
        finally:
            self.is_submitting = False

    @rx.event
    def start_over(self) -> None:
        self.is_done, self.errors, self.form_error = False, {}, ""
