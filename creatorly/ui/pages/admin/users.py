"""`/admin/users` and `/admin/users/[admin_user_id]`: people by email, and one person's account in detail."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_action import admin_action_form
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.admin_table import fact, list_body, search_bar, search_field
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.admin.users import AdminUsersState, AdminUserState, UserListRow

COLUMNS = ("Email", "Name", "Role", "Two-factor", "Creator", "Created")


def _creator_link(handle: rx.Var[str], href: rx.Var[str]) -> rx.Component:
    return rx.cond(handle != "", rx.link("@" + handle, href=href), rx.text("—", color_scheme="gray"))


def _row(row: UserListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.email, href=row.href)),
        rx.table.cell(row.name),
        rx.table.cell(rx.badge(row.role)),
        rx.table.cell(row.two_factor),
        rx.table.cell(_creator_link(row.creator_handle, row.creator_href)),
        rx.table.cell(rx.text(row.created, white_space="nowrap")),
    )


def admin_users_page() -> rx.Component:
    state = AdminUsersState
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_USERS),
            rx.heading("Users", as_="h1", size="7"),
            rx.cond(
                state.is_allowed,
                rx.vstack(
                    search_bar(
                        search_field("Email contains", name="email", placeholder="e.g. @example.com"),
                        on_submit=state.search,
                        label="Search users",
                        is_loading=state.is_loading,
                    ),
                    list_body(
                        label="Users",
                        columns=COLUMNS,
                        state=state,
                        render=_row,
                        empty="Nobody matches this search.",
                        icon="users",
                        title="No users",
                    ),
                    width="100%",
                    spacing="4",
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )


def payout_review_actions(
    *, under_review: rx.Var[bool], creator_id: rx.Var[int], on_hold: Any, on_release: Any, is_loading: rx.Var[bool]
) -> rx.Component:
    """Hold a creator's payouts (withdrawals and scheduled payouts stop) or release them, with a reason."""
    return rx.cond(
        under_review,
        admin_action_form(
            title="Release payouts",
            description="Withdrawals and scheduled payouts resume.",
            button_label="Release payouts",
            on_submit=on_release,
            target_id=creator_id,
            form_id="release-payouts",
            is_loading=is_loading,
            color_scheme="grass",
        ),
        admin_action_form(
            title="Hold payouts",
            description="Withdrawals and scheduled payouts stop until released; the creator sees the reason.",
            button_label="Hold payouts",
            on_submit=on_hold,
            target_id=creator_id,
            form_id="hold-payouts",
            is_loading=is_loading,
        ),
    )


def _review_line() -> rx.Component:
    state = AdminUserState
    return rx.cond(
        state.under_review,
        rx.badge("Payouts held: " + state.review_note, color_scheme="red"),
        rx.badge("Payouts not held", color_scheme="gray"),
    )


def _user_detail() -> rx.Component:
    state = AdminUserState
    return rx.vstack(
        rx.heading(state.user.email, as_="h2", size="5"),
        rx.card(
            rx.data_list.root(
                fact("Role", rx.badge(state.user.role)),
                fact("Name", state.user.name),
                fact("Account", state.status),
                fact("Email confirmed", state.email_verified),
                fact("Two-factor", state.user.two_factor),
                fact("Created", state.user.created),
                fact("Active sessions", state.active_sessions.to_string()),
                fact("Orders bought", state.orders.to_string()),
                fact("Creator", _creator_link(state.user.creator_handle, state.user.creator_href)),
            ),
            width="100%",
        ),
        rx.cond(
            state.creator_id > 0,
            rx.vstack(
                _review_line(),
                payout_review_actions(
                    under_review=state.under_review,
                    creator_id=state.creator_id,
                    on_hold=state.hold_payouts,
                    on_release=state.release_payouts,
                    is_loading=state.is_acting,
                ),
                width="100%",
                spacing="3",
            ),
        ),
        width="100%",
        spacing="4",
    )


def admin_user_page() -> rx.Component:
    state = AdminUserState
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_USERS),
            rx.link("← All users", href=routes.ADMIN_USERS, size="2"),
            rx.heading("User", as_="h1", size="7"),
            rx.cond(
                state.is_allowed,
                rx.cond(
                    state.is_found,
                    _user_detail(),
                    empty_state(icon="user-x", title="No such user", text="There is no user with this id."),
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )
