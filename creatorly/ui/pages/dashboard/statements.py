"""`/dashboard/statements`: the monthly earnings statement (PDF download) and CSV exports of ledger and payouts."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.statements import CurrencySection, StatementRow, StatementsState

State = StatementsState


def _figure(label: str, value: rx.Var[str], hint: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value, size="5", weight="bold"),
            rx.text(hint, size="1", color_scheme="gray"),
            spacing="1",
        ),
        min_width="150px",
        flex="1",
    )


def _row(row: StatementRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.date),
        rx.table.row_header_cell(rx.text(row.label, weight="medium")),
        rx.table.cell(row.description),
        rx.table.cell(row.gross, text_align="right"),
        rx.table.cell(row.fees, text_align="right"),
        rx.table.cell(rx.text(row.net, color_scheme=rx.cond(row.is_negative, "red", "green")), text_align="right"),
    )


def _section(section: CurrencySection) -> rx.Component:
    return rx.vstack(
        rx.heading(section.currency, size="4"),
        rx.flex(
            _figure("Opening balance", section.opening, "Owed to you when the month began"),
            _figure("Sales", section.sales, "What fans paid"),
            _figure("Refunds", section.refunds, "Given back to fans"),
            _figure("Fees", section.fees, "Platform and payment fees, net of returns"),
            _figure("Payouts", section.payouts, "Moved to your payout account"),
            _figure("Closing balance", section.closing, "Owed to you when the month ended"),
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        rx.cond(
            section.rows.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(name)
                                for name in ("Date", "Type", "Description", "Gross", "Fees", "Net to you")
                            ]
                        )
                    ),
                    rx.table.body(rx.foreach(section.rows, _row)),
                    width="100%",
                    aria_label="Statement lines",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No activity in this currency this month.", color_scheme="gray", size="2"),
        ),
        width="100%",
        spacing="3",
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.el.label("Month", html_for="statement-month", class_name="field-label"),
            rx.select(
                State.months,
                id="statement-month",
                value=State.month,
                on_change=State.show_month,
                aria_label="Statement month",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("file-down", size=16),
            "Download PDF",
            loading=State.is_downloading,
            on_click=State.download_pdf,
        ),
        rx.button(rx.icon("download", size=16), "Export ledger CSV", variant="soft", on_click=State.export_ledger),
        rx.button(rx.icon("download", size=16), "Export payouts CSV", variant="soft", on_click=State.export_payouts),
        wrap="wrap",
        spacing="3",
        align="end",
        width="100%",
    )


def statements_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_STATEMENTS,
        "Statements",
        rx.text(
            "Your earnings month by month, straight from the ledger. Times are in ",
            State.timezone,
            ".",
            color_scheme="gray",
        ),
        _toolbar(),
        rx.cond(
            State.is_loading,
            card_skeletons(2),
            rx.cond(
                State.sections.length() > 0,
                rx.vstack(rx.foreach(State.sections, _section), width="100%", spacing="6"),
                empty_state(
                    icon="file-text",
                    title="Nothing this month",
                    text="Sales, refunds and payouts show up here as they happen. Pick another month above.",
                ),
            ),
        ),
    )
