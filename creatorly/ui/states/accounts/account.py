"""State of `/account`: profile, password, sessions, two-factor, data export and deletion.

Each handler passes the browser's session token to a service, which checks it against the database.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.accounts import privacy, recovery, two_factor
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.errors import NotAuthenticated
from creatorly.services.audit import browse as audit_log
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

ACTIVITY_SHOWN = 20


@dataclass
class ActivityRow:
    at: str = ""
    what: str = ""
    by: str = ""
    details: str = ""


@dataclass
class SessionRow:
    id: int = 0
    device: str = ""
    last_seen: str = ""
    started: str = ""
    is_current: bool = False


class AccountState(rx.State):
    sessions: list[SessionRow] = []
    activity: list[ActivityRow] = []
    password_errors: dict[str, str] = {}
    email_errors: dict[str, str] = {}
    is_saving_password: bool = False
    totp_qr: str = ""
    totp_secret: str = ""
    backup_codes: list[str] = []
    two_factor_error: str = ""
    delete_error: str = ""
    is_delete_open: bool = False

    async def _token(self) -> str:
        auth = await self.get_state(AuthState)
        return auth.session_token

    async def _signed_out(self) -> Events:
        auth = await self.get_state(AuthState)
        auth.forget()
        yield rx.redirect(f"{routes.SIGN_IN}?next={routes.ACCOUNT}")

    @rx.event
    async def load(self) -> Events:
        self.password_errors, self.email_errors, self.two_factor_error, self.delete_error = {}, {}, "", ""
        self.totp_qr, self.totp_secret, self.backup_codes = "", "", []
        try:
            rows = await accounts.list_sessions(session_token=await self._token())
        except NotAuthenticated:
            async for event in self._signed_out():
                yield event
            return
        self.sessions = [
            SessionRow(
                id=row.id,
                device=_describe_device(row.user_agent),
                last_seen=row.last_seen_at.strftime("%d %b %Y, %H:%M UTC"),
                started=row.created_at.strftime("%d %b %Y"),
                is_current=row.is_current,
            )
            for row in rows
        ]
        await self._load_activity()

    async def _load_activity(self) -> None:
        """The latest changes to this account's money and permissions, from the audit log."""
        page = await audit_log.my_account_entries(session_token=await self._token(), page_size=ACTIVITY_SHOWN)
        self.activity = [
            ActivityRow(
                at=item.created_at.strftime("%d %b %Y, %H:%M UTC"),
                what=audit_log.action_label(item.action),
                by=item.actor_email if item.actor_role != "system" else "Creatorly",
                details="; ".join([*audit_log.change_lines(item), *([item.reason] if item.reason else [])]),
            )
            for item in page.items
        ]

    @rx.event
    async def change_password(self, form: dict[str, str]) -> Events:
        self.is_saving_password, self.password_errors = True, {}
        yield None
        auth = await self.get_state(AuthState)
        try:
            if form.get("new_password", "") != form.get("new_password_again", ""):
                raise InvalidInput("The two new passwords are different.", field="new_password_again")
            signed_in = await accounts.change_password(
                session_token=auth.session_token,
                current_password=form.get("current_password", ""),
                new_password=form.get("new_password", ""),
                requester=auth.requester(),
            )
        except InvalidInput as error:
            self.password_errors = {error.field or "new_password": error.message}
            yield toast.error(error.message)
        except CreatorlyError as error:
            self.password_errors = {"current_password": error.message}
            yield toast.error(error.message)
        else:
            auth.remember(signed_in)
            yield toast.success("Password changed. Every other device was signed out.")
            yield AccountState.load
        finally:
            self.is_saving_password = False

    @rx.event
    async def revoke(self, session_id: int) -> Events:
        try:
            await accounts.revoke_session(session_token=await self._token(), session_id=session_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("That device was signed out.")
        yield AccountState.load

    @rx.event
    async def sign_out_everywhere(self) -> Events:
        with suppress(CreatorlyError):
            await accounts.sign_out_everywhere(session_token=await self._token())
        auth = await self.get_state(AuthState)
        auth.forget()
        yield rx.redirect(routes.SIGN_IN)
        yield toast.success("You're signed out on every device.")

    @rx.event
    async def request_email_change(self, form: dict[str, str]) -> Events:
        self.email_errors = {}
        auth = await self.get_state(AuthState)
        try:
            await recovery.request_email_change(
                session_token=auth.session_token,
                new_email=form.get("new_email", ""),
                password=form.get("password", ""),
                requester=auth.requester(),
            )
        except InvalidInput as error:
            self.email_errors = {error.field or "new_email": error.message}
            yield toast.error(error.message)
            return
        except CreatorlyError as error:
            self.email_errors = {"password": error.message}
            yield toast.error(error.message)
            return
        yield toast.success("Check your new inbox: we sent a link to confirm the change.")

    @rx.event
    async def resend_verification(self) -> Events:
        auth = await self.get_state(AuthState)
        try:
            await recovery.resend_verification(session_token=auth.session_token, requester=auth.requester())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("We sent you a new confirmation link.")

    @rx.event
    async def begin_two_factor(self) -> Events:
        try:
            setup = await two_factor.begin_setup(session_token=await self._token())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.totp_qr, self.totp_secret, self.two_factor_error, self.backup_codes = (
            setup.qr_svg_data_uri,
            setup.secret,
            "",
            [],
        )

    @rx.event
    async def confirm_two_factor(self, form: dict[str, str]) -> Events:
        try:
            codes = await two_factor.confirm_setup(session_token=await self._token(), code=form.get("code", ""))
        except CreatorlyError as error:
            self.two_factor_error = error.message
            yield toast.error(error.message)
            return
        self.backup_codes, self.totp_qr, self.totp_secret, self.two_factor_error = codes, "", "", ""
        auth = await self.get_state(AuthState)
        await auth.current_user()
        yield toast.success("Two-factor authentication is on.")

    @rx.event
    async def disable_two_factor(self, form: dict[str, str]) -> Events:
        try:
            await two_factor.disable(session_token=await self._token(), code=form.get("code", ""))
        except CreatorlyError as error:
            self.two_factor_error = error.message
            yield toast.error(error.message)
            return
        self.two_factor_error, self.backup_codes = "", []
        auth = await self.get_state(AuthState)
        await auth.current_user()
        yield toast.success("Two-factor authentication is off.")

    @rx.event
    async def export_data(self) -> Events:
        try:
            data = await privacy.export_my_data(session_token=await self._token())
            await self._load_activity()
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(
            data=json.dumps(data, indent=2, ensure_ascii=False),
            filename="creatorly-my-data.json",
            mime_type="application/json",
        )

    @rx.event
    def set_delete_open(self, is_open: bool) -> None:
        self.is_delete_open, self.delete_error = is_open, ""

    @rx.event
    async def delete_account(self, form: dict[str, str]) -> Events:
        try:
            await privacy.delete_my_account(
                session_token=await self._token(),
                password=form.get("password", ""),
                confirmation=form.get("confirmation", ""),
            )
        except CreatorlyError as error:
            self.delete_error = error.message
            yield toast.error(error.message)
            return
        self.is_delete_open = False
        auth = await self.get_state(AuthState)
        auth.forget()
        yield rx.redirect(routes.LANDING)
        yield toast.success("Your account was deleted.")


def _describe_device(user_agent: str) -> str:
    """'Chrome on Linux' from a user agent string, or the raw start of it."""
    browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
    systems = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    browser = next((name for marker, name in browsers if marker in user_agent), "")
    system = next((name for marker, name in systems if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return user_agent[:60] or "Unknown device"
