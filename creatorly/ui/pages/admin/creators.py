"""`/admin/creators` (search, load more) and `/admin/creators/[admin_creator_id]` (state, terms, money, actions).

Also the small layout pieces the admin products and orders pages share: the page shell, sections, facts list.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_action import admin_action_form
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.admin_table import admin_table, list_body, search_bar, search_field
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.admin.creators import (
    AdminCreatorsState,
    AdminCreatorState,
    AdminOrderRow,
    AdminPostRow,
    BalanceRow,
    CreatorListRow,
)

ORDER_COLUMNS = ("Order", "When", "Creator", "What", "Buyer", "Amount", "Status")


# --- Shared pieces ---------------------------------------------------------------------------------------------


def admin_shell(current: str, title: str, intro: str, is_allowed: rx.Var[bool], body: rx.Component) -> rx.Component:
    return site_layout(
        rx.vstack(
            admin_nav(current),
            rx.heading(title, as_="h1", size="7"),
            rx.text(intro, color_scheme="gray"),
            rx.cond(is_allowed, body, card_skeletons(1)),
            spacing="5",
            width="100%",
        )
    )


def facts(*pairs: tuple[str, Any]) -> rx.Component:
    return rx.el.dl(
        *[
            rx.flex(
                rx.el.dt(rx.text(name, size="2", color_scheme="gray"), min_width="10rem"),
                rx.el.dd(value if isinstance(value, rx.Component) else rx.text(value, size="2"), margin="0"),
                spacing="3",
                wrap="wrap",
            )
            for name, value in pairs
        ],
        width="100%",
    )


def section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, as_="h2", size="4"), *children, spacing="3", width="100%"), width="100%")


def order_row(row: AdminOrderRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.public_id, href=row.href)),
        rx.table.cell(rx.text(row.at, size="2"), white_space="nowrap"),
        rx.table.cell(rx.text(row.creator_handle, size="2")),
        rx.table.cell(rx.text(row.item, size="2")),
        rx.table.cell(rx.text(row.buyer_email, size="2")),
        rx.table.cell(rx.text(row.amount, size="2")),
        rx.table.cell(rx.badge(row.status_label)),
    )


def not_found(text: str) -> rx.Component:
    return empty_state(icon="search-x", title="Not found", text=text)


# --- The creators list -----------------------------------------------------------------------------------------


def _creator_row(row: CreatorListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.handle, href=row.href)),
        rx.table.cell(rx.text(row.name, size="2")),
        rx.table.cell(rx.text(row.email, size="2")),
        rx.table.cell(rx.badge(row.state_label, color_scheme=rx.cond(row.is_suspended, "red", "green"))),
        rx.table.cell(rx.text(row.joined, size="2"), white_space="nowrap"),
    )


def creators_page() -> rx.Component:
    state = AdminCreatorsState
    return admin_shell(
        routes.ADMIN_CREATORS,
        "Creators",
        "Find a creator by handle, name or email.",
        state.is_allowed,
        rx.vstack(
            search_bar(
                search_field("Search creators", name="query", input_type="search", placeholder="handle, name or email"),
                on_submit=state.search,
                label="Creator search",
                is_loading=state.is_loading,
            ),
            list_body(
                label="Creators",
                columns=("Handle", "Name", "Email", "State", "Joined"),
                state=state,
                render=_creator_row,
                empty="No creator matches that search.",
            ),
            spacing="4",
            width="100%",
        ),
    )


# --- One creator -----------------------------------------------------------------------------------------------


def _balance_row(row: BalanceRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.currency),
        rx.table.cell(row.available),
        rx.table.cell(row.pending),
        rx.table.cell(row.in_payout),
        rx.table.cell(row.paid_out),
    )


def _summary() -> rx.Component:
    state = AdminCreatorState
    return section(
        "Creator",
        rx.cond(
            state.is_suspended,
            rx.callout(
                rx.text("Suspended since ", state.suspended_at, ". Reason: ", state.suspension_reason),
                icon="ban",
                color_scheme="red",
                width="100%",
            ),
        ),
        facts(
            ("Handle", rx.link(state.handle, href=state.storefront_href)),
            ("Name", state.display_name),
            ("Email", state.email),
            ("State", rx.badge(rx.cond(state.is_suspended, "Suspended", "Active"))),
            ("Products", state.product_count.to_string()),
            ("Joined", state.joined),
            ("Platform fee", state.platform_fee_label),
            ("Hold period", state.hold_period_label),
            (
                "Payouts",
                rx.cond(
                    state.is_payout_under_review,
                    rx.text("Under review: ", state.payout_review_note, size="2"),
                    rx.text(rx.cond(state.is_suspended, "Held while suspended", "Not held"), size="2"),
                ),
            ),
        ),
    )


def _money() -> rx.Component:
    state = AdminCreatorState
    return section(
        "Balances",
        rx.cond(
            state.balances.length() > 0,
            admin_table(
                label="Balances",
                columns=("Currency", "Available", "Pending", "In payout", "Paid out"),
                rows=state.balances,
                render=_balance_row,
            ),
            rx.text("No earnings yet.", size="2", color_scheme="gray"),
        ),
    )


def _recent_orders() -> rx.Component:
    state = AdminCreatorState
    return section(
        "Recent orders",
        rx.cond(
            state.recent_orders.length() > 0,
            admin_table(label="Recent orders", columns=ORDER_COLUMNS, rows=state.recent_orders, render=order_row),
            rx.text("No orders yet.", size="2", color_scheme="gray"),
        ),
    )


def _post_row(row: AdminPostRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row.title, size="2")),
        rx.table.cell(rx.badge(row.state, color_scheme=rx.cond(row.state == "Hidden", "red", "gray"))),
        rx.table.cell(rx.link("Moderate", href=row.moderation_href, size="2", aria_label="Moderate " + row.title)),
    )


def _posts() -> rx.Component:
    state = AdminCreatorState
    return section(
        "Posts",
        rx.cond(
            state.posts.length() > 0,
            admin_table(label="Posts", columns=("Title", "State", ""), rows=state.posts, render=_post_row),
            rx.text("No posts yet.", size="2", color_scheme="gray"),
        ),
    )


def creator_actions() -> rx.Component:
    """Suspend or restore, and change the fee and hold; every action asks for a reason."""
    state = AdminCreatorState
    return rx.vstack(
        rx.heading("Actions", as_="h2", size="4"),
        rx.cond(
            state.is_suspended,
            admin_action_form(
                title="Restore storefront",
                description="Pages, checkouts and payouts come back; the creator is emailed the reason.",
                button_label="Restore",
                on_submit=state.restore,
                target_id=state.creator_id,
                form_id="restore",
                is_loading=state.is_working,
                color_scheme="green",
            ),
            admin_action_form(
                title="Suspend storefront",
                description="Hides the storefront, products and posts, refuses new orders and holds payouts. "
                "Buyers keep their downloads. The creator is emailed the reason.",
                button_label="Suspend",
                on_submit=state.suspend,
                target_id=state.creator_id,
                form_id="suspend",
                is_loading=state.is_working,
            ),
        ),
        admin_action_form(
            title="Change fee and hold",
            description="Leave a field empty for the platform default.",
            button_label="Save terms",
            on_submit=state.set_terms,
            target_id=state.creator_id,
            form_id="terms",
            is_loading=state.is_working,
            color_scheme="violet",
            extra_fields=(
                field(
                    "Platform fee (%)",
                    name="platform_fee_percent",
                    form_id="terms",
                    default_value=state.platform_fee_percent,
                    input_mode="decimal",
                ),
                field(
                    "Hold period (days)",
                    name="hold_period_days",
                    form_id="terms",
                    default_value=state.hold_period_days,
                    input_mode="numeric",
                ),
            ),
        ),
        spacing="3",
        width="100%",
    )


def creator_page() -> rx.Component:
    state = AdminCreatorState
    return admin_shell(
        routes.ADMIN_CREATORS,
        "Creator",
        "Their storefront's state, terms and money, and what admins can do about it.",
        state.is_allowed,
        rx.cond(
            state.is_found,
            rx.vstack(
                rx.link("← All creators", href=routes.ADMIN_CREATORS, size="2"),
                rx.grid(
                    rx.vstack(_summary(), _money(), spacing="4", width="100%"),
                    creator_actions(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                ),
                _recent_orders(),
                _posts(),
                spacing="4",
                width="100%",
            ),
            not_found("No creator has that id."),
        ),
    )
