"""`/admin/reports` (reports grouped by what they are about) and `/admin/reports/{type}-{id}` (one case)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_action import admin_action_form
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.admin.reports import HistoryItem, QueueItem, ReportCaseState, ReportItem, ReportsQueueState

Queue = ReportsQueueState
Case = ReportCaseState
QUEUE_COLUMNS = ("What", "Status", "Reports", "Categories", "Last activity")
FILTERS = (("open", "Open"), ("appealed", "Appealed"), ("resolved", "Decided"))


def _filter_button(status: str, label: str) -> rx.Component:
    return rx.button(
        label,
        size="2",
        variant=rx.cond(Queue.status == status, "solid", "soft"),
        aria_pressed=rx.cond(Queue.status == status, "true", "false"),
        on_click=Queue.show_status(status),
    )


def _queue_row(row: QueueItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.link(row.label, href=row.href, weight="medium", class_name="wrap-anywhere"),
                rx.badge(row.kind, size="1", variant="soft"),
                spacing="1",
            )
        ),
        rx.table.cell(rx.text(row.status, size="2")),
        rx.table.cell(rx.text(row.report_count, size="2")),
        rx.table.cell(rx.text(row.categories, size="2")),
        rx.table.cell(rx.text(row.updated, size="2"), white_space="nowrap"),
    )


def _queue_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in QUEUE_COLUMNS])),
            rx.table.body(rx.foreach(Queue.rows, _queue_row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        tab_index=0,
        role="region",
        aria_label="Reported content",
    )


def reports_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_REPORTS),
            rx.heading("Reports", as_="h1", size="7"),
            rx.text("Reports from visitors, grouped by what they are about, newest first.", color_scheme="gray"),
            rx.cond(
                Queue.is_allowed,
                rx.vstack(
                    rx.hstack(*[_filter_button(key, label) for key, label in FILTERS], spacing="2", wrap="wrap"),
                    rx.cond(
                        Queue.rows.length() > 0,
                        _queue_table(),
                        empty_state(icon="flag", title="Nothing here", text="No cases with this status."),
                    ),
                    spacing="4",
                    width="100%",
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )


# --- One case ------------------------------------------------------------------------------------


def _native_select(label: str, *, name: str, form_id: str, options: tuple[tuple[str, str], ...]) -> rx.Component:
    field_id = f"field-{form_id}-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.el.select(
            *[rx.el.option(text, value=value) for value, text in options],
            id=field_id,
            name=name,
            class_name="native-select",
        ),
        spacing="1",
        width="100%",
        align="start",
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(Case.kind, variant="soft"),
                rx.cond(Case.is_removed, rx.badge("removed", color_scheme="red")),
                rx.cond(Case.is_visible, rx.badge("public", color_scheme="green")),
                spacing="2",
            ),
            rx.heading(Case.label, as_="h2", size="4", class_name="wrap-anywhere"),
            rx.hstack(
                rx.cond(Case.public_href != "", rx.link("Open the public page", href=Case.public_href)),
                rx.cond(
                    Case.admin_creator_href != "", rx.link("The creator's admin page", href=Case.admin_creator_href)
                ),
                spacing="4",
                wrap="wrap",
            ),
            spacing="2",
            align="start",
        ),
        width="100%",
    )


def _resolve_form() -> rx.Component:
    removal = rx.cond(Case.can_take_down, "Remove the content", "Remove (suspend the creator on their admin page)")
    return admin_action_form(
        title="Decide on these reports",
        description="Dismiss them, or remove the content. The reporters and the creator are emailed the decision "
        "and your reason; the creator may appeal once.",
        button_label="Record decision",
        on_submit=Case.resolve,
        target_id=Case.target_key,
        form_id="resolve",
        is_loading=Case.is_working,
        extra_fields=(
            rx.vstack(
                rx.el.label("Decision", html_for="field-resolve-decision", class_name="field-label"),
                rx.el.select(
                    rx.el.option("Dismiss: no action", value="dismissed"),
                    rx.el.option(removal, value="content_removed"),
                    id="field-resolve-decision",
                    name="decision",
                    class_name="native-select",
                ),
                spacing="1",
                width="100%",
                align="start",
            ),
        ),
    )


def _appeal_form() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.text(rx.text.strong("The creator appealed: "), Case.current_appeal_text, white_space="pre-wrap"),
            icon="scale",
            color_scheme="amber",
            width="100%",
        ),
        admin_action_form(
            title="Decide on the appeal",
            description="Uphold the removal, or reverse it (the content is restored). The creator is emailed.",
            button_label="Record appeal decision",
            on_submit=Case.resolve_appeal,
            target_id=Case.target_key,
            form_id="appeal",
            is_loading=Case.is_working,
            extra_fields=(
                _native_select(
                    "Appeal decision",
                    name="decision",
                    form_id="appeal",
                    options=(("upheld", "Uphold the removal"), ("reversed", "Reverse: restore the content")),
                ),
            ),
        ),
        width="100%",
        spacing="3",
    )


def _report(report: ReportItem) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.badge(report.category),
                rx.text(report.at, size="1", color_scheme="gray"),
                rx.text(report.reporter, size="1"),
                spacing="2",
                wrap="wrap",
            ),
            rx.text(report.text, size="2", white_space="pre-wrap", class_name="wrap-anywhere"),
            spacing="1",
            padding_y="0.5rem",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        )
    )


def _line(label: str, value: rx.Var[str]) -> rx.Component:
    return rx.cond(value != "", rx.text(rx.text.strong(label + ": "), value, size="2", white_space="pre-wrap"))


def _history(item: HistoryItem) -> rx.Component:
    return rx.el.li(
        rx.vstack(
            rx.hstack(
                rx.badge(item.status),
                rx.text(
                    "Opened ",
                    item.opened,
                    " · ",
                    item.report_count,
                    rx.cond(item.report_count == 1, " report", " reports"),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="2",
                wrap="wrap",
            ),
            _line("Decision", item.decision),
            _line("Reason", item.reason),
            _line("Decided", item.decided),
            _line("Appeal", item.appeal_text),
            _line("Appealed", item.appealed),
            _line("Appeal decision", item.appeal_decision),
            _line("Appeal reason", item.appeal_reason),
            _line("Appeal decided", item.appeal_decided),
            spacing="1",
            padding_y="0.5rem",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
        )
    )


def _list_section(title: str, items: Any, render: Any, empty: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, as_="h2", size="5"),
        rx.cond(
            items.length() > 0,
            rx.el.ul(
                rx.foreach(items, render), style={"list_style": "none", "padding": "0", "margin": "0"}, width="100%"
            ),
            rx.text(empty, size="2", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
    )


def _take_down_form() -> rx.Component:
    return admin_action_form(
        title="Remove this content",
        description="No open reports: remove it on your own judgement. The creator is emailed your reason and may "
        "appeal once.",
        button_label="Remove content",
        on_submit=Case.take_down,
        target_id=Case.target_key,
        form_id="take-down",
        is_loading=Case.is_working,
    )


def _case() -> rx.Component:
    return rx.vstack(
        _summary(),
        rx.cond(Case.current_status == "open", _resolve_form()),
        rx.cond((Case.current_status == "") & Case.is_visible & Case.can_take_down, _take_down_form()),
        rx.cond(Case.current_status == "appealed", _appeal_form()),
        _list_section("Reports", Case.reports, _report, "No reports: an admin acted directly."),
        _list_section("History", Case.history, _history, "No decisions yet."),
        spacing="5",
        width="100%",
    )


def report_case_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_REPORTS),
            rx.link("← All reports", href=routes.ADMIN_REPORTS, size="2"),
            rx.heading("Report case", as_="h1", size="7"),
            rx.cond(
                Case.is_allowed,
                rx.cond(
                    Case.is_missing,
                    empty_state(icon="flag-off", title="Case not found", text="Nothing was reported about this."),
                    _case(),
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )
