"""`/dashboard/orders/[detail_order_ref]`: one order's summary, history, downloads and the refund form."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field, form_error
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.pages.dashboard.orders import status_badge
from creatorly.ui.states.dashboard.order_detail import DownloadRow, OrderDetailState, TimelineRow

State = OrderDetailState


def _fact(label: str, value: rx.Var[str] | rx.Component) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _summary() -> rx.Component:
    return rx.card(
        rx.data_list.root(
            _fact("Order", State.order_public_id),
            _fact("Status", status_badge(State.status, State.status_label)),
            _fact("Product", State.product_title),
            _fact("Buyer", State.buyer_email),
            _fact("Amount", State.amount_label),
            _fact("Refunded", State.refunded_label),
            _fact("Created", State.created),
            _fact("Paid", State.paid),
        ),
        width="100%",
    )


def _timeline_item(item: TimelineRow) -> rx.Component:
    return rx.el.li(rx.hstack(rx.text(item.at, size="2", color_scheme="gray"), rx.text(item.label, size="2")))


def _download(item: DownloadRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(item.file_name),
        rx.table.cell(item.used_label),
        rx.table.cell(rx.cond(item.is_revoked, rx.badge("revoked", color_scheme="gray"), rx.badge("active"))),
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.heading("Timeline", as_="h2", size="4"),
        rx.el.ol(rx.foreach(State.timeline, _timeline_item)),
        rx.heading("Downloads", as_="h2", size="4"),
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(name) for name in ("File", "Downloads used", "Access")])
            ),
            rx.table.body(rx.foreach(State.downloads, _download)),
            width="100%",
        ),
        width="100%",
        spacing="3",
    )


def _confirm_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Refund", color_scheme="red", type="button")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Refund this order?"),
            rx.alert_dialog.description(
                "The buyer gets the money back. A full refund also ends their downloads. This cannot be undone."
            ),
            rx.vstack(
                form_error(State.refund_error),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                    rx.button("Yes, refund", color_scheme="red", loading=State.is_refunding, on_click=State.refund),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="1rem",
            ),
        ),
        open=State.is_confirm_open,
        on_open_change=State.set_confirm_open,
    )


def _refund_form() -> rx.Component:
    return rx.cond(
        State.is_refundable,
        rx.card(
            rx.vstack(
                rx.heading("Refund", as_="h2", size="4"),
                rx.text("Up to ", State.refundable_label, " can be refunded.", size="2", color_scheme="gray"),
                field(
                    "Refund amount",
                    name="refund_amount",
                    hint="Leave empty to refund everything that is left.",
                    value=State.refund_amount,
                    on_change=State.set_refund_amount,
                    input_mode="decimal",
                ),
                field("Reason", name="refund_reason", value=State.refund_reason, on_change=State.set_refund_reason),
                _confirm_dialog(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def order_detail_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_ORDERS,
        "Order",
        rx.link("← All orders", href=routes.DASHBOARD_ORDERS, size="2"),
        rx.cond(
            State.is_loading,
            card_skeletons(1),
            rx.cond(
                State.is_found,
                rx.vstack(_summary(), _refund_form(), _history(), width="100%", spacing="5"),
                empty_state(icon="search-x", title="Order not found", text="It may belong to another storefront."),
            ),
        ),
    )
