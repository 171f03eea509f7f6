"""`/report`: report a storefront, product, post, comment or review to Creatorly's moderators."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.forms import field, form_error, submit_button, text_area_field
from creatorly.ui.components.storefront import link_button
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.site.report import ReportState

State = ReportState
# Kept in step with creatorly/services/moderation/rules.py CATEGORIES (pages don't import services).
CATEGORY_OPTIONS = (
    ("copyright", "Copyright or trademark"),
    ("fraud", "Fraud or scam"),
    ("adult", "Adult content"),
    ("harassment", "Harassment or hate"),
    ("other", "Something else"),
)


def _category() -> rx.Component:
    return rx.vstack(
        rx.el.label("What is wrong?", html_for="field-category", class_name="field-label"),
        rx.el.select(
            rx.el.option("Choose a category", value="", disabled=True),
            *[rx.el.option(label, value=key) for key, label in CATEGORY_OPTIONS],
            id="field-category",
            name="category",
            default_value="",
            required=True,
            class_name="native-select",
        ),
        rx.text(State.category_error, size="2", color_scheme="red", role="alert"),
        spacing="1",
        width="100%",
        align="start",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(State.form_error),
            _category(),
            text_area_field(
                "Details",
                name="details",
                error=State.details_error,
                hint="What is wrong, and where? Links help. 10 to 2,000 characters.",
                rows="6",
                required=True,
                min_length=10,
                max_length=2000,
            ),
            rx.cond(
                State.needs_email,
                field(
                    "Your email",
                    name="email",
                    input_type="email",
                    error=State.email_error,
                    hint="We'll tell you what we decide. It isn't shown to the creator.",
                    auto_complete="email",
                    required=True,
                ),
            ),
            submit_button("Send report", is_loading=State.is_sending),
            spacing="4",
            width="100%",
        ),
        on_submit=State.submit,
        aria_label="Report",
        width="100%",
    )


def _thanks() -> rx.Component:
    return rx.vstack(
        rx.heading("Thank you for your report", as_="h2", size="5"),
        rx.text("Our moderators will review it. We'll email you when we've decided.", color_scheme="gray"),
        link_button("Back to Creatorly", href=routes.LANDING, variant="soft"),
        spacing="3",
        align="start",
        role="status",
    )


def _content() -> rx.Component:
    return rx.vstack(
        rx.heading("Report content", as_="h1", size="7"),
        rx.text("You're reporting: ", rx.text.strong(State.target_label), class_name="wrap-anywhere"),
        rx.cond(State.is_sent, _thanks(), _form()),
        spacing="4",
        width="100%",
        max_width="36rem",
        margin_x="auto",
    )


def _missing() -> rx.Component:
    return empty_state(
        icon="flag-off",
        title="Nothing to report here",
        text="We couldn't find that page. It may have been removed already.",
        action=link_button("Back to Creatorly", href=routes.LANDING),
    )


def report_page() -> rx.Component:
    return site_layout(
        rx.cond(
            State.is_loading,
            rx.skeleton(height="12rem", width="100%", loading=True),
            rx.cond(State.is_missing, _missing(), _content()),
        )
    )
