"""`/dashboard/tips`: every paid tip with its supporter and message, totals, CSV export and the tip jar's settings."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field, form_error
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.tips import TipListRow, TipsDashboardState, TipTotalView

State = TipsDashboardState
COLUMNS = ("Date", "Amount", "Supporter", "Message", "Visibility", "Status")


def _row(row: TipListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.date, href=row.detail_url, weight="medium")),
        rx.table.cell(row.amount_label),
        rx.table.cell(
            rx.vstack(
                rx.text(row.supporter, weight="medium"),
                rx.text(row.buyer_email, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(row.message, white_space="pre-line", class_name="wrap-anywhere"), max_width="24rem"),
        rx.table.cell(rx.badge(row.visibility, color_scheme=rx.cond(row.visibility == "Public", "violet", "gray"))),
        rx.table.cell(
            rx.badge(
                row.status,
                color_scheme=rx.match(row.status, ("paid", "green"), ("partially_refunded", "amber"), "gray"),
            )
        ),
    )


def _total(total: TipTotalView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(total.currency, " · ", total.count_label, size="2", color_scheme="gray"),
            rx.text(total.amount_label, size="6", weight="bold"),
            spacing="1",
        ),
        min_width="12rem",
    )


def _summary() -> rx.Component:
    return rx.hstack(
        rx.flex(rx.foreach(State.totals, _total), gap="1rem", wrap="wrap"),
        rx.spacer(),
        rx.button(rx.icon("download", size=16), "Export CSV", variant="soft", on_click=State.export_csv),
        width="100%",
        align="end",
        wrap="wrap",
        spacing="4",
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in COLUMNS])),
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


def _error_for(name: str) -> rx.Var[str]:
    return rx.cond(State.settings_error_field == name, State.settings_error, "")


def _settings() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Tip jar", as_="h2", size="4"),
                rx.text("What fans see in the “Support” section of your storefront.", size="2", color_scheme="gray"),
                form_error(rx.cond(State.settings_error_field == "", State.settings_error, "")),
                rx.grid(
                    rx.vstack(
                        rx.text("Currency", class_name="field-label", as_="div"),
                        rx.text(State.currency, weight="medium", id="tip-jar-currency"),
                        rx.text(
                            "Tips are in your store's currency, like your products. Change it in ",
                            rx.link("storefront settings", href=routes.DASHBOARD_STOREFRONT),
                            "; the amounts below then start again from that currency's defaults.",
                            size="2",
                            color_scheme="gray",
                        ),
                        spacing="1",
                        width="100%",
                        align="start",
                    ),
                    field(
                        "Preset amounts",
                        name="presets",
                        default_value=State.presets_text,
                        hint="Up to six amounts separated by spaces, like 3 5 10.",
                        error=_error_for("presets"),
                        required=True,
                    ),
                    field(
                        "Goal title (optional)",
                        name="goal_title",
                        default_value=State.goal_title,
                        hint="Like “New camera”.",
                        error=_error_for("goal_title"),
                        max_length=120,
                    ),
                    field(
                        "Goal amount (optional)",
                        name="goal_amount",
                        default_value=State.goal_amount_text,
                        hint="Empty: no goal. Paid tips in your store's currency count toward it.",
                        error=_error_for("goal_amount"),
                        input_mode="decimal",
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    gap="1rem",
                    width="100%",
                ),
                rx.button("Save tip jar", type="submit", loading=State.is_saving),
                spacing="3",
                width="100%",
            ),
            key=State.settings_version,
            on_submit=State.save_settings,
            reset_on_submit=False,
        ),
        width="100%",
    )


def tips_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_TIPS,
        "Tips",
        rx.text("One-off tips from your fans, newest first.", color_scheme="gray"),
        rx.cond(
            State.is_loading,
            card_skeletons(2),
            rx.vstack(
                _summary(),
                rx.cond(
                    State.rows.length() > 0,
                    _table(),
                    empty_state(
                        icon="heart",
                        title="No tips yet",
                        text="Tips appear here once they're paid. Share your storefront so fans can find your tip jar.",
                    ),
                ),
                _settings(),
                spacing="5",
                width="100%",
            ),
        ),
    )
