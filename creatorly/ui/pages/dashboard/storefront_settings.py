"""`/dashboard/storefront`: storefront settings with a live preview of the header fans will see."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.forms import field, file_drop, select_field, text_area_field
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.storefront_settings import (
    AVATAR_UPLOAD_ID,
    BANNER_UPLOAD_ID,
    StorefrontSettingsState,
)

State = StorefrontSettingsState


def _live(name: str) -> dict[str, object]:
    return {"default_value": State.form[name], "on_change": lambda value: State.set_field(name, value)}


def _preview() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Preview", size="1", weight="bold", color_scheme="gray"),
            rx.box(
                rx.cond(
                    State.banner_url != "",
                    rx.image(src=State.banner_url, alt="", width="100%", height="100%", object_fit="cover"),
                ),
                height="6rem",
                width="100%",
                border_radius="var(--radius-3)",
                background=State.form["accent_color"],
                overflow="hidden",
            ),
            rx.hstack(
                rx.avatar(
                    src=State.avatar_url,
                    fallback=State.form["display_name"][:1],
                    size="5",
                    radius="full",
                    margin_top="-2rem",
                    custom_attrs={"alt": "Profile picture"},  # Radix passes it to the avatar's <img>
                ),
                rx.vstack(
                    rx.heading(State.form["display_name"], size="5", as_="h3"),
                    rx.text("@", State.form["handle"], size="2", color_scheme="gray"),
                    spacing="0",
                ),
                align="end",
                spacing="3",
            ),
            rx.box(rx.markdown(State.form["bio"]), font_size="0.9rem", color=rx.color("gray", 11)),
            spacing="3",
            width="100%",
        ),
        width="100%",
        aria_label="Storefront preview",
    )


def _image_upload(label: str, upload_id: str, handler: rx.EventHandler, hint: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, class_name="field-label"),
        file_drop(
            rx.text(hint, size="2"),
            id=upload_id,
            multiple=False,
            accept={
                "image/png": [".png"],
                "image/jpeg": [".jpg", ".jpeg"],
                "image/webp": [".webp"],
                "image/gif": [".gif"],
            },
            border=f"1px dashed {rx.color('gray', 7)}",
            padding="0.75rem",
            border_radius="var(--radius-3)",
            width="100%",
            label=f"Choose {label.lower()}",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(upload_id), lambda name: rx.badge(name, variant="soft")),
            rx.button(
                f"Upload {label.lower()}",
                size="2",
                variant="soft",
                on_click=handler(rx.upload_files_chunk(upload_id=upload_id)),
            ),
            wrap="wrap",
        ),
        width="100%",
        spacing="2",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Handle",
                name="handle",
                error=State.errors["handle"],
                hint="Your storefront address: /handle",
                **_live("handle"),
            ),
            field("Storefront name", name="display_name", error=State.errors["display_name"], **_live("display_name")),
            text_area_field(
                "Bio",
                name="bio",
                error=State.errors["bio"],
                hint="Markdown: **bold**, _italic_, links.",
                rows="5",
                default=State.form["bio"],
                on_change=lambda value: State.set_field("bio", value),
            ),
            text_area_field(
                "Links",
                name="social_links",
                error=State.errors["social_links"],
                hint="One https:// address per line (at most 5).",
                rows="3",
                default=State.form["social_links"],
            ),
            rx.vstack(
                rx.el.label("Accent colour", html_for="field-accent_color", class_name="field-label"),
                rx.el.input(
                    id="field-accent_color",
                    name="accent_color",
                    type="color",
                    default_value=State.form["accent_color"],
                    on_change=lambda value: State.set_field("accent_color", value),
                    class_name="color-input",
                ),
                rx.text(State.errors["accent_color"], size="2", color_scheme="red", role="alert"),
                spacing="1",
            ),
            rx.flex(
                select_field(
                    "Currency",
                    name="currency",
                    options=State.currencies,
                    default=State.form["currency"],
                    error=State.errors["currency"],
                ),
                select_field(
                    "Timezone",
                    name="timezone",
                    options=State.timezone_options,
                    default=State.form["timezone"],
                    error=State.errors["timezone"],
                ),
                gap="1rem",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
            rx.button("Save storefront", type="submit", size="3", loading=State.is_saving),
            spacing="4",
            width="100%",
        ),
        on_submit=State.save,
        width="100%",
    )


def storefront_settings_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_STOREFRONT,
        "Storefront",
        rx.hstack(
            rx.text("How your storefront looks to fans.", color_scheme="gray"),
            rx.spacer(),
            rx.link(rx.button("View storefront", variant="soft"), href=State.storefront_url, is_external=True),
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            State.form.contains("handle"),
            rx.grid(
                rx.card(_form(), size="3"),
                rx.vstack(
                    _preview(),
                    rx.card(
                        rx.vstack(
                            _image_upload(
                                "Avatar", AVATAR_UPLOAD_ID, State.upload_avatar, "Square image, at most 5 MB"
                            ),
                            _image_upload(
                                "Banner", BANNER_UPLOAD_ID, State.upload_banner, "Wide image (3:1), at most 10 MB"
                            ),
                            spacing="4",
                        ),
                        width="100%",
                        size="3",
                    ),
                    spacing="4",
                    position=rx.breakpoints(initial="static", md="sticky"),
                    top="5rem",
                ),
                columns=rx.breakpoints(initial="1", md="2"),
                gap="1.5rem",
                width="100%",
                align_items="start",
            ),
            rx.spinner(),
        ),
    )
