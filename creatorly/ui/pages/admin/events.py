"""`/admin/events` and `/admin/events/[admin_event_id]`: stored provider webhooks, and one with its payload."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_action import admin_action_form
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.admin_table import fact, list_body, search_bar, search_field, status_select
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.admin.events import STATUS_OPTIONS, AdminEventsState, AdminEventState, EventListRow

COLUMNS = ("Event", "Provider", "Type", "Status", "Attempts", "Received", "Handled")
STATUS_COLORS = {"handled": "grass", "failed": "amber", "stuck": "red", "pending": "gray"}


def status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        *[(name, rx.badge(name, color_scheme=color)) for name, color in STATUS_COLORS.items()],
        rx.badge(status),
    )


def _row(row: EventListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(rx.code(row.event_id), href=row.href)),
        rx.table.cell(row.provider),
        rx.table.cell(rx.code(row.event_type)),
        rx.table.cell(status_badge(row.status)),
        rx.table.cell(row.attempts.to_string()),
        rx.table.cell(rx.text(row.received, white_space="nowrap")),
        rx.table.cell(rx.text(row.handled, white_space="nowrap")),
    )


def admin_events_page() -> rx.Component:
    state = AdminEventsState
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_EVENTS),
            rx.heading("Webhook events", as_="h1", size="7"),
            rx.text(
                "Every provider webhook, stored once and handled; a failed one is retried by the provider and the "
                "sweeper, a stuck one waits for an admin's retry.",
                color_scheme="gray",
            ),
            rx.cond(
                state.is_allowed,
                rx.vstack(
                    search_bar(
                        status_select("Status", name="status", options=STATUS_OPTIONS),
                        search_field("Event id or type", name="query", placeholder="evt_… or payment."),
                        on_submit=state.search,
                        label="Search webhook events",
                        is_loading=state.is_loading,
                    ),
                    list_body(
                        label="Webhook events",
                        columns=COLUMNS,
                        state=state,
                        render=_row,
                        empty="No webhook event matches this search.",
                        icon="webhook",
                        title="No events",
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


def _event_detail() -> rx.Component:
    state = AdminEventState
    return rx.vstack(
        rx.card(
            rx.data_list.root(
                fact("Event id", rx.code(state.event.event_id)),
                fact("Provider", state.event.provider),
                fact("Type", rx.code(state.event.event_type)),
                fact("Status", status_badge(state.event.status)),
                fact("Attempts", state.event.attempts.to_string()),
                fact("Received", state.event.received),
                fact("Handled", state.event.handled),
                fact("Claimed until", state.claimed_until),
            ),
            width="100%",
        ),
        rx.cond(
            state.last_error != "",
            rx.callout(
                state.last_error, icon="circle-alert", color_scheme="red", width="100%", aria_label="Last error"
            ),
        ),
        rx.cond(
            state.can_retry,
            admin_action_form(
                title="Retry this event",
                description="Once its cause is fixed: handle it once more now, with fresh retries for the sweeper.",
                button_label="Retry event",
                on_submit=state.retry,
                target_id=state.event.id,
                form_id="retry-event",
                is_loading=state.is_retrying,
                color_scheme="violet",
            ),
        ),
        rx.heading("Payload", as_="h2", size="4"),
        rx.box(
            rx.el.pre(rx.el.code(state.payload), white_space="pre-wrap", word_break="break-all", margin="0"),
            role="region",
            aria_label="Payload",
            tab_index=0,
            overflow_x="auto",
            max_height="480px",
            padding="0.75rem",
            border_radius="8px",
            background_color=rx.color("gray", 2),
            width="100%",
        ),
        width="100%",
        spacing="4",
    )


def admin_event_page() -> rx.Component:
    state = AdminEventState
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_EVENTS),
            rx.link("← All webhook events", href=routes.ADMIN_EVENTS, size="2"),
            rx.heading("Webhook event", as_="h1", size="7"),
            rx.cond(
                state.is_allowed,
                rx.cond(
                    state.is_found,
                    _event_detail(),
                    empty_state(icon="webhook", title="No such event", text="There is no webhook event with this id."),
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )
