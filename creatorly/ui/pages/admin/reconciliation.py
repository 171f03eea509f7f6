"""`/admin/reconciliation`: run the comparison of the ledger with orders, payouts and providers; list mismatches."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.admin.reconciliation import DAY_OPTIONS, MismatchRow, ReconciliationState

State = ReconciliationState
COLUMNS = ("Area", "Reference", "Provider", "Problem", "Ours", "Theirs")


def _or_dash(value: rx.Var[str]) -> rx.Component:
    return rx.cond(value != "", rx.text(value), rx.text("—", color_scheme="gray"))


def _figure(label: str, value: rx.Var[int]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.text(value.to_string(), size="5", weight="bold"),
            spacing="1",
        ),
        min_width="150px",
        flex="1",
    )


def _controls() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label("Period", html_for="reconciliation-days", class_name="field-label"),
            rx.select.root(
                rx.select.trigger(id="reconciliation-days", aria_label="Period to reconcile"),
                rx.select.content(*[rx.select.item(f"Last {days} days", value=days) for days in DAY_OPTIONS]),
                value=State.days,
                on_change=State.set_days,
                disabled=State.is_running,
            ),
            spacing="1",
        ),
        rx.button(
            rx.icon("scale", size=16),
            rx.cond(State.is_running, "Reconciling…", "Run reconciliation"),
            loading=State.is_running,
            on_click=State.run,
            size="3",
        ),
        rx.spacer(),
        rx.cond(
            State.mismatch_count > 0,
            rx.button(rx.icon("download", size=16), "Export CSV", variant="soft", on_click=State.export_csv),
        ),
        width="100%",
        wrap="wrap",
        align="end",
        spacing="4",
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.text("Orders and payouts created since ", State.since_label, ".", size="2", color_scheme="gray"),
        rx.flex(
            _figure("Orders checked", State.checked_orders),
            _figure("Payouts checked", State.checked_payouts),
            _figure("Payments compared with providers", State.checked_payments),
            _figure("Mismatches", State.mismatch_count),
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        rx.foreach(
            State.notes, lambda note: rx.callout(note, icon="info", color_scheme="gray", size="1", width="100%")
        ),
        width="100%",
        spacing="3",
    )


def _row(row: MismatchRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(row.area, color_scheme="amber")),
        rx.table.row_header_cell(rx.code(row.reference)),
        rx.table.cell(_or_dash(row.provider)),
        rx.table.cell(row.problem),
        rx.table.cell(_or_dash(row.ours)),
        rx.table.cell(_or_dash(row.theirs)),
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in COLUMNS])),
            rx.table.body(rx.foreach(State.rows, _row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _results() -> rx.Component:
    return rx.cond(
        State.has_run,
        rx.vstack(
            _summary(),
            rx.cond(
                State.mismatch_count > 0,
                _table(),
                empty_state(
                    icon="circle-check",
                    title="Everything matches",
                    text="The ledger balances and agrees with every order, payout and provider record checked.",
                ),
            ),
            width="100%",
            spacing="5",
        ),
        empty_state(
            icon="scale",
            title="Not run yet",
            text="Pick a period and run the reconciliation to compare the ledger with orders, payouts and providers.",
        ),
    )


def reconciliation_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_RECONCILIATION),
            rx.heading("Reconciliation", as_="h1", size="7"),
            rx.text(
                "Compares the ledger with our orders and payouts, and with the payment and payout providers' records.",
                color_scheme="gray",
            ),
            rx.cond(
                State.is_allowed,
                rx.vstack(_controls(), _results(), width="100%", spacing="5"),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )
