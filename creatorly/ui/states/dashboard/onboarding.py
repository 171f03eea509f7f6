"""State of `/dashboard/onboarding`: a fan claims a handle and opens a storefront."""

from __future__ import annotations

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.creators import service as creators
from creatorly.services.creators.rules import CREATOR_CURRENCIES, timezones
from creatorly.services.creators.schemas import ProfileInput
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


class OnboardingState(rx.State):
    errors: dict[str, str] = {}
    is_submitting: bool = False
    currencies: list[str] = list(CREATOR_CURRENCIES)
    timezone_options: list[str] = []

    @rx.event
    async def load(self) -> Events:
        self.errors, self.timezone_options = {}, list(timezones())
        auth = await self.get_state(AuthState)
        try:
            await creators.get_my_profile(session_token=auth.session_token)
        except CreatorlyError:
            return
        yield rx.redirect(routes.DASHBOARD_PRODUCTS)

    @rx.event
    async def submit(self, form: dict[str, str]) -> Events:
        self.is_submitting, self.errors = True, {}
        yield None
        auth = await self.get_state(AuthState)
        try:
            await creators.become_creator(
                session_token=auth.session_token,
                profile=ProfileInput(
                    handle=form.get("handle", ""),
                    display_name=form.get("display_name", ""),
                    currency=form.get("currency", "USD"),
                    timezone=form.get("timezone", "UTC"),
                ),
            )
        except InvalidInput as error:
            self.errors = {error.field or "handle": error.message}
            yield toast.error(error.message)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_submitting = False
        await auth.current_user()
        yield rx.redirect(routes.DASHBOARD_PRODUCTS)
        yield toast.success("Your storefront is open. Add your first product!")
