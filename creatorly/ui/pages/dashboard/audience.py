"""`/dashboard/audience`: fans who left their email, with status, source and dates; CSV export."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.audience import AudienceRow, AudienceState

State = AudienceState


def _row(row: AudienceRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.email),
        rx.table.cell(
            rx.badge(
                row.status, color_scheme=rx.match(row.status, ("confirmed", "green"), ("pending", "amber"), "gray")
            )
        ),
        rx.table.cell(row.source),
        rx.table.cell(row.subscribed),
        rx.table.cell(row.confirmed),
        rx.table.cell(
            rx.button(
                "Remove",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=State.remove(row.id),
                aria_label="Remove " + row.email,
            )
        ),
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.segmented_control.root(
            rx.segmented_control.item("All", value="all"),
            rx.segmented_control.item("Confirmed", value="confirmed"),
            rx.segmented_control.item("Pending", value="pending"),
            rx.segmented_control.item("Unsubscribed", value="unsubscribed"),
            value=State.status_filter,
            on_change=State.filter_by,
            aria_label="Filter by status",
        ),
        rx.spacer(),
        rx.text(State.total.to_string() + " people", size="2", color_scheme="gray"),
        rx.button(rx.icon("download", size=16), "Export CSV", variant="soft", on_click=State.export_csv),
        width="100%",
        wrap="wrap",
        align="center",
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(name)
                            for name in ("Email", "Status", "Source", "Subscribed", "Confirmed")
                        ],
                        rx.table.column_header_cell(rx.el.span("Actions", class_name="visually-hidden")),
                    )
                ),
                rx.table.body(rx.foreach(State.rows, _row)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.hstack(
            rx.button("Previous", variant="soft", disabled=State.page <= 1, on_click=State.go_to_page(State.page - 1)),
            rx.text("Page ", State.page.to_string(), " of ", State.page_count.to_string(), size="2"),
            rx.button(
                "Next",
                variant="soft",
                disabled=State.page >= State.page_count,
                on_click=State.go_to_page(State.page + 1),
            ),
            align="center",
        ),
        width="100%",
        spacing="3",
    )


def audience_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_AUDIENCE,
        "Audience",
        rx.text(
            "Fans who asked for updates from your storefront. They confirm by email before they count.",
            color_scheme="gray",
        ),
        _filters(),
        rx.cond(
            State.is_loading,
            card_skeletons(1),
            rx.cond(
                State.rows.length() > 0,
                _table(),
                empty_state(
                    icon="mail-plus",
                    title="No subscribers yet",
                    text="Share your storefront: fans can subscribe from the form on it.",
                ),
            ),
        ),
    )
