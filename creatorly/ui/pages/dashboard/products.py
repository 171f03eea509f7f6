"""`/dashboard/products`: every product with status, price, files and sales, and what to do next."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.products import ProductListItem, ProductsState


def _status(status: rx.Var[str]) -> rx.Component:
    return rx.badge(status, color_scheme=rx.match(status, ("published", "green"), ("archived", "amber"), "gray"))


def _actions(item: ProductListItem) -> rx.Component:
    return rx.hstack(
        rx.link(rx.button("Edit", size="1", variant="soft"), href=item.edit_url, aria_label="Edit " + item.title),
        rx.cond(
            item.status == "published",
            rx.button(
                "Unpublish",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=ProductsState.change_status(item.id, "draft"),
            ),
            rx.button("Publish", size="1", on_click=ProductsState.change_status(item.id, "published")),
        ),
        rx.cond(
            item.sold_count > 0,
            rx.button(
                "Archive",
                size="1",
                variant="soft",
                color_scheme="amber",
                on_click=ProductsState.change_status(item.id, "archived"),
            ),
            rx.button("Delete", size="1", variant="soft", color_scheme="red", on_click=ProductsState.delete(item.id)),
        ),
        spacing="2",
        wrap="wrap",
    )


def _row(item: ProductListItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(item.title, href=item.edit_url, weight="medium")),
        rx.table.cell(_status(item.status)),
        rx.table.cell(item.price_label),
        rx.table.cell(item.file_count),
        rx.table.cell(item.sold_count),
        rx.table.cell(item.updated),
        rx.table.cell(_actions(item)),
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(name)
                        for name in ("Product", "Status", "Price", "Files", "Sales", "Updated")
                    ],
                    rx.table.column_header_cell(rx.el.span("Actions", class_name="visually-hidden")),
                )
            ),
            rx.table.body(rx.foreach(ProductsState.products, _row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def products_page() -> rx.Component:
    new_button = rx.button(rx.icon("plus", size=16), "New product", on_click=ProductsState.create)
    return dashboard_layout(
        routes.DASHBOARD_PRODUCTS,
        "Products",
        rx.hstack(
            rx.text("Create, publish and manage what you sell.", color_scheme="gray"),
            rx.spacer(),
            new_button,
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            ProductsState.is_loading,
            card_skeletons(2),
            rx.cond(
                ProductsState.products.length() > 0,
                _table(),
                empty_state(
                    icon="package-plus",
                    title="Add your first product",
                    text="Upload an e-book, presets, music or anything digital, set a price and publish it.",
                    action=rx.button("Create a product", size="3", on_click=ProductsState.create),
                ),
            ),
        ),
    )
