"""`/{handle}/sessions/{session_type_id}`: a session type, its rules, free times in the fan's zone, and paying."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.components.browser import BrowserTimezone
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.forms import field, form_error, text_area_field
from creatorly.ui.components.session_booking import section_card, slot_picker, timezone_picker
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.storefront.sessions import SessionBookingState

State = SessionBookingState
_FORM = "booking"


def _loading() -> rx.Component:
    return rx.hstack(rx.spinner(), rx.text("Loading this session…"), role="status", aria_busy="true", padding_y="3rem")


def _missing() -> rx.Component:
    return empty_state(
        icon="calendar-x",
        title="This session isn't available",
        text="The creator may have stopped offering it. Their storefront shows what they offer now.",
    )


def _details() -> rx.Component:
    return rx.vstack(
        rx.link("← ", State.creator_name, href=State.storefront_href, size="2"),
        rx.heading(State.title, as_="h1", size="8", class_name="wrap-anywhere"),
        rx.hstack(
            rx.badge(rx.icon("clock", size=12), State.length_label, variant="soft", radius="full", size="2"),
            rx.badge(State.price_label, variant="soft", color_scheme="green", radius="full", size="2"),
            rx.text("with ", rx.text.strong(State.creator_name), size="2"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(State.description != "", rx.text(State.description, class_name="wrap-anywhere")),
        section_card(
            rx.el.ul(
                rx.foreach(State.rules_text, lambda line: rx.el.li(rx.text(line, size="2"))),
                padding_left="1.25rem",
                margin="0",
            ),
            title="Cancelling and refunds",
            title_id="rules-title",
        ),
        spacing="3",
        width="100%",
        align="start",
    )


def _times() -> rx.Component:
    return section_card(
        timezone_picker(value=State.timezone, options=State.timezones, on_change=State.change_timezone),
        rx.cond(State.slot_error != "", rx.text(State.slot_error, color_scheme="red", size="2", role="alert")),
        slot_picker(
            days=State.days, chosen=State.chosen_start, is_loading=State.is_loading_slots, on_choose=State.choose_slot
        ),
        title="Pick a time",
        title_id="times-title",
    )


def _form() -> rx.Component:
    return section_card(
        rx.form(
            rx.vstack(
                rx.callout(
                    "Your time: " + State.chosen_label + " (" + State.timezone + ")",
                    icon="calendar-check",
                    color_scheme="violet",
                    width="100%",
                ),
                form_error(State.form_error),
                field(
                    "Your name",
                    name="fan_name",
                    form_id=_FORM,
                    default_value=State.default_name,
                    auto_complete="name",
                    max_length=120,
                    required=True,
                    error=State.name_error,
                ),
                field(
                    "Email",
                    name="fan_email",
                    form_id=_FORM,
                    input_type="email",
                    default_value=State.default_email,
                    auto_complete="email",
                    required=True,
                    error=State.email_error,
                    hint="Your confirmation and calendar invite go here.",
                ),
                text_area_field(
                    "Note for the creator (optional)",
                    name="note",
                    form_id=_FORM,
                    rows="3",
                    max_length=1000,
                    error=State.note_error,
                ),
                rx.button(
                    rx.icon("lock", size=16),
                    State.pay_label,
                    type="submit",
                    size="3",
                    width="100%",
                    loading=State.is_paying,
                    disabled=~rx.State.is_hydrated,
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=State.pay,
            reset_on_submit=False,
            width="100%",
        ),
        title="Your details",
        title_id="details-title",
    )


def _page() -> rx.Component:
    return rx.vstack(
        _details(),
        _times(),
        rx.cond(State.chosen_start != "", _form()),
        spacing="5",
        width="100%",
    )


def session_booking_page() -> rx.Component:
    return site_layout(
        BrowserTimezone.create(on_timezone=State.use_browser_timezone),
        rx.box(
            rx.cond(State.is_missing, _missing(), rx.cond(State.is_loading, _loading(), _page())),
            max_width="44rem",
            margin_x="auto",
            width="100%",
        ),
    )
