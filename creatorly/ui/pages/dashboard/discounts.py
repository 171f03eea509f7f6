"""`/dashboard/discounts`: the creator's discount codes with their use, a form to add one, and deactivation."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field, form_error
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.discounts import DiscountListItem, DiscountsState, ProductOption

COLUMNS = ("Code", "Discount", "Applies to", "Dates", "Redemptions", "Status")


def _row(item: DiscountListItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(item.code)),
        rx.table.cell(item.value_label),
        rx.table.cell(item.scope_label),
        rx.table.cell(item.window_label),
        rx.table.cell(item.redemptions_label),
        rx.table.cell(
            rx.badge(item.status_label, color_scheme=rx.cond(item.status_label == "Active", "green", "gray"))
        ),
        rx.table.cell(
            rx.cond(
                item.is_active,
                rx.button(
                    "Deactivate",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    aria_label="Deactivate " + item.code,
                    on_click=DiscountsState.deactivate(item.id),
                ),
            )
        ),
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(name) for name in COLUMNS],
                    rx.table.column_header_cell(rx.el.span("Actions", class_name="visually-hidden")),
                )
            ),
            rx.table.body(rx.foreach(DiscountsState.discounts, _row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _labelled_select(label: str, name: str, *options: rx.Component, **props: object) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.el.select(*options, id=field_id, name=name, class_name="native-select", **props),
        spacing="1",
        width="100%",
        align="start",
    )


def _product_option(option: ProductOption) -> rx.Component:
    return rx.el.option(option.title, value=option.slug)


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New discount code", as_="h2", size="4"),
                form_error(DiscountsState.form_error),
                rx.grid(
                    field("Code", name="code", required=True, auto_complete="off", hint="Like SPRING25."),
                    _labelled_select(
                        "Type",
                        "kind",
                        rx.el.option("Percent", value="percent"),
                        rx.el.option("Fixed amount", value="fixed"),
                        value=DiscountsState.kind,
                        on_change=DiscountsState.set_kind,
                    ),
                    field("Amount", name="value", hint=DiscountsState.amount_hint, required=True, input_mode="decimal"),
                    _labelled_select(
                        "Product (optional)",
                        "product",
                        rx.el.option("All products", value=""),
                        rx.foreach(DiscountsState.product_options, _product_option),
                        default_value="",
                    ),
                    field("Starts", name="starts_at", input_type="date"),
                    field("Ends", name="ends_at", input_type="date"),
                    field("Maximum redemptions", name="max_redemptions", input_mode="numeric", hint="Empty: no limit."),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    gap="1rem",
                    width="100%",
                ),
                rx.button("Create code", type="submit", loading=DiscountsState.is_saving),
                spacing="3",
                width="100%",
            ),
            key=DiscountsState.form_version,
            on_submit=DiscountsState.create,
            reset_on_submit=False,
        ),
        width="100%",
    )


def discounts_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_DISCOUNTS,
        "Discounts",
        rx.text("Codes buyers enter at checkout, for your whole store or one product.", color_scheme="gray"),
        _form(),
        rx.cond(
            DiscountsState.is_loading,
            card_skeletons(2),
            rx.cond(
                DiscountsState.discounts.length() > 0,
                _table(),
                empty_state(
                    icon="ticket-percent",
                    title="No discount codes yet",
                    text="Create a code above and share it with your audience.",
                ),
            ),
        ),
    )
