"""`/dashboard/sessions`: the creator's booked sessions by day with what each allows, and the money held in escrow."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.sessions import booking_badge, confirm_button
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.sessions import (
    CalendarBooking,
    CalendarDay,
    MoneyCard,
    SessionsDashboardState,
    SlotOption,
)

State = SessionsDashboardState


def _money(card: MoneyCard) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Held in escrow · ", card.currency, size="2", color_scheme="gray"),
            rx.text(card.escrow_label, size="6", weight="bold"),
            rx.text(
                "Pending ", card.pending_label, " · Available ", card.available_label, size="1", color_scheme="gray"
            ),
            spacing="1",
        ),
        min_width="14rem",
    )


def _money_section() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.cond(
                State.money.length() > 0,
                rx.foreach(State.money, _money),
                rx.card(
                    rx.vstack(
                        rx.text("Held in escrow", size="2", color_scheme="gray"),
                        rx.text("Nothing yet", size="5", weight="bold"),
                        spacing="1",
                    ),
                    min_width="14rem",
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        rx.text(
            "Paid sessions are held in escrow until they are settled; only then does your share join your pending "
            "and available balance.",
            size="2",
            color_scheme="gray",
        ),
        spacing="2",
        width="100%",
    )


def _report_buttons(booking: CalendarBooking) -> rx.Component:
    return rx.cond(
        booking.can_report,
        rx.hstack(
            rx.button(
                "Mark completed",
                size="2",
                loading=State.is_working,
                on_click=State.report(booking.public_id, "completed"),
            ),
            rx.button(
                "Fan didn't show",
                size="2",
                variant="soft",
                loading=State.is_working,
                on_click=State.report(booking.public_id, "fan_no_show"),
            ),
            rx.button(
                "I couldn't make it",
                size="2",
                variant="soft",
                color_scheme="gray",
                loading=State.is_working,
                on_click=State.report(booking.public_id, "creator_no_show"),
            ),
            spacing="2",
            wrap="wrap",
        ),
    )


def _cancel_button(booking: CalendarBooking) -> rx.Component:
    return rx.cond(
        booking.can_cancel,
        confirm_button(
            trigger_label="Cancel",
            title="Cancel this session?",
            text=rx.cond(
                booking.cancel_is_late,
                "The fan is refunded in full. It is less than the free-cancellation time before the start, so this "
                "late cancel counts against you: a penalty equal to the late fee is recorded.",
                "The fan is refunded in full and told by email. A late cancel would count against you; this one "
                "is in time.",
            ),
            confirm_label="Cancel the session",
            on_confirm=State.cancel(booking.public_id),
            disabled=State.is_working,
        ),
    )


def _booking(booking: CalendarBooking) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(booking.time_label, weight="bold"),
                booking_badge(booking.status, booking.status_label),
                rx.spacer(),
                rx.text(booking.price_label, weight="medium"),
                width="100%",
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.text(booking.title, weight="medium"),
            rx.text(booking.fan_name, " · ", booking.fan_email, size="2", class_name="wrap-anywhere"),
            rx.cond(booking.note != "", rx.text("“", booking.note, "”", size="2", color_scheme="gray")),
            rx.cond(
                booking.penalty_label != "",
                rx.callout(
                    "Penalty recorded against you: " + booking.penalty_label + ". The fan was refunded in full.",
                    icon="triangle_alert",
                    color_scheme="red",
                    size="1",
                ),
            ),
            rx.hstack(
                _report_buttons(booking),
                rx.cond(
                    booking.can_reschedule,
                    rx.button(
                        "Reschedule",
                        size="2",
                        variant="outline",
                        on_click=State.open_reschedule(booking.public_id, booking.title),
                    ),
                ),
                _cancel_button(booking),
                spacing="2",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        role="article",
        aria_label=booking.title + " with " + booking.fan_name,
    )


def _day(day: CalendarDay) -> rx.Component:
    return rx.vstack(
        rx.heading(day.label, as_="h2", size="4"),
        rx.foreach(day.bookings, _booking),
        spacing="2",
        width="100%",
    )


def _slot_option(slot: SlotOption) -> rx.Component:
    return rx.el.option(slot.label, value=slot.value)


def _reschedule_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Move “", State.reschedule_title, "”"),
            rx.dialog.description("The fan is emailed the new time with an updated invite.", size="2"),
            rx.cond(
                State.reschedule_slots.length() > 0,
                rx.form(
                    rx.vstack(
                        rx.el.label("New time", html_for="field-reschedule-start", class_name="field-label"),
                        rx.el.select(
                            rx.foreach(State.reschedule_slots, _slot_option),
                            id="field-reschedule-start",
                            name="starts_at",
                            class_name="native-select",
                        ),
                        rx.hstack(
                            rx.dialog.close(
                                rx.button("Keep the time", type="button", variant="soft", color_scheme="gray")
                            ),
                            rx.button("Move the session", type="submit", loading=State.is_working),
                            spacing="3",
                            justify="end",
                            width="100%",
                        ),
                        spacing="3",
                        width="100%",
                        margin_top="1rem",
                    ),
                    on_submit=State.reschedule,
                ),
                rx.text("No free time in your availability. Add hours first.", size="2", margin_top="1rem"),
            ),
            max_width="30rem",
        ),
        open=State.is_reschedule_open,
        on_open_change=State.set_reschedule_open,
    )


def _calendar() -> rx.Component:
    return rx.cond(
        State.days.length() > 0,
        rx.vstack(
            rx.text("Times in ", State.timezone, ".", size="2", color_scheme="gray"),
            rx.foreach(State.days, _day),
            spacing="4",
            width="100%",
        ),
        rx.vstack(
            rx.cond(State.timezone != "", rx.text("Times in ", State.timezone, ".", size="2", color_scheme="gray")),
            rx.cond(
                State.has_session_types,
                empty_state(
                    icon="calendar",
                    title="No sessions booked yet",
                    text="Your session types are on your storefront. Bookings show here as fans make them, with "
                    "what you can do about each.",
                    action=rx.button(
                        rx.link("Manage session types", href=routes.DASHBOARD_SESSION_TYPES, underline="none"),
                        as_child=True,
                        variant="soft",
                    ),
                ),
                empty_state(
                    icon="calendar",
                    title="No sessions booked yet",
                    text="Offer a paid 1:1 session: set its length, price and your weekly hours, and fans can book "
                    "it from your storefront.",
                    action=rx.button(
                        rx.link("Create a session type", href=routes.DASHBOARD_SESSION_TYPES, underline="none"),
                        as_child=True,
                    ),
                ),
            ),
            spacing="3",
            width="100%",
        ),
    )


def sessions_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_SESSIONS,
        "Sessions",
        rx.hstack(
            rx.text("Your booked 1:1 sessions, from a week ago.", color_scheme="gray"),
            rx.spacer(),
            rx.link("Session types & availability", href=routes.DASHBOARD_SESSION_TYPES, weight="medium"),
            width="100%",
            wrap="wrap",
            spacing="3",
        ),
        rx.cond(
            State.is_loading,
            card_skeletons(2),
            rx.vstack(_money_section(), _calendar(), spacing="5", width="100%"),
        ),
        _reschedule_dialog(),
    )
