"""`/dashboard/tiers` (the membership ladder: prices, published state, members, order) and its editor."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field, text_area_field
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.tiers import TierEditorState, TierListItem, TiersState

Editor = TierEditorState


def _status(is_published: rx.Var[bool]) -> rx.Component:
    return rx.cond(is_published, rx.badge("published", color_scheme="green"), rx.badge("hidden", color_scheme="gray"))


def _order_buttons(item: TierListItem) -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("arrow-up", size=14),
            size="1",
            variant="soft",
            color_scheme="gray",
            disabled=item.is_first,
            on_click=TiersState.move(item.id, -1),
            aria_label="Move " + item.name + " up",
        ),
        rx.icon_button(
            rx.icon("arrow-down", size=14),
            size="1",
            variant="soft",
            color_scheme="gray",
            disabled=item.is_last,
            on_click=TiersState.move(item.id, 1),
            aria_label="Move " + item.name + " down",
        ),
        spacing="1",
    )


def _actions(item: TierListItem) -> rx.Component:
    return rx.hstack(
        rx.link(rx.button("Edit", size="1", variant="soft"), href=item.edit_url, aria_label="Edit " + item.name),
        rx.cond(
            item.is_published,
            rx.button(
                "Unpublish",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=TiersState.set_published(item.id, False),
            ),
            rx.button("Publish", size="1", on_click=TiersState.set_published(item.id, True)),
        ),
        rx.button("Delete", size="1", variant="soft", color_scheme="red", on_click=TiersState.delete(item.id)),
        spacing="2",
        wrap="wrap",
    )


def _row(item: TierListItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_order_buttons(item)),
        rx.table.row_header_cell(rx.link(item.name, href=item.edit_url, weight="medium")),
        rx.table.cell(item.prices),
        rx.table.cell(_status(item.is_published)),
        rx.table.cell(item.members),
        rx.table.cell(_actions(item)),
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Order"),
                    *[rx.table.column_header_cell(name) for name in ("Tier", "Prices", "Status", "Members")],
                    rx.table.column_header_cell(rx.el.span("Actions", class_name="visually-hidden")),
                )
            ),
            rx.table.body(rx.foreach(TiersState.tiers, _row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def tiers_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_TIERS,
        "Membership tiers",
        rx.hstack(
            rx.text(
                "Lowest tier first: members of a tier read everything for the tiers above it.", color_scheme="gray"
            ),
            rx.spacer(),
            rx.button(rx.icon("plus", size=16), "New tier", on_click=TiersState.create),
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            TiersState.is_loading,
            card_skeletons(2),
            rx.cond(
                TiersState.tiers.length() > 0,
                _table(),
                empty_state(
                    icon="crown",
                    title="Add your first tier",
                    text="Fans support you every month and unlock members-only posts.",
                    action=rx.button("Create a tier", size="3", on_click=TiersState.create),
                ),
            ),
        ),
    )


def _card(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, as_="h2", size="4"), *children, spacing="3", width="100%"), width="100%", size="3"
    )


def _price_field(label: str, name: str) -> rx.Component:
    return field(
        label,
        name=name,
        default_value=Editor.form[name],
        error=Editor.errors[name],
        input_mode="decimal",
        hint="Empty = not offered",
    )


def _editor_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _card(
                "Tier",
                field("Name", name="name", default_value=Editor.form["name"], error=Editor.errors["name"]),
                text_area_field(
                    "Description",
                    name="description",
                    default=Editor.form["description"],
                    error=Editor.errors["description"],
                    hint="Markdown: **bold**, _italic_, lists and links.",
                    rows="4",
                ),
                text_area_field(
                    "Benefits",
                    name="benefits",
                    default=Editor.form["benefits"],
                    error=Editor.errors["benefits"],
                    hint="One per line, up to 10.",
                    rows="4",
                ),
            ),
            _card(
                "Prices",
                rx.text(
                    "In ", Editor.currency, ". Offer one or several billing periods.", size="2", color_scheme="gray"
                ),
                rx.grid(
                    _price_field("Weekly", "price_weekly"),
                    _price_field("Monthly", "price_monthly"),
                    _price_field("Quarterly", "price_quarterly"),
                    _price_field("Yearly", "price_yearly"),
                    columns=rx.breakpoints(initial="1", sm="2", md="4"),
                    gap="1rem",
                    width="100%",
                ),
                rx.flex(
                    field(
                        "Free trial (days)",
                        name="trial_days",
                        default_value=Editor.form["trial_days"],
                        error=Editor.errors["trial_days"],
                        input_mode="numeric",
                        hint="Empty = no trial",
                    ),
                    field(
                        "Member limit",
                        name="member_cap",
                        default_value=Editor.form["member_cap"],
                        error=Editor.errors["member_cap"],
                        input_mode="numeric",
                        hint="Empty = unlimited",
                    ),
                    gap="1rem",
                    width="100%",
                    direction=rx.breakpoints(initial="column", sm="row"),
                ),
            ),
            _card(
                "Welcome message",
                text_area_field(
                    "Sent to new members",
                    name="welcome_message",
                    default=Editor.form["welcome_message"],
                    error=Editor.errors["welcome_message"],
                    rows="3",
                ),
            ),
            rx.button("Save tier", type="submit", size="3", loading=Editor.is_saving),
            spacing="4",
            width="100%",
        ),
        on_submit=Editor.save,
        width="100%",
    )


def _publishing() -> rx.Component:
    return rx.hstack(
        _status(Editor.is_published),
        rx.spacer(),
        rx.link(rx.button("All tiers", variant="soft", color_scheme="gray"), href=routes.DASHBOARD_TIERS),
        rx.cond(
            Editor.is_published,
            rx.button("Unpublish", variant="soft", color_scheme="gray", on_click=Editor.set_published(False)),
            rx.button("Publish", on_click=Editor.set_published(True)),
        ),
        width="100%",
        align="center",
        wrap="wrap",
    )


def tier_editor_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_TIERS,
        "Edit tier",
        rx.cond(
            Editor.is_loading,
            card_skeletons(1),
            rx.cond(
                Editor.is_found,
                rx.vstack(_publishing(), _editor_form(), spacing="4", width="100%"),
                empty_state(
                    icon="crown",
                    title="Tier not found",
                    text="It may have been deleted.",
                    action=rx.link(rx.button("Back to tiers"), href=routes.DASHBOARD_TIERS),
                ),
            ),
        ),
    )
