"""`/dashboard/products/{id}`: the product editor — details, pricing, cover, files and publishing."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field, file_drop, text_area_field
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.product_editor import (
    COVER_UPLOAD_ID,
    FILES_UPLOAD_ID,
    EditorFile,
    ProductEditorState,
)

State = ProductEditorState


def _card(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, as_="h2", size="4"), *children, spacing="3", width="100%"), width="100%", size="3"
    )


def _pricing() -> rx.Component:
    return rx.vstack(
        rx.el.label("Pricing", html_for="field-pricing", class_name="field-label"),
        rx.radio_group.root(
            rx.radio_group.item("Fixed price", value="fixed"),
            rx.radio_group.item("Pay what you want", value="pay_what_you_want"),
            rx.radio_group.item("Free", value="free"),
            id="field-pricing",
            name="pricing",
            default_value=State.form["pricing"],
            on_change=State.set_pricing,
            direction="row",
            spacing="4",
            aria_label="Pricing",
        ),
        rx.cond(
            State.form["pricing"] != "free",
            rx.flex(
                field(
                    rx.cond(State.form["pricing"] == "fixed", "Price", "Minimum price") + " (" + State.currency + ")",
                    name="price",
                    default_value=State.form["price"],
                    error=State.errors["price"],
                    input_mode="decimal",
                ),
                rx.cond(
                    State.form["pricing"] == "pay_what_you_want",
                    field(
                        "Suggested price (" + State.currency + ")",
                        name="suggested_price",
                        default_value=State.form["suggested_price"],
                        error=State.errors["suggested_price"],
                        input_mode="decimal",
                    ),
                ),
                gap="1rem",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
        ),
        spacing="2",
        width="100%",
    )


def _details() -> rx.Component:
    return _card(
        "Details",
        field("Title", name="title", default_value=State.form["title"], error=State.errors["title"]),
        field(
            "Summary",
            name="summary",
            default_value=State.form["summary"],
            error=State.errors["summary"],
            hint="One or two sentences for cards and search results.",
        ),
        text_area_field(
            "Description",
            name="description",
            default=State.form["description"],
            error=State.errors["description"],
            hint="Markdown: **bold**, _italic_, lists and links.",
            rows="8",
        ),
        _pricing(),
        rx.vstack(
            rx.el.label("Category", html_for="field-category", class_name="field-label"),
            rx.el.select(
                rx.foreach(State.categories, lambda pair: rx.el.option(pair[1], value=pair[0])),
                id="field-category",
                name="category",
                default_value=State.form["category"],
                class_name="native-select",
            ),
            rx.text(State.errors["category"], size="2", color_scheme="red", role="alert"),
            spacing="1",
            width="100%",
        ),
        _members_free(),
        field(
            "Tags",
            name="tags",
            default_value=State.form["tags"],
            error=State.errors["tags"],
            hint="Comma-separated, e.g. presets, film, portrait",
        ),
        rx.flex(
            field(
                "Limited quantity",
                name="quantity_limit",
                default_value=State.form["quantity_limit"],
                error=State.errors["quantity_limit"],
                hint="Empty = unlimited",
                input_mode="numeric",
            ),
            field(
                "Downloads per purchase",
                name="download_limit",
                default_value=State.form["download_limit"],
                error=State.errors["download_limit"],
                input_mode="numeric",
            ),
            field(
                "Link lifetime (days)",
                name="link_lifetime_days",
                default_value=State.form["link_lifetime_days"],
                error=State.errors["link_lifetime_days"],
                input_mode="numeric",
            ),
            gap="1rem",
            width="100%",
            direction=rx.breakpoints(initial="column", md="row"),
        ),
        _stamp_option(),
        rx.button("Save changes", type="submit", size="3", loading=State.is_saving),
    )


def _members_free() -> rx.Component:
    return rx.vstack(
        rx.el.label("Free for members", html_for="field-members-free-tier", class_name="field-label"),
        rx.el.select(
            rx.el.option("Nobody", value=""),
            rx.foreach(State.member_tier_options, lambda pair: rx.el.option(pair[1] + " and above", value=pair[0])),
            id="field-members-free-tier",
            name="members_free_tier",
            default_value=State.form["members_free_tier"],
            class_name="native-select",
        ),
        rx.cond(
            State.member_tier_options.length() > 0,
            rx.text(
                "Members of this tier or a higher one get the product without paying.",
                size="1",
                color_scheme="gray",
            ),
            rx.text(
                "Create membership tiers to give this product to your members for free.",
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.text(State.errors["members_free_tier"], size="2", color_scheme="red", role="alert"),
        spacing="1",
        width="100%",
    )


def _stamp_option() -> rx.Component:
    return rx.vstack(
        rx.checkbox(
            "Stamp PDFs with the buyer's email",
            name="stamp_pdf",
            value="on",
            default_checked=State.form["stamp_pdf"] == "on",
        ),
        rx.text(
            "Each PDF download gets a small footer line with the buyer's email and order number.",
            size="1",
            color_scheme="gray",
        ),
        spacing="1",
        width="100%",
    )


def _cover() -> rx.Component:
    return _card(
        "Cover image",
        rx.cond(
            State.cover_url != "",
            rx.image(
                src=State.cover_url, alt="Current cover image", max_width="20rem", border_radius="var(--radius-3)"
            ),
            rx.text("No cover yet. A 1600×1600 image looks sharp everywhere.", size="2", color_scheme="gray"),
        ),
        file_drop(
            rx.text("Drop a PNG, JPEG, WebP or GIF here (at most 10 MB), or click to choose", size="2"),
            id=COVER_UPLOAD_ID,
            accept={
                "image/png": [".png"],
                "image/jpeg": [".jpg", ".jpeg"],
                "image/webp": [".webp"],
                "image/gif": [".gif"],
            },
            multiple=False,
            border=f"1px dashed {rx.color('gray', 7)}",
            padding="1rem",
            border_radius="var(--radius-3)",
            label="Choose a cover image",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(COVER_UPLOAD_ID), lambda name: rx.badge(name, variant="soft")),
            rx.button(
                "Upload cover",
                variant="soft",
                on_click=State.upload_cover(rx.upload_files_chunk(upload_id=COVER_UPLOAD_ID)),
            ),
            wrap="wrap",
        ),
    )


def _scan_badge(item: EditorFile) -> rx.Component:
    return rx.cond(
        item.scan_label != "",
        rx.badge(
            rx.match(
                item.scan_status,
                ("pending", rx.spinner(size="1")),
                ("scanning", rx.spinner(size="1")),
                ("clean", rx.icon("shield-check", size=14)),
                rx.icon("shield-alert", size=14),
            ),
            item.scan_label,
            color_scheme=rx.match(
                item.scan_status, ("clean", "green"), ("infected", "red"), ("error", "amber"), "gray"
            ),
            variant="soft",
            role="status",
            white_space="normal",
        ),
    )


def _file_row(item: EditorFile) -> rx.Component:
    return rx.table.row(
        # The virus check sits under the name, so a phone shows it without scrolling the table sideways.
        rx.table.row_header_cell(rx.vstack(rx.text(item.name), _scan_badge(item), spacing="1", align="start")),
        rx.table.cell(item.kind),
        rx.table.cell(item.size),
        rx.table.cell(rx.code(item.sha256[:12], title=item.sha256)),
        rx.table.cell(_remove_dialog(item)),
    )


def _remove_dialog(item: EditorFile) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Remove", size="1", variant="soft", color_scheme="red", aria_label="Remove " + item.name)
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove " + item.name + "?"),
            rx.alert_dialog.description(
                item.name + " will be deleted from this product, and buyers will no longer be able to download it."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                rx.button("Remove file", color_scheme="red", type="button", on_click=State.delete_file(item.id)),
                justify="end",
                spacing="3",
                padding_top="1rem",
            ),
        ),
        open=State.remove_file_id == item.id,
        on_open_change=lambda is_open: State.set_remove_open(item.id, is_open),
    )


def _upload_progress() -> rx.Component:
    return rx.cond(
        State.is_uploading,
        rx.hstack(
            rx.progress(value=State.upload_progress, max=100, width="100%", aria_label="Upload progress"),
            rx.text(State.upload_progress.to_string() + "%", size="2", min_width="3rem"),
            rx.button("Cancel upload", size="1", variant="soft", color_scheme="red", on_click=State.cancel_upload),
            width="100%",
            align="center",
        ),
    )


def _files() -> rx.Component:
    return _card(
        "Files",
        rx.text(
            "What buyers download: PDF, ZIP, EPUB, MP3, WAV, MP4, PNG, JPEG or plain text, up to 2 GB each.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            State.files.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(name) for name in ("File", "Type", "Size", "SHA-256")],
                            rx.table.column_header_cell(rx.el.span("Actions", class_name="visually-hidden")),
                        )
                    ),
                    rx.table.body(rx.foreach(State.files, _file_row)),
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            rx.text("No files yet.", size="2"),
        ),
        file_drop(
            rx.vstack(
                rx.icon("upload", size=20), rx.text("Drop a file here, or click to choose", size="2"), align="center"
            ),
            id=FILES_UPLOAD_ID,
            multiple=False,
            border=f"1px dashed {rx.color('gray', 7)}",
            padding="1.5rem",
            border_radius="var(--radius-3)",
            width="100%",
            label="Choose a product file",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(FILES_UPLOAD_ID), lambda name: rx.badge(name, variant="soft")),
            rx.button(
                "Upload file",
                loading=State.is_uploading,
                on_click=State.upload_file(
                    rx.upload_files_chunk(upload_id=FILES_UPLOAD_ID, on_upload_progress=State.on_upload_progress)
                ),
            ),
            wrap="wrap",
            align="center",
        ),
        _upload_progress(),
        rx.cond(
            State.upload_error != "",
            rx.callout(State.upload_error, icon="circle-alert", color_scheme="red", role="alert"),
        ),
    )


def _publishing() -> rx.Component:
    return rx.hstack(
        rx.badge(
            State.status,
            size="2",
            color_scheme=rx.match(State.status, ("published", "green"), ("archived", "amber"), "gray"),
        ),
        rx.spacer(),
        rx.cond(
            State.status == "published",
            rx.link(rx.button("View on storefront", variant="soft"), href=State.public_url, is_external=True),
        ),
        rx.cond(
            State.status == "published",
            rx.button("Unpublish", variant="soft", color_scheme="gray", on_click=State.change_status("draft")),
            rx.button("Publish", on_click=State.change_status("published")),
        ),
        rx.cond(
            State.status != "archived",
            rx.button("Archive", variant="soft", color_scheme="amber", on_click=State.change_status("archived")),
        ),
        width="100%",
        wrap="wrap",
        align="center",
    )


def product_editor_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_PRODUCTS,
        "Edit product",
        rx.cond(
            State.is_loading,
            card_skeletons(1),
            rx.cond(
                State.is_found,
                rx.vstack(
                    _publishing(),
                    rx.form(_details(), on_submit=State.save, width="100%"),
                    _cover(),
                    _files(),
                    spacing="4",
                    width="100%",
                ),
                empty_state(
                    icon="package-x",
                    title="Product not found",
                    text="It may have been deleted.",
                    action=rx.link(rx.button("Back to products"), href=routes.DASHBOARD_PRODUCTS),
                ),
            ),
        ),
    )
