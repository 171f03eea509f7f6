"""The signed-in person: the session token lives in a cookie, the user id only in backend state.

Every handler that reads or writes private data calls `require_token()` or passes the token to a
service that checks it against the database; the `on_load` guards are a convenience.
"""

from __future__ import annotations

from contextlib import suppress

import reflex as rx

from creatorly.config import settings
from creatorly.services.accounts import authorization
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.errors import NotAuthenticated
from creatorly.services.accounts.schemas import CurrentUser, Requester, SignedIn
from creatorly.services.accounts.sessions import SESSION_COOKIE_NAME
from creatorly.ui import routes
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600


class AuthState(rx.State):
    # Set by the browser's script, so it can't be HttpOnly; Secure whenever the site is served over https.
    session_token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE_NAME,
        path="/",
        max_age=SESSION_MAX_AGE_SECONDS,
        secure=settings.resolved_public_url.startswith("https://"),
        same_site="lax",
    )
    is_signed_in: bool = False
    email: str = ""
    display_name: str = ""
    role: str = ""
    is_email_verified: bool = False
    has_two_factor: bool = False
    _user_id: int = 0

    def signed_in_user_id(self) -> int:
        """The signed-in user's id as last checked against the database (0 when signed out)."""
        return self._user_id

    def requester(self) -> Requester:
        return Requester(ip=self.router.session.client_ip, user_agent=self.router.headers.user_agent)

    def _show(self, user: CurrentUser | None) -> None:
        self._user_id = user.id if user else 0
        self.is_signed_in = user is not None
        self.email = user.email if user else ""
        self.display_name = user.display_name if user else ""
        self.role = user.role if user else ""
        self.is_email_verified = user.is_email_verified if user else False
        self.has_two_factor = user.has_two_factor if user else False

    def remember(self, signed_in: SignedIn) -> None:
        """Keep a new session token in the browser cookie and show who is signed in."""
        self.session_token = signed_in.session_token
        self._show(signed_in.user)

    def forget(self) -> None:
        self.session_token = ""
        self._show(None)

    async def current_user(self) -> CurrentUser:
        """The user behind the cookie, checked against the database now; NotAuthenticated otherwise."""
        try:
            user = await authorization.require_user(self.session_token)
        except NotAuthenticated:
            self.forget()
            raise
        self._show(user)
        return user

    @rx.event
    async def load_user(self) -> None:
        """For public pages: show the header of a signed-in person, if any."""
        if not self.session_token:
            self._show(None)
            return
        try:
            await self.current_user()
        except NotAuthenticated:
            return

    @rx.event
    async def require_login(self) -> Events:
        """Guard for private pages: send signed-out visitors to sign in, then back here."""
        try:
            await self.current_user()
        except NotAuthenticated:
            yield rx.redirect(f"{routes.SIGN_IN}?next={self.router.url.path}")

    @rx.event
    async def redirect_if_signed_in(self) -> Events:
        if self.session_token:
            try:
                await self.current_user()
            except NotAuthenticated:
                return
            yield rx.redirect(routes.ACCOUNT)

    @rx.event
    async def sign_out(self) -> Events:
        with suppress(NotAuthenticated):
            await accounts.sign_out(session_token=self.session_token)
        self.forget()
        yield rx.redirect(routes.LANDING)
        yield toast.success("You're signed out.")
