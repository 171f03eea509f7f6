"""State of `/dashboard/statements`: a month's earnings statement, its PDF, and CSV exports of ledger and payouts."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import reflex as rx

from creatorly.errors import CreatorlyError
from creatorly.services.creators.service import NotACreator
from creatorly.services.statements import service as statements
from creatorly.services.statements.schemas import CurrencyStatement
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


@dataclass
class StatementRow:
    date: str = ""
    label: str = ""
    description: str = ""
    gross: str = ""
    fees: str = ""
    net: str = ""
    is_negative: bool = False


@dataclass
class CurrencySection:
    currency: str = ""
    opening: str = ""
    sales: str = ""
    refunds: str = ""
    fees: str = ""
    payouts: str = ""
    closing: str = ""
    rows: list[StatementRow] = field(default_factory=list)


class StatementsState(rx.State):
    months: list[str] = []
    month: str = ""
    month_label: str = ""
    timezone: str = ""
    sections: list[CurrencySection] = []
    is_loading: bool = True
    is_downloading: bool = False

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading = True
        try:
            self.months = await statements.statement_months(session_token=await self._token())
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        if self.month not in self.months:
            self.month = self.months[0]
        yield StatementsState.show_month(self.month)

    @rx.event
    async def show_month(self, month: str) -> Events:
        self.is_loading = True
        try:
            statement = await statements.monthly_statement(session_token=await self._token(), month=month)
        except CreatorlyError as error:
            self.is_loading = False
            yield toast.error(error.message)
            return
        self.month, self.month_label, self.timezone = statement.month, statement.month_label, statement.timezone
        self.sections = [_section(section, statement.timezone) for section in statement.currencies]
        self.is_loading = False

    @rx.event
    async def download_pdf(self) -> Events:
        self.is_downloading = True
        yield
        try:
            document = await statements.statement_pdf(session_token=await self._token(), month=self.month)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_downloading = False
        yield rx.download(data=document, filename=f"creatorly-statement-{self.month}.pdf", mime_type="application/pdf")

    @rx.event
    async def export_ledger(self) -> Events:
        try:
            text = await statements.ledger_csv(session_token=await self._token())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(data=text, filename="creatorly-ledger.csv", mime_type="text/csv")

    @rx.event
    async def export_payouts(self) -> Events:
        try:
            text = await statements.payouts_csv(session_token=await self._token())
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(data=text, filename="creatorly-payouts.csv", mime_type="text/csv")


def _section(section: CurrencyStatement, timezone: str) -> CurrencySection:
    zone = ZoneInfo(timezone)
    return CurrencySection(
        currency=section.currency,
        opening=section.labels["opening"],
        sales=section.labels["sales"],
        refunds=section.labels["refunds"],
        fees=section.labels["fees"],
        payouts=section.labels["payouts"],
        closing=section.labels["closing"],
        rows=[
            StatementRow(
                date=line.posted_at.astimezone(zone).strftime("%d %b"),
                label=line.label,
                description=line.description,
                gross=line.gross_label,
                fees=line.fees_label,
                net=line.net_label,
                is_negative=line.net < 0,
            )
            for line in section.lines
        ],
    )
