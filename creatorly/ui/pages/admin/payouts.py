"""`/admin/payouts` and `/admin/payouts/[admin_payout_id]`: payouts by status or creator, and one in detail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.admin_table import fact, list_body, search_bar, search_field, status_select
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.pages.admin.users import payout_review_actions
from creatorly.ui.states.admin.payouts import (
    STATUS_OPTIONS,
    AdminPayoutsState,
    AdminPayoutState,
    LedgerRow,
    PayoutListRow,
    StepRow,
)

COLUMNS = ("Payout", "Creator", "Amount", "Status", "Provider", "Created")


def _row(row: PayoutListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(rx.code(row.public_id), href=row.href)),
        rx.table.cell(rx.link("@" + row.creator_handle, href=row.creator_href)),
        rx.table.cell(row.amount, class_name="tabular-figures"),
        rx.table.cell(rx.badge(row.status)),
        rx.table.cell(row.provider),
        rx.table.cell(rx.text(row.created, white_space="nowrap")),
    )


def admin_payouts_page() -> rx.Component:
    state = AdminPayoutsState
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_PAYOUTS),
            rx.heading("Payouts", as_="h1", size="7"),
            rx.cond(
                state.is_allowed,
                rx.vstack(
                    search_bar(
                        status_select("Status", name="status", options=STATUS_OPTIONS),
                        search_field("Creator handle or payout id", name="creator"),
                        on_submit=state.search,
                        label="Search payouts",
                        is_loading=state.is_loading,
                    ),
                    list_body(
                        label="Payouts",
                        columns=COLUMNS,
                        state=state,
                        render=_row,
                        empty="No payout matches this search.",
                        icon="banknote",
                        title="No payouts",
                    ),
                    width="100%",
                    spacing="4",
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )


def _step(step: StepRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(step.at, white_space="nowrap")),
        rx.table.row_header_cell(step.change),
        rx.table.cell(step.cause),
    )


def _time(step: StepRow) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(step.change), rx.data_list.value(step.at))


def _line(line: LedgerRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(line.kind)),
        rx.table.row_header_cell(rx.code(line.account)),
        rx.table.cell(line.amount, class_name="tabular-figures"),
        rx.table.cell(line.memo),
        rx.table.cell(rx.text(line.at, white_space="nowrap")),
    )


def _table(
    columns: tuple[str, ...], rows: rx.Var[Any], render: Callable[[Any], rx.Component], label: str
) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in columns])),
            rx.table.body(rx.foreach(rows, render)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        role="region",
        aria_label=label,
        tab_index=0,
    )


def _payout_detail() -> rx.Component:
    state = AdminPayoutState
    return rx.vstack(
        rx.card(
            rx.data_list.root(
                fact("Payout", rx.code(state.payout.public_id)),
                fact("Creator", rx.link("@" + state.payout.creator_handle, href=state.payout.creator_href)),
                fact("Amount", state.payout.amount),
                fact("Status", rx.badge(state.payout.status)),
                fact("Trigger", state.trigger),
                fact("To", state.account),
                fact("Provider", state.payout.provider),
                fact("Provider reference", rx.code(state.provider_reference)),
                fact("Created", state.payout.created),
                rx.foreach(state.times, _time),
            ),
            width="100%",
        ),
        rx.cond(
            state.failure_reason != "",
            rx.callout(state.failure_reason, icon="circle-alert", color_scheme="red", width="100%"),
        ),
        rx.heading("Timeline", as_="h2", size="4"),
        _table(("When", "Change", "Cause"), state.steps, _step, "Payout timeline"),
        rx.heading("Ledger", as_="h2", size="4"),
        _table(("Kind", "Account", "Amount", "Memo", "Posted"), state.ledger, _line, "Ledger entries"),
        rx.heading("Creator's payouts", as_="h2", size="4"),
        rx.cond(
            state.under_review,
            rx.badge("Payouts held: " + state.review_note, color_scheme="red"),
            rx.badge("Payouts not held", color_scheme="gray"),
        ),
        payout_review_actions(
            under_review=state.under_review,
            creator_id=state.creator_id,
            on_hold=state.hold_payouts,
            on_release=state.release_payouts,
            is_loading=state.is_acting,
        ),
        width="100%",
        spacing="4",
    )


def admin_payout_page() -> rx.Component:
    state = AdminPayoutState
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_PAYOUTS),
            rx.link("← All payouts", href=routes.ADMIN_PAYOUTS, size="2"),
            rx.heading("Payout", as_="h1", size="7"),
            rx.cond(
                state.is_allowed,
                rx.cond(
                    state.is_found,
                    _payout_detail(),
                    empty_state(icon="banknote", title="No such payout", text="There is no payout with this id."),
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )
