"""`/admin/disputes`: open disputes of paid sessions, the fan's reason beside the creator's report, and a decision
form for each (the creator's share and a required reason)."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.admin_table import fact
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.admin.session_disputes import AdminDisputesState, DisputeRow

State = AdminDisputesState


def _decision_form(row: DisputeRow) -> rx.Component:
    percent_id = "percent-" + row.booking_id
    reason_id = "reason-" + row.booking_id
    is_this = State.error_booking == row.booking_id
    return rx.form(
        rx.vstack(
            rx.heading("Decide", as_="h3", size="3"),
            rx.el.input(type="hidden", name="target_id", value=row.booking_id),
            rx.vstack(
                rx.el.label("Creator's share %", html_for=percent_id, class_name="field-label"),
                rx.input(
                    id=percent_id,
                    name="creator_percent",
                    type="number",
                    min=0,
                    max=100,
                    required=True,
                    size="3",
                    width="8rem",
                ),
                rx.text(
                    "0: the fan is refunded in full. 100: the creator is paid as for a completed session.",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="1",
                align="start",
            ),
            rx.vstack(
                rx.el.label("Reason", html_for=reason_id, class_name="field-label"),
                rx.text_area(
                    id=reason_id,
                    name="reason",
                    required=True,
                    min_length=3,
                    max_length=500,
                    placeholder="Why: recorded in the audit log and sent to both sides",
                    width="100%",
                    size="3",
                ),
                spacing="1",
                width="100%",
                align="start",
            ),
            rx.cond(is_this & (State.error != ""), rx.text(State.error, size="2", color_scheme="red", role="alert")),
            rx.button("Record decision", type="submit", loading=State.is_working, disabled=~rx.State.is_hydrated),
            spacing="2",
            width="100%",
            align="start",
        ),
        on_submit=State.decide,
        reset_on_submit=True,
        aria_label="Decide dispute " + row.booking_id,
        width="100%",
    )


def _dispute(row: DisputeRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(row.title, as_="h2", size="4"),
                rx.badge("Disputed", color_scheme="amber", variant="soft"),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            rx.data_list.root(
                fact("Booking", rx.code(row.booking_id)),
                fact("Creator", rx.text(row.creator)),
                fact("Fan", rx.text(row.fan, class_name="wrap-anywhere")),
                fact("Time", rx.text(row.when)),
                fact("Price", rx.text(row.price_label)),
                fact("Satisfaction", rx.text(row.satisfaction)),
                fact("Creator's report", rx.text(row.creator_report)),
                fact("Disputed", rx.text(row.disputed)),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            ),
            rx.callout(
                rx.text(rx.text.strong("The fan's reason: "), row.dispute_reason, white_space="pre-wrap"),
                icon="message-square-warning",
                color_scheme="amber",
                width="100%",
            ),
            _decision_form(row),
            spacing="3",
            width="100%",
        ),
        width="100%",
        role="article",
        aria_label="Dispute " + row.booking_id,
    )


def session_disputes_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN_DISPUTES),
            rx.heading("Session disputes", as_="h1", size="7"),
            rx.text(
                "Paid sessions a fan disputed, oldest first. Your decision splits the held payment and settles it.",
                color_scheme="gray",
            ),
            rx.cond(
                State.is_allowed,
                rx.cond(
                    State.rows.length() > 0,
                    rx.vstack(rx.foreach(State.rows, _dispute), spacing="4", width="100%"),
                    empty_state(icon="scale", title="No open disputes", text="Nothing is waiting for a decision."),
                ),
                card_skeletons(1),
            ),
            spacing="5",
            width="100%",
        )
    )
