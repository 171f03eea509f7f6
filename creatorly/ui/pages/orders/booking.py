"""`/bookings/{public_id}?key=…`: the fan's booking: when, where, price, status and policy, and what they may do."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.forms import form_error, text_area_field
from creatorly.ui.components.session_booking import rating_group, section_card, slot_picker
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.orders.booking import FanBookingState

State = FanBookingState


def _loading() -> rx.Component:
    return rx.hstack(rx.spinner(), rx.text("Loading your booking…"), role="status", aria_busy="true", padding_y="3rem")


def _not_found() -> rx.Component:
    return empty_state(
        icon="calendar-x",
        title="We couldn't find that booking",
        text="Please open the link from your booking email again; it carries the key to your booking.",
        action=rx.link(rx.button("Browse creators", size="3"), href=routes.DISCOVER),
    )


def _fact(label: str, value: rx.Component | rx.Var[str]) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label), rx.data_list.value(value, class_name="wrap-anywhere"), align="start"
    )


def _place() -> rx.Component:
    return rx.cond(
        State.is_video_link,
        rx.link(State.location, href=State.location, is_external=True),
        rx.cond(State.location != "", rx.text(State.location), rx.text("The creator will send the details.")),
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.heading(State.title, as_="h1", size="8", class_name="wrap-anywhere"),
        rx.text("with ", rx.link(State.creator_name, href=State.storefront_href), size="3"),
        rx.badge(State.status_label, size="2", radius="full", color_scheme="violet", data_testid="booking-status"),
        rx.data_list.root(
            _fact("When", rx.text(State.when_label, " (", State.timezone, ")")),
            _fact("Where", _place()),
            _fact("Price", State.price_label),
            rx.cond(State.note != "", _fact("Your note", State.note)),
            rx.cond(State.satisfaction_label != "", _fact("Your rating", State.satisfaction_label)),
            rx.cond(State.outcome_label != "", _fact("Outcome", State.outcome_label)),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            width="100%",
        ),
        rx.callout(State.policy_text, icon="info", color_scheme="gray", width="100%"),
        spacing="3",
        align="start",
        width="100%",
    )


def _cancel_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Cancel booking", variant="soft", color_scheme="red", size="3")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel this session?"),
            rx.alert_dialog.description(State.cancel_refund_text),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.button("Yes, cancel", color_scheme="red", loading=State.is_busy, on_click=State.cancel),
                spacing="3",
                justify="end",
                margin_top="1rem",
                wrap="wrap",
            ),
        ),
        open=State.is_cancel_open,
        on_open_change=State.set_cancel_open,
    )


def _reschedule() -> rx.Component:
    return section_card(
        rx.text("Times are shown in ", State.timezone, ".", size="2", color_scheme="gray"),
        slot_picker(
            days=State.days, chosen=State.chosen_start, is_loading=State.is_loading_slots, on_choose=State.choose_slot
        ),
        rx.flex(
            rx.button(
                "Move to this time",
                size="3",
                disabled=State.chosen_start == "",
                loading=State.is_busy,
                on_click=State.reschedule,
            ),
            rx.button("Never mind", size="3", variant="soft", color_scheme="gray", on_click=State.stop_reschedule),
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(State.chosen_label != "", rx.text("New time: ", State.chosen_label, size="2", color_scheme="gray")),
        title="Pick a new time",
        title_id="reschedule-title",
    )


def _confirm_form() -> rx.Component:
    return section_card(
        rx.text("Tell us the session took place, and how it went.", size="2", color_scheme="gray"),
        rx.form(
            rx.vstack(
                rating_group(name="satisfaction", legend="How was it?", form_id="confirm"),
                rx.button(
                    rx.icon("circle-check", size=16), "It happened", type="submit", size="3", loading=State.is_busy
                ),
                spacing="3",
                align="start",
            ),
            on_submit=State.confirm,
            reset_on_submit=False,
        ),
        title="Did the session happen?",
        title_id="confirm-title",
    )


def _dispute_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(rx.button("Report a problem", variant="soft", color_scheme="red", size="3")),
        rx.dialog.content(
            rx.dialog.title("Report a problem"),
            rx.dialog.description(
                "Tell us what went wrong. Our team reviews it and decides how the payment is split.", size="2"
            ),
            rx.form(
                rx.vstack(
                    form_error(State.dispute_error),
                    text_area_field(
                        "What happened?", name="reason", form_id="dispute", rows="4", max_length=2000, required=True
                    ),
                    rating_group(name="satisfaction", legend="Your rating (optional)", form_id="dispute"),
                    rx.flex(
                        rx.dialog.close(rx.button("Close", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Send report", type="submit", color_scheme="red", loading=State.is_busy),
                        spacing="3",
                        justify="end",
                        wrap="wrap",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=State.dispute,
                reset_on_submit=False,
            ),
        ),
        open=State.is_dispute_open,
        on_open_change=State.set_dispute_open,
    )


def _actions() -> rx.Component:
    return rx.vstack(
        rx.cond(State.can_confirm, _confirm_form()),
        rx.cond(State.is_rescheduling, _reschedule()),
        rx.flex(
            rx.cond(
                State.can_reschedule & ~State.is_rescheduling,
                rx.button("Reschedule", size="3", variant="outline", on_click=State.start_reschedule),
            ),
            rx.cond(State.can_cancel, _cancel_dialog()),
            rx.cond(State.can_dispute, _dispute_dialog()),
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            State.dispute_reason != "",
            rx.callout("You reported: " + State.dispute_reason, icon="flag", color_scheme="amber", width="100%"),
        ),
        spacing="4",
        width="100%",
    )


def booking_page() -> rx.Component:
    return site_layout(
        rx.box(
            rx.cond(
                State.is_loading,
                _loading(),
                rx.cond(
                    State.is_missing,
                    _not_found(),
                    rx.vstack(_summary(), _actions(), spacing="5", width="100%"),
                ),
            ),
            max_width="44rem",
            margin_x="auto",
            width="100%",
        )
    )
