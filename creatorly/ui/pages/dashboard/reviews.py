"""`/dashboard/reviews`: the reviews of the creator's products and tiers, newest first, each with one reply."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.reviews import CreatorReviewRow, CreatorReviewsState

State = CreatorReviewsState


def _reply_form(row: CreatorReviewRow) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name="review_id", value=row.id),
            rx.el.label("Your reply", html_for="reply-" + row.id, class_name="field-label"),
            rx.text_area(id="reply-" + row.id, name="reply", rows="3", max_length=2000, width="100%", size="3"),
            rx.button(
                "Post reply",
                type="submit",
                size="2",
                loading=State.replying_to == row.id,
                disabled=~rx.State.is_hydrated,
                aria_label="Post reply to " + row.reviewer_name,
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        on_submit=State.reply,
        reset_on_submit=True,
        width="100%",
    )


def _review(row: CreatorReviewRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.target_label, weight="bold", class_name="wrap-anywhere"),
                rx.cond(row.is_hidden, rx.badge("Hidden by moderation", color_scheme="red", variant="soft")),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.el.span(row.stars, aria_hidden="true", style={"color": rx.color("amber", 9)}),
                rx.el.span(row.rating_text, class_name="visually-hidden"),
                rx.text(row.reviewer_name, size="2", weight="medium"),
                rx.text(row.date, size="1", color_scheme="gray"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(row.body != "", rx.text(row.body, size="2", white_space="pre-wrap", class_name="wrap-anywhere")),
            rx.cond(
                row.reply_body != "",
                rx.box(
                    rx.text("Your reply", size="1", weight="bold", color_scheme="violet"),
                    rx.text(row.reply_body, size="2", white_space="pre-wrap", class_name="wrap-anywhere"),
                    padding_left="0.75rem",
                    border_left=f"3px solid {rx.color('violet', 7)}",
                ),
            ),
            rx.cond(row.can_reply, _reply_form(row)),
            spacing="2",
            align="start",
            width="100%",
        ),
        width="100%",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button("Newer", variant="soft", disabled=State.page <= 1, on_click=State.go_to_page(State.page - 1)),
        rx.button("Older", variant="soft", disabled=~State.has_more, on_click=State.go_to_page(State.page + 1)),
        spacing="2",
    )


def _list() -> rx.Component:
    return rx.cond(
        State.rows.length() > 0,
        rx.vstack(
            rx.foreach(State.rows, _review),
            rx.cond((State.page > 1) | State.has_more, _pager()),
            spacing="3",
            width="100%",
            max_width="48rem",
        ),
        empty_state(
            icon="star",
            title="No reviews yet",
            text="When buyers and members rate your products and tiers, their reviews appear here for you to answer.",
        ),
    )


def reviews_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_REVIEWS,
        "Reviews",
        rx.text("Reply once to each review; your reply shows under it on your store.", color_scheme="gray"),
        rx.cond(State.is_loading, card_skeletons(3), _list()),
    )
