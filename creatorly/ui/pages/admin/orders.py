"""`/admin/orders` (search by id, buyer email or creator; filter by status) and `/admin/orders/[admin_order_id]`."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_action import admin_action_form
from creatorly.ui.components.admin_table import admin_table, list_body, search_bar, search_field
from creatorly.ui.components.forms import field, select_field
from creatorly.ui.pages.admin.creators import ORDER_COLUMNS, admin_shell, facts, not_found, order_row, section
from creatorly.ui.states.admin.orders import AdminOrdersState, AdminOrderState, AmountRow, RefundRow


def orders_page() -> rx.Component:
    state = AdminOrdersState
    return admin_shell(
        routes.ADMIN_ORDERS,
        "Orders",
        "Find an order by its id, the buyer's email or the creator's handle.",
        state.is_allowed,
        rx.vstack(
            search_bar(
                search_field(
                    "Search orders",
                    name="query",
                    input_type="search",
                    placeholder="order id, buyer email or creator handle",
                ),
                select_field("Status", name="status", options=state.status_options, default=state.status_label),
                on_submit=state.search,
                label="Order search",
                is_loading=state.is_loading,
            ),
            list_body(
                label="Orders",
                columns=ORDER_COLUMNS,
                state=state,
                render=order_row,
                empty="No order matches that search.",
            ),
            spacing="4",
            width="100%",
        ),
    )


def _amount_row(row: AmountRow) -> rx.Component:
    return rx.table.row(rx.table.row_header_cell(row.label), rx.table.cell(row.amount))


def _refund_row(row: RefundRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at), rx.table.cell(row.amount), rx.table.cell(row.status), rx.table.cell(row.reason)
    )


def order_actions() -> rx.Component:
    state = AdminOrderState
    return rx.vstack(
        rx.heading("Actions", as_="h2", size="4"),
        rx.cond(
            state.refundable != "",
            admin_action_form(
                title="Refund",
                description=rx.Var.create("Up to ") + state.refundable + " can be refunded. Leave the amount empty "
                "to refund all of it.",
                button_label="Refund",
                on_submit=state.refund,
                target_id=state.order_id,
                form_id="refund",
                is_loading=state.is_working,
                extra_fields=(
                    field("Amount", name="amount", form_id="refund", input_mode="decimal", placeholder="all"),
                ),
            ),
            rx.text("Nothing left to refund on this order.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            state.can_resend_receipt,
            admin_action_form(
                title="Send the receipt again",
                description=rx.Var.create("Emails the receipt with the download link to ") + state.buyer_email + ".",
                button_label="Send receipt",
                on_submit=state.resend_receipt,
                target_id=state.order_id,
                form_id="receipt",
                is_loading=state.is_working,
                color_scheme="violet",
            ),
        ),
        spacing="3",
        width="100%",
    )


def order_page() -> rx.Component:
    state = AdminOrderState
    return admin_shell(
        routes.ADMIN_ORDERS,
        "Order",
        "What was bought, what was paid and kept, and what was refunded.",
        state.is_allowed,
        rx.cond(
            state.is_found,
            rx.vstack(
                rx.link("← All orders", href=routes.ADMIN_ORDERS, size="2"),
                rx.grid(
                    rx.vstack(
                        section(
                            state.public_id,
                            facts(
                                ("What", state.item),
                                ("Creator", rx.link(state.creator_handle, href=state.creator_href)),
                                ("Buyer", state.buyer_email),
                                ("Status", rx.badge(state.status_label)),
                                ("Provider", state.provider),
                                ("Provider reference", rx.code(state.provider_reference)),
                                ("Created", state.created),
                                ("Paid", state.paid),
                            ),
                        ),
                        section(
                            "Amounts",
                            admin_table(
                                label="Amounts", columns=("Line", "Amount"), rows=state.amounts, render=_amount_row
                            ),
                        ),
                        section(
                            "Refunds",
                            rx.cond(
                                state.refunds.length() > 0,
                                admin_table(
                                    label="Refunds",
                                    columns=("When", "Amount", "Status", "Reason"),
                                    rows=state.refunds,
                                    render=_refund_row,
                                ),
                                rx.text("No refunds.", size="2", color_scheme="gray"),
                            ),
                        ),
                        spacing="4",
                        width="100%",
                    ),
                    order_actions(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            not_found("No order has that id."),
        ),
    )
