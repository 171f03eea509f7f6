"""State of `/admin/reconciliation`: run the comparison of ledger, orders, payouts and providers; export it."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, Forbidden
from creatorly.services.reconciliation import service as reconciliation
from creatorly.services.reconciliation.schemas import Mismatch, ReconciliationReport
from creatorly.ui import routes
from creatorly.ui.states.admin.guard import ADMINS_ONLY, refusal, session_token_of
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events

DAY_OPTIONS = ["7", "30", "90", "365"]
DEFAULT_DAYS = "30"


@dataclass
class MismatchRow:
    area: str = ""
    reference: str = ""
    provider: str = ""
    problem: str = ""
    ours: str = ""
    theirs: str = ""


class ReconciliationState(rx.State):
    is_allowed: bool = False
    is_running: bool = False
    has_run: bool = False
    days: str = DEFAULT_DAYS
    ran_days: str = ""
    since_label: str = ""
    checked_orders: int = 0
    checked_payouts: int = 0
    checked_payments: int = 0
    mismatch_count: int = 0
    rows: list[MismatchRow] = []
    notes: list[str] = []

    @rx.event
    async def load(self) -> Events:
        """Only admins stay on the page; everyone else is told so and sent away (each run checks again)."""
        token = await session_token_of(self)
        refused = await refusal(lambda: reconciliation.check_access(session_token=token), self.router.url.path)
        if refused:
            self._forget()
            for event in refused:
                yield event
            return
        self.is_allowed = True

    @rx.event
    def set_days(self, days: str) -> None:
        if days in DAY_OPTIONS:
            self.days = days

    @rx.event(background=True)
    async def run(self) -> Events:
        """Providers may take a while to answer: the work runs outside the state lock, the button shows it."""
        async with self:
            if self.is_running:
                return
            self.is_running = True
            token, days = await session_token_of(self), int(self.days)
        try:
            report = await reconciliation.run_reconciliation(session_token=token, days=days)
        except Forbidden:
            async with self:
                self.is_running = False
                self._forget()
            yield toast.error(ADMINS_ONLY)
            yield rx.redirect(routes.ACCOUNT)
            return
        except CreatorlyError as error:
            async with self:
                self.is_running = False
            yield toast.error(error.message)
            return
        async with self:
            self._show(report)
            self.is_running = False

    @rx.event
    async def export_csv(self) -> Events:
        mismatches = [
            Mismatch(row.area, row.reference, row.provider, row.problem, ours=row.ours, theirs=row.theirs)
            for row in self.rows
        ]
        try:
            text = await reconciliation.export_mismatches_csv(
                session_token=await session_token_of(self), mismatches=mismatches
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.download(
            data=text, filename=f"creatorly-reconciliation-{self.ran_days}-days.csv", mime_type="text/csv"
        )

    def _show(self, report: ReconciliationReport) -> None:
        self.has_run, self.ran_days = True, str(report.days)
        self.since_label = f"{report.since:%d %b %Y %H:%M} UTC"
        self.checked_orders, self.checked_payouts = report.checked_orders, report.checked_payouts
        self.checked_payments, self.mismatch_count = report.checked_payments, len(report.mismatches)
        self.rows = [
            MismatchRow(
                area=item.area,
                reference=item.reference,
                provider=item.provider,
                problem=item.problem,
                ours=item.ours,
                theirs=item.theirs,
            )
            for item in report.mismatches
        ]
        self.notes = list(report.notes)

    def _forget(self) -> None:
        """Nothing of an earlier admin's run stays in a tab that is no longer an admin's."""
        self.is_allowed, self.has_run, self.rows, self.notes, self.mismatch_count = False, False, [], [], 0
