"""State of `/dashboard/tips`: the creator's tips with totals, pages and CSV export, and the tip jar's settings."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.services.creators.service import NotACreator
from creatorly.services.tips import service as tips
from creatorly.services.tips.schemas import TipSettingsInput, TipSettingsView
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

PAGE_SIZE = 50


@dataclass
class TipListRow:
    order_public_id: str = ""
    date: str = ""
    amount_label: str = ""
    supporter: str = ""
    buyer_email: str = ""
    message: str = ""
    visibility: str = ""  # "Public" or "Private"
    status: str = ""
    detail_url: str = ""


@dataclass
class TipTotalView:
    currency: str = ""
    count_label: str = ""
    amount_label: str = ""


class TipsDashboardState(rx.State):
    rows: list[TipListRow] = []
    totals: list[TipTotalView] = []
    total: int = 0
    page: int = 1
    page_count: int = 1
    is_loading: bool = True
    currency: str = "USD"  # the store's currency, which the tip jar always uses
    presets_text: str = ""
    goal_title: str = ""
    goal_amount_text: str = ""
    settings_error: str = ""
    settings_error_field: str = ""
    is_saving: bool = False
    settings_version: int = 0  # bumped after loading or saving so the form shows the stored values

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        token = await self._token()
        try:
            result = await tips.list_tips(session_token=token, page=self.page, page_size=PAGE_SIZE)
            view = await tips.get_tip_settings(session_token=token)
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.rows = [
            TipListRow(
                order_public_id=item.order_public_id,
                date=item.created_at.strftime("%d %b %Y %H:%M"),
                amount_label=item.amount_label,
                supporter=item.supporter,
                buyer_email=item.buyer_email,
                message=item.message,
                visibility="Public" if item.is_public else "Private",
                status=item.status,
                detail_url=routes.order_detail(item.order_public_id),
            )
            for item in result.items
        ]
        self.totals = [
            TipTotalView(
                currency=total.currency,
                count_label=f"{total.count} tip" if total.count == 1 else f"{total.count} tips",
                amount_label=total.amount_label,
            )
            for total in result.totals
        ]
        self.total, self.page_count = result.total, result.page_count
        self._show_settings(view)
        self.is_loading = False

    def _show_settings(self, view: TipSettingsView) -> None:
        self.currency = view.currency
        self.presets_text, self.goal_title, self.goal_amount_text = (
            view.presets_text,
            view.goal_title,
            view.goal_amount_text,
        )
        self.settings_error, self.settings_error_field = "", ""
        self.settings_version += 1

    @rx.event
    def go_to_page(self, page: int) -> Events:  # type: ignore[misc]
        self.page = max(1, min(page, self.page_count))
        yield TipsDashboardState.load

    @rx.event
    async def save_settings(self, form: dict[str, str]) -> Events:
        if self.is_saving:
            return
        self.is_saving, self.settings_error, self.settings_error_field = True, "", ""
        yield None
        try:
            view = await tips.save_tip_settings(
                session_token=await self._token(),
                changes=TipSettingsInput(
                    presets_text=form.get("presets", ""),
                    goal_title=form.get("goal_title", ""),
                    goal_amount_text=form.get("goal_amount", ""),
                ),
            )
        except CreatorlyError as error:
            self.settings_error = error.message
            self.settings_error_field = error.field or "" if isinstance(error, InvalidInput) else ""
            yield toast.error(error.message)
            return
        finally:
            self.is_saving = False
        self._show_settings(view)
        yield toast.success("Tip jar saved.")

    @rx.event
    async def export_csv(self) -> Events:
        try:
            text = await tips.export_tips_csv(session_token=await self._token())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(data=text, filename="creatorly-tips.csv", mime_type="text/csv")
