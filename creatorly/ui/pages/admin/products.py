"""`/admin/products` (search by title or creator, load more) and `/admin/products/[admin_product_id]`."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_action import admin_action_form
from creatorly.ui.components.admin_table import admin_table, list_body, search_bar, search_field
from creatorly.ui.pages.admin.creators import admin_shell, facts, not_found, section
from creatorly.ui.states.admin.products import AdminProductsState, AdminProductState, FileRow, ProductListRow


def _product_row(row: ProductListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.title, href=row.href)),
        rx.table.cell(rx.text(row.creator_handle, size="2")),
        rx.table.cell(rx.text(row.price, size="2")),
        rx.table.cell(rx.badge(row.status)),
        rx.table.cell(rx.text(row.sold.to_string(), size="2")),
    )


def products_page() -> rx.Component:
    state = AdminProductsState
    return admin_shell(
        routes.ADMIN_PRODUCTS,
        "Products",
        "Find a product by its title or its creator.",
        state.is_allowed,
        rx.vstack(
            search_bar(
                search_field(
                    "Search products", name="query", input_type="search", placeholder="title, creator handle or name"
                ),
                on_submit=state.search,
                label="Product search",
                is_loading=state.is_loading,
            ),
            list_body(
                label="Products",
                columns=("Title", "Creator", "Price", "Status", "Sold"),
                state=state,
                render=_product_row,
                empty="No product matches that search.",
            ),
            spacing="4",
            width="100%",
        ),
    )


def _file_row(row: FileRow) -> rx.Component:
    return rx.table.row(rx.table.row_header_cell(row.name), rx.table.cell(row.content_type), rx.table.cell(row.size))


def product_actions() -> rx.Component:
    """The product's admin actions: taking it down while it is on sale."""
    state = AdminProductState
    return rx.vstack(
        rx.heading("Actions", as_="h2", size="4"),
        rx.cond(
            state.is_published,
            admin_action_form(
                title="Unpublish this product",
                description="Takes it off the storefront; the creator can't publish it again unless an appeal "
                "reverses this. Existing buyers keep their downloads.",
                button_label="Unpublish product",
                on_submit=state.unpublish,
                target_id=state.product_id,
                form_id="unpublish",
                is_loading=state.is_working,
            ),
            rx.text("The product is not on sale, so there is nothing to take down.", size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def product_page() -> rx.Component:
    state = AdminProductState
    return admin_shell(
        routes.ADMIN_PRODUCTS,
        "Product",
        "What is on sale, by whom, and how it sells.",
        state.is_allowed,
        rx.cond(
            state.is_found,
            rx.vstack(
                rx.link("← All products", href=routes.ADMIN_PRODUCTS, size="2"),
                section(
                    state.title,
                    facts(
                        (
                            "Creator",
                            rx.link(state.creator_name, " (", state.creator_handle, ")", href=state.creator_href),
                        ),
                        ("Price", state.price),
                        ("Status", rx.badge(state.status)),
                        ("Sales", state.sales_count.to_string()),
                        ("Created", state.created),
                        (
                            "Public page",
                            rx.cond(
                                state.public_href != "",
                                rx.link("Open the public page", href=state.public_href),
                                rx.text("Not public", size="2", color_scheme="gray"),
                            ),
                        ),
                    ),
                ),
                section(
                    "Files",
                    rx.cond(
                        state.files.length() > 0,
                        admin_table(
                            label="Files", columns=("Name", "Type", "Size"), rows=state.files, render=_file_row
                        ),
                        rx.text("No files.", size="2", color_scheme="gray"),
                    ),
                ),
                product_actions(),
                spacing="4",
                width="100%",
            ),
            not_found("No product has that id."),
        ),
    )
