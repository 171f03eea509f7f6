"""`/dashboard/sessions/types`: the creator's session types with the settlement rules shown before saving, their
weekly hours and the dates that differ."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons
from creatorly.ui.components.forms import field, form_error, select_field, text_area_field
from creatorly.ui.components.sessions import time_range_row
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.session_types import (
    EXCEPTION_GROUP,
    TIMEZONES,
    WEEKDAY_NAMES,
    ExceptionRow,
    SessionTypesState,
    TypeRow,
)

State = SessionTypesState


def _error_for(name: str) -> rx.Var[str]:
    return rx.cond(State.error_field == name, State.error, "")


# --- Session types ---------------------------------------------------------------------------------------


def _type_row(row: TypeRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(row.title, weight="bold"),
                    rx.badge(
                        rx.cond(row.is_active, "Active", "Hidden"),
                        color_scheme=rx.cond(row.is_active, "green", "gray"),
                        variant="soft",
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.text(row.summary, size="2"),
                rx.text(row.policy_text, size="1", color_scheme="gray"),
                spacing="1",
                align="start",
            ),
            rx.spacer(),
            rx.button(
                "Edit",
                variant="soft",
                size="2",
                aria_label="Edit " + row.title,
                on_click=State.edit_type(row.public_id),
            ),
            width="100%",
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        width="100%",
    )


def _rules() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("scale", size=16)),
        rx.vstack(
            rx.text("How you are paid: the settlement rules", weight="bold", size="2"),
            rx.el.ul(
                rx.foreach(State.rules_lines, lambda line: rx.el.li(rx.text(line, size="2"))),
                style={"padding_left": "1.1rem", "margin": "0"},
            ),
            spacing="2",
        ),
        color_scheme="violet",
        variant="surface",
        width="100%",
        role="region",
        aria_label="Settlement rules",
    )


def _number_field(label: str, *, name: str, default: rx.Var[str], hint: str, low: int, high: int) -> rx.Component:
    """A whole-number field with its range in the browser (the server checks it again) and its error."""
    return field(
        label,
        name=name,
        default_value=default,
        hint=hint,
        error=_error_for(name),
        input_type="number",
        min=low,
        max=high,
    )


def _policy_field(label: str, *, name: str, default: rx.Var[str], hint: str = "", **props: object) -> rx.Component:
    return field(
        label,
        name=name,
        default_value=default,
        hint=hint,
        error=_error_for(name),
        on_blur=lambda value: State.update_policy(name, value),
        **props,
    )


def _currency_select() -> rx.Component:
    return rx.vstack(
        rx.el.label("Currency", html_for="field-currency", class_name="field-label"),
        rx.el.select(
            rx.foreach(State.currencies, lambda code: rx.el.option(code, value=code)),
            id="field-currency",
            name="currency",
            default_value=State.form_currency,
            class_name="native-select",
            on_change=lambda value: State.update_policy("currency", value),
        ),
        rx.text(_error_for("currency"), size="2", color_scheme="red", role="alert"),
        spacing="1",
        width="100%",
        align="start",
    )


def _type_fields() -> rx.Component:
    return rx.grid(
        field("Title", name="title", default_value=State.form_title, error=_error_for("title"), required=True),
        _number_field(
            "Length in minutes",
            name="duration",
            default=State.form_duration,
            hint="15 to 240 minutes.",
            low=15,
            high=240,
        ),
        _policy_field("Price", name="price", default=State.form_price, hint="Like 40 or 39.99.", input_mode="decimal"),
        _currency_select(),
        _number_field(
            "Buffer minutes",
            name="buffer",
            default=State.form_buffer,
            hint="Kept free after each session (0 to 120).",
            low=0,
            high=120,
        ),
        _number_field(
            "Most sessions a day (optional)",
            name="max_per_day",
            default=State.form_max_per_day,
            hint="Empty: no daily limit.",
            low=1,
            high=24,
        ),
        field(
            "Video link or location",
            name="location",
            default_value=State.form_location,
            hint="An https:// meeting link, or a place.",
            error=_error_for("location"),
        ),
        _policy_field(
            "Free cancellation until (hours before)",
            name="free_cancel_hours",
            default=State.form_hours,
            hint="Cancelling earlier than this is free.",
            input_type="number",
            min=0,
        ),
        _policy_field(
            "Late cancellation fee %",
            name="late_fee_percent",
            default=State.form_late_fee,
            hint="What a later cancel or a no-show costs the fan (0 to 100).",
            input_type="number",
            min=0,
            max=100,
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="3",
        width="100%",
    )


def _type_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(State.form_heading, as_="h2", size="4"),
                form_error(rx.cond(State.error_field == "", State.error, "")),
                _type_fields(),
                text_area_field(
                    "Description",
                    name="description",
                    default=State.form_description,
                    error=_error_for("description"),
                    hint="What the fan gets from the session.",
                ),
                rx.hstack(
                    rx.el.input(
                        type="checkbox",
                        id="field-is-active",
                        name="is_active",
                        default_checked=State.form_is_active,
                    ),
                    rx.el.label("Active: fans can book it", html_for="field-is-active"),
                    spacing="2",
                    align="center",
                ),
                _rules(),
                rx.hstack(
                    rx.button("Save session type", type="submit", loading=State.is_saving),
                    rx.button("Close", type="button", variant="soft", color_scheme="gray", on_click=State.close_form),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            key=State.form_version,
            on_submit=State.save_type,
            reset_on_submit=False,
            aria_label="Session type",
        ),
        width="100%",
    )


def _types_section() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Session types", as_="h2", size="5"),
            rx.spacer(),
            rx.button(rx.icon("plus", size=16), "New session type", variant="soft", on_click=State.new_type),
            width="100%",
            align="center",
        ),
        rx.foreach(State.types, _type_row),
        rx.cond(State.is_editing, _type_form()),
        spacing="3",
        width="100%",
    )


# --- Weekly hours -----------------------------------------------------------------------------------------


def _ranges_of(group: int, name: str) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            State.ranges,
            lambda row: rx.cond(
                row.group == group,
                time_range_row(row=row, day_name=name, on_remove=State.remove_range(row.key)),
            ),
        ),
        spacing="2",
    )


def _weekday(weekday: int, name: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(name, weight="bold", min_width="7rem"),
            rx.button(
                rx.icon("plus", size=14),
                "Add hours",
                type="button",
                size="1",
                variant="ghost",
                aria_label=f"Add hours on {name}",
                on_click=State.add_range(weekday),
            ),
            align="center",
            spacing="3",
        ),
        _ranges_of(weekday, name),
        rx.cond(
            State.availability_error_field == name.lower(),
            rx.text(State.availability_error, size="2", color_scheme="red", role="alert"),
        ),
        spacing="2",
        padding_y="0.5rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def _weekly_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Weekly hours", as_="h2", size="4"),
                rx.text("When fans may book you, every week. A day without hours is closed.", size="2"),
                form_error(
                    rx.cond(
                        (State.availability_error_field == "") | (State.availability_error_field == "timezone"),
                        State.availability_error,
                        "",
                    )
                ),
                rx.box(
                    select_field("Timezone", name="timezone", options=list(TIMEZONES), default=State.timezone),
                    max_width="22rem",
                    width="100%",
                ),
                *[_weekday(index, name) for index, name in enumerate(WEEKDAY_NAMES)],
                rx.button("Save weekly hours", type="submit"),
                spacing="3",
                width="100%",
            ),
            key=State.availability_version,
            on_submit=State.save_availability,
            reset_on_submit=False,
            aria_label="Weekly hours",
        ),
        width="100%",
    )


# --- Dates that differ -----------------------------------------------------------------------------------


def _exception_row(row: ExceptionRow) -> rx.Component:
    return rx.hstack(
        rx.text(row.day, weight="medium", min_width="7rem"),
        rx.text(row.hours, size="2"),
        rx.spacer(),
        rx.button(
            "Remove",
            type="button",
            size="1",
            variant="soft",
            color_scheme="red",
            aria_label="Remove the hours of " + row.day,
            on_click=State.remove_exception(row.day),
        ),
        width="100%",
        align="center",
        spacing="3",
    )


def _exceptions_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Dates that differ", as_="h2", size="4"),
            rx.text("A day off, or other hours on one date (in your timezone).", size="2"),
            rx.form(
                rx.vstack(
                    form_error(rx.cond(State.exception_error_field != "day", State.exception_error, "")),
                    rx.box(
                        field(
                            "Date",
                            name="day",
                            input_type="date",
                            form_id="exception",
                            error=rx.cond(State.exception_error_field == "day", State.exception_error, ""),
                            required=True,
                        ),
                        max_width="14rem",
                    ),
                    rx.hstack(
                        rx.el.input(type="checkbox", id="field-is-day-off", name="is_day_off"),
                        rx.el.label("Day off", html_for="field-is-day-off"),
                        spacing="2",
                        align="center",
                    ),
                    _ranges_of(EXCEPTION_GROUP, "That date"),
                    rx.button(
                        rx.icon("plus", size=14),
                        "Add hours",
                        type="button",
                        size="1",
                        variant="ghost",
                        aria_label="Add hours on that date",
                        on_click=State.add_range(EXCEPTION_GROUP),
                    ),
                    rx.button("Save date", type="submit"),
                    spacing="3",
                    width="100%",
                ),
                key=State.availability_version,
                on_submit=State.save_exception,
                reset_on_submit=False,
                aria_label="Date that differs",
            ),
            rx.cond(
                State.exceptions.length() > 0,
                rx.vstack(rx.foreach(State.exceptions, _exception_row), spacing="2", width="100%"),
                rx.text("No dates differ from your week.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def session_types_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_SESSIONS,
        "Session types & availability",
        rx.link("← Back to your sessions", href=routes.DASHBOARD_SESSIONS, size="2"),
        rx.cond(
            State.is_loading,
            card_skeletons(2),
            rx.vstack(_types_section(), _weekly_form(), _exceptions_form(), spacing="5", width="100%"),
        ),
    )
