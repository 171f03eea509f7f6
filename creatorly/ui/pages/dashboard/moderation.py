"""`/dashboard/moderation`: reports & decisions about the creator's content, with an appeal form for removals."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import form_error
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.moderation import DecisionItem, ModerationDashboardState

State = ModerationDashboardState


def _line(label: str, value: rx.Var[str]) -> rx.Component:
    return rx.cond(value != "", rx.text(rx.text.strong(label + ": "), value, size="2", white_space="pre-wrap"))


def _appeal_form(item: DecisionItem) -> rx.Component:
    field_id = "appeal-" + item.case_id.to_string()
    return rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name="case_id", value=item.case_id),
            rx.el.label("Your appeal", html_for=field_id, class_name="field-label"),
            rx.text_area(
                id=field_id, name="appeal", rows="4", width="100%", required=True, min_length=10, max_length=2000
            ),
            rx.text("You can appeal once. Explain why the content should be restored.", size="1", color_scheme="gray"),
            form_error(State.appeal_error),
            rx.button("Send appeal", type="submit", loading=State.is_appealing, disabled=~rx.State.is_hydrated),
            spacing="2",
            align="start",
            width="100%",
        ),
        on_submit=State.appeal,
        aria_label="Appeal this decision",
        width="100%",
    )


def _decision(item: DecisionItem) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(item.decision, color_scheme=rx.cond(item.is_removed, "red", "gray")),
                rx.badge(item.status, variant="soft"),
                rx.text(item.decided, size="1", color_scheme="gray"),
                spacing="2",
                wrap="wrap",
            ),
            rx.heading(item.label, as_="h2", size="3", class_name="wrap-anywhere"),
            _line("Reason", item.reason),
            _line("Your appeal", item.appeal_text),
            _line("Appeal decision", item.appeal_decision),
            _line("Why", item.appeal_reason),
            rx.cond(item.can_appeal, _appeal_form(item)),
            spacing="2",
            align="start",
            width="100%",
        ),
        width="100%",
        role="article",
        aria_label=item.label,
    )


def moderation_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_MODERATION,
        "Reports & decisions",
        rx.text(
            "When visitors report your content, Creatorly's moderators review it. Their decisions, and the reason "
            "for each, are listed here. If something was removed, you can appeal once.",
            color_scheme="gray",
        ),
        rx.cond(
            State.is_loading,
            card_skeletons(1),
            rx.cond(
                State.items.length() > 0,
                rx.vstack(rx.foreach(State.items, _decision), spacing="4", width="100%"),
                empty_state(icon="shield-check", title="No decisions", text="Nothing about your content was decided."),
            ),
        ),
    )
