"""State of `/signin` and `/signin/two-factor`: password first, then the second factor when it is on."""

from __future__ import annotations

import reflex as rx

from creatorly.config import settings
from creatorly.errors import CreatorlyError
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import TwoFactorChallenge
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

GOOGLE_ERRORS = {"google_sign_in_failed": "Google sign-in didn't complete. Please try again."}


def _safe_next(target: str) -> str:
    """Only same-site paths, so a crafted link cannot send people elsewhere after sign-in."""
    return target if target.startswith("/") and not target.startswith("//") else routes.ACCOUNT


class SignInState(rx.State):
    is_submitting: bool = False
    form_error: str = ""
    is_google_enabled: bool = False
    _challenge: str = ""
    _next: str = routes.ACCOUNT

    @rx.event
    async def load(self) -> Events:
        self.is_google_enabled = settings.is_google_enabled
        query = self.router.url.query_parameters
        self._next = _safe_next(query.get("next", routes.ACCOUNT))
        code = query.get("error", "")
        self.form_error = GOOGLE_ERRORS.get(code, "We couldn't sign you in. Please try again.") if code else ""
        auth = await self.get_state(AuthState)
        if auth.session_token:
            yield AuthState.redirect_if_signed_in

    @rx.event
    async def submit(self, form: dict[str, str]) -> Events:
        self.is_submitting, self.form_error = True, ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            result = await accounts.sign_in(
                email=form.get("email", ""),
                password=form.get("password", ""),
                requester=auth.requester(),
                previous_token=auth.session_token,
            )
        except CreatorlyError as error:
            self.form_error = error.message
            yield toast.error(error.message)
            return
        finally:
            self.is_submitting = False
        if isinstance(result, TwoFactorChallenge):
            challenge = await self.get_state(TwoFactorState)
            challenge.set_challenge(result.challenge_token, self._next)
            yield rx.redirect(routes.TWO_FACTOR_CHALLENGE)
            return
        auth.remember(result)
        yield rx.redirect(_next_for(result.user.needs_two_factor_setup, self._next))


def _next_for(needs_two_factor_setup: bool, wanted: str) -> str:
    return f"{routes.ACCOUNT}#security" if needs_two_factor_setup else wanted


class TwoFactorState(rx.State):
    is_submitting: bool = False
    form_error: str = ""
    has_challenge: bool = False
    _challenge: str = ""
    _next: str = routes.ACCOUNT

    def set_challenge(self, challenge: str, next_path: str) -> None:
        self._challenge, self._next, self.has_challenge = challenge, next_path, True

    @rx.event
    def load(self) -> None:
        from_link = self.router.url.query_parameters.get("challenge", "")
        if from_link:
            self.set_challenge(from_link, routes.ACCOUNT)
        self.form_error = ""

    @rx.event
    async def submit(self, form: dict[str, str]) -> Events:
        self.is_submitting, self.form_error = True, ""
        yield None
        auth = await self.get_state(AuthState)
        try:
            signed_in = await accounts.complete_two_factor(
                challenge_token=self._challenge,
                code=form.get("code", ""),
                requester=auth.requester(),
                previous_token=auth.session_token,
            )
        except CreatorlyError as error:
            self.form_error = error.message
            yield toast.error(error.message)
            return
        finally:
            self.is_submitting = False
        self._challenge, self.has_challenge = "", False
        auth.remember(signed_in)
        yield rx.redirect(self._next)
