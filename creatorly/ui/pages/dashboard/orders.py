"""`/dashboard/orders`: every order with buyer, amount, refunds and status; filters, pages and CSV export."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.orders import STATUS_FILTERS, OrderListRow, OrdersState

State = OrdersState


def status_badge(status: rx.Var[str], label: rx.Var[str]) -> rx.Component:
    """The order's state in words, coloured by the state itself."""
    return rx.badge(
        label,
        color_scheme=rx.match(
            status, ("paid", "green"), ("partially_refunded", "amber"), ("refunded", "gray"), ("failed", "red"), "blue"
        ),
    )


def _row(row: OrderListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.public_id, href=row.detail_url, weight="medium")),
        rx.table.cell(row.created),
        rx.table.cell(row.product_title),
        rx.table.cell(row.buyer_email),
        rx.table.cell(row.amount_label),
        rx.table.cell(row.refunded_label),
        rx.table.cell(status_badge(row.status, row.status_label)),
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.el.label("Status", html_for="orders-status", class_name="field-label"),
            rx.select.root(
                rx.select.trigger(id="orders-status", aria_label="Filter by status"),
                rx.select.content(*(rx.select.item(label, value=value) for value, label in STATUS_FILTERS)),
                value=State.status_filter,
                on_change=State.filter_by,
            ),
            spacing="1",
        ),
        rx.form(
            rx.hstack(
                field("Search orders", name="search", placeholder="Buyer email or order id"),
                rx.button("Search", type="submit", variant="soft", size="3"),
                align="center",
                spacing="2",
            ),
            on_submit=State.search,
        ),
        rx.spacer(),
        rx.text(State.total.to_string() + " orders", size="2", color_scheme="gray"),
        rx.button(rx.icon("download", size=16), "Export CSV", variant="soft", on_click=State.export_csv),
        width="100%",
        wrap="wrap",
        align="end",
        spacing="4",
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(name)
                            for name in ("Order", "Date", "Product", "Buyer", "Amount", "Refunded", "Status")
                        ]
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


def orders_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_ORDERS,
        "Orders",
        rx.text("Everything bought from your storefront, newest first.", color_scheme="gray"),
        _filters(),
        rx.cond(
            State.is_loading,
            card_skeletons(1),
            rx.cond(
                State.rows.length() > 0,
                _table(),
                empty_state(
                    icon="receipt",
                    title="No orders here",
                    text="Orders appear as soon as a fan starts a checkout. Try another filter or search.",
                ),
            ),
        ),
    )
