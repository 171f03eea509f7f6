"""`/dashboard/members`: MRR and member counts, active members and MRR by tier, and the members list with filters."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field
from creatorly.ui.components.storefront import link_button
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.members import FilterOption, MemberListRow, MembersDashboardState, TierFigureRow

State = MembersDashboardState
COLUMNS = ("Member", "Tier", "Status", "Price", "Member since", "Next charge", "Lifetime value")
MRR_HELP = (
    "Monthly recurring revenue: what your active and past-due memberships that will renew bring in a month, "
    "before fees. Weekly prices count ×52÷12, quarterly ÷3, yearly ÷12, each rounded to the cent per member. "
    "Trials, paused memberships and ones cancelling at the period's end are not counted."
)
STATUS_COLORS = (("active", "green"), ("trialing", "blue"), ("past_due", "amber"), ("canceled", "red"))


def _stat(label: str, value: rx.Component, hint: rx.Var[str] | str, *extra: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.text(label, size="2", color_scheme="gray", weight="medium"), *extra, align="center"),
            value,
            rx.text(hint, size="1", color_scheme="gray"),
            spacing="1",
            role="group",
            aria_label=label,
        ),
        width="100%",
    )


def _mrr_help() -> rx.Component:
    return rx.tooltip(
        rx.icon_button(rx.icon("info", size=14), variant="ghost", size="1", aria_label="How MRR is counted"),
        content=MRR_HELP,
    )


def _count(value: rx.Var[int]) -> rx.Component:
    return rx.text(value.to_string(), size="6", weight="bold", class_name="tabular-figures")


def _summary() -> rx.Component:
    return rx.grid(
        _stat(
            "MRR",
            rx.vstack(
                rx.foreach(
                    State.mrr_labels,
                    lambda label: rx.text(label, size="6", weight="bold", class_name="tabular-figures"),
                ),
                spacing="0",
            ),
            "Per month, before fees",
            _mrr_help(),
        ),
        _stat("Active members", _count(State.active_count), "Paid up and renewing or cancelling"),
        _stat("Trialing", _count(State.trialing_count), "In a free trial"),
        _stat(
            "Past due",
            _count(State.past_due_count),
            State.paused_count.to_string() + " paused · " + State.canceled_count.to_string() + " ended",
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        gap="1rem",
        width="100%",
    )


def _chart(title: str, data: rx.Var[Any], key: str, name: rx.Var[str] | str, color: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, as_="h2", size="3"),
            rx.box(
                rx.recharts.bar_chart(
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                    rx.recharts.x_axis(data_key="tier", tick_line=False, font_size=12),
                    rx.recharts.y_axis(width=40, tick_line=False, axis_line=False, font_size=12, allow_decimals=False),
                    rx.recharts.graphing_tooltip(),
                    rx.recharts.bar(
                        data_key=key, name=name, fill=rx.color(color, 9), radius=[6, 6, 0, 0], max_bar_size=56
                    ),
                    data=data,
                    height=180,
                    width="100%",
                    margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
                    custom_attrs={"accessibilityLayer": False},  # hidden from readers: no keyboard stop either
                ),
                aria_hidden="true",  # the table below carries the same figures for everyone
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _tier_row(row: TierFigureRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.tier_name),
        rx.table.cell(row.active_members.to_string()),
        rx.table.cell(row.mrr_label),
    )


def _by_tier() -> rx.Component:
    return rx.vstack(
        rx.grid(
            _chart("Active members by tier", State.member_chart, "members", "Active members", "violet"),
            _chart("MRR by tier", State.mrr_chart, "mrr", "MRR (" + State.mrr_chart_currency + ")", "grass"),
            columns=rx.breakpoints(initial="1", md="2"),
            gap="1rem",
            width="100%",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(name) for name in ("Tier", "Active members", "MRR")])
                ),
                rx.table.body(rx.foreach(State.tier_rows, _tier_row)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
            role="region",
            aria_label="Members and MRR by tier",
        ),
        spacing="3",
        width="100%",
    )


def _select(
    label: str, field_id: str, options: rx.Var[list[FilterOption]], value: rx.Var[str], on_change: rx.EventHandler
) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.el.select(
            rx.foreach(options, lambda option: rx.el.option(option.label, value=option.value)),
            id=field_id,
            value=value,
            on_change=on_change,
            class_name="native-select",
        ),
        spacing="1",
        min_width="10rem",
    )


def _filters() -> rx.Component:
    return rx.vstack(
        rx.flex(
            _select("Tier", "members-tier", State.tier_options, State.tier_filter, State.filter_by_tier),
            _select("Status", "members-status", State.status_options, State.status_filter, State.filter_by_status),
            rx.form(
                rx.hstack(
                    field("Search members", name="search", placeholder="Email"),
                    rx.button("Search", type="submit", variant="soft", size="3"),
                    align="center",
                    spacing="2",
                ),
                on_submit=State.search,
                reset_on_submit=False,
                width="100%",
                max_width="24rem",
            ),
            width="100%",
            wrap="wrap",
            align="end",
            gap="1rem",
        ),
        rx.hstack(
            rx.text(State.total_label, size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button(rx.icon("download", size=16), "Export CSV", variant="soft", on_click=State.export_csv),
            width="100%",
            align="center",
        ),
        spacing="3",
        width="100%",
    )


def _row(row: MemberListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.text(row.member_email, weight="medium", class_name="wrap-anywhere"), min_width="14rem"
        ),
        rx.table.cell(row.tier_name, white_space="nowrap"),
        rx.table.cell(rx.badge(row.status_label, color_scheme=rx.match(row.status, *STATUS_COLORS, "gray"))),
        rx.table.cell(row.price_label, white_space="nowrap"),
        rx.table.cell(row.since, white_space="nowrap"),
        rx.table.cell(row.next_charge, white_space="nowrap"),
        rx.table.cell(row.lifetime_value_label),
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
            role="region",
            aria_label="Members list",
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


def _members() -> rx.Component:
    return rx.vstack(
        _summary(),
        _by_tier(),
        rx.heading("All members", as_="h2", size="5"),
        _filters(),
        rx.cond(
            State.rows.length() > 0,
            _table(),
            empty_state(icon="search", title="No members match", text="Try another tier, status or search."),
        ),
        spacing="5",
        width="100%",
    )


def _no_members() -> rx.Component:
    return empty_state(
        icon="crown",
        title="No members yet",
        text="Fans who join one of your tiers appear here with their tier, status and what they've paid. "
        "Publish a tier so fans can join from your storefront.",
        action=link_button("Go to tiers", href=routes.DASHBOARD_TIERS),
    )


def members_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_MEMBERS,
        "Members",
        rx.text("Everyone who joined one of your tiers, and what memberships bring each month.", color_scheme="gray"),
        rx.cond(State.is_loading, card_skeletons(3), rx.cond(State.has_members, _members(), _no_members())),
    )
