"""`/admin/audit`: every money, permission and account change, who made it, what changed and why."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field, submit_button
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.admin.audit import AuditLogState, AuditRow

State = AuditLogState
COLUMNS = ("When", "Who", "Action", "Target", "What changed", "Reason", "Request")


def _filters() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(field("Action", name="action", placeholder="e.g. refund or payout_account"), flex="1 1 180px"),
            rx.box(field("Actor email", name="actor_email", input_type="email"), flex="1 1 180px"),
            rx.box(field("Target type", name="target_type", placeholder="order, creator, user…"), flex="1 1 140px"),
            rx.box(field("Target id", name="target_id"), flex="1 1 140px"),
            rx.box(submit_button("Filter", is_loading=State.is_loading), flex="0 0 120px", align_self="center"),
            wrap="wrap",
            spacing="3",
            width="100%",
        ),
        on_submit=State.search,
        aria_label="Filter the audit log",
        width="100%",
    )


def _or_dash(value: rx.Var[str]) -> rx.Component:
    return rx.cond(value != "", rx.text(value, size="2"), rx.text("—", size="2", color_scheme="gray"))


def _row(row: AuditRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.at, size="2"), white_space="nowrap"),
        rx.table.cell(rx.vstack(rx.text(row.actor, size="2"), rx.badge(row.role, size="1"), spacing="1")),
        rx.table.row_header_cell(rx.code(row.action)),
        rx.table.cell(rx.text(row.target, size="2")),
        rx.table.cell(_or_dash(row.changes)),
        rx.table.cell(_or_dash(row.reason)),
        rx.table.cell(rx.cond(row.request_id != "", rx.code(row.request_id, size="1"), rx.text("—", size="2"))),
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in COLUMNS])),
                rx.table.body(rx.foreach(State.rows, _row)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
            tab_index=0,
            role="region",
            aria_label="Audit log entries",
        ),
        rx.cond(
            State.next_cursor > 0,
            rx.button("Load older entries", variant="soft", on_click=State.load_older, loading=State.is_loading),
        ),
        width="100%",
        spacing="3",
    )


def audit_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_AUDIT),
            rx.heading("Audit log", as_="h1", size="7"),
            rx.text(
                "Every change to money, permissions and accounts: who made it, what changed, and why. "
                "Entries can't be edited or removed.",
                color_scheme="gray",
            ),
            rx.cond(
                State.is_allowed,
                rx.vstack(
                    _filters(),
                    rx.cond(
                        State.rows.length() > 0,
                        _table(),
                        empty_state(
                            icon="scroll-text",
                            title="No entries",
                            text="Nothing matches these filters yet.",
                        ),
                    ),
                    width="100%",
                    spacing="5",
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )
