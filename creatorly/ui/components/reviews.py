"""Review pieces: the rating summary, review cards with helpful and report, the sort toggle, the rating form.

They take a reviews state class (see creatorly/ui/states/storefront/reviews.py) for its vars and handlers.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui.components.forms import text_area_field
from creatorly.ui.theme import card_style

_STATIC_CARD = {**card_style, "_hover": {}}
_STAR_COLOR = rx.color("amber", 9)


def rating_summary(*, stars: Any, summary_text: Any, count: Any, size: str = "3") -> rx.Component:
    """Stars for sight, the sentence ("Rated 4.5 out of 5 from 12 reviews") for everyone."""
    return rx.hstack(
        rx.cond(
            count > 0, rx.el.span(stars, aria_hidden="true", style={"color": _STAR_COLOR, "letter_spacing": "1px"})
        ),
        rx.text(summary_text, size=size, color_scheme="gray"),
        spacing="2",
        align="center",
        wrap="wrap",
        class_name="rating-summary",
    )


def _reply(row: Any) -> rx.Component:
    return rx.cond(
        row.reply_body != "",
        rx.box(
            rx.text("Reply from the creator", size="1", weight="bold", color_scheme="violet"),
            rx.text(row.reply_body, size="2", white_space="pre-wrap", class_name="wrap-anywhere"),
            padding="0.5rem 0.75rem",
            border_left=f"3px solid {rx.color('violet', 7)}",
            background_color=rx.color("violet", 2),
            width="100%",
        ),
    )


def _helpful_button(row: Any, *, on_helpful: Any) -> rx.Component:
    return rx.button(
        rx.icon("thumbs-up", size=14, aria_hidden="true"),
        row.helpful_label,
        size="1",
        variant=rx.cond(row.has_voted, "solid", "soft"),
        color_scheme="gray",
        disabled=row.has_voted | row.is_mine | ~rx.State.is_hydrated,
        aria_pressed=rx.cond(row.has_voted, "true", "false"),
        on_click=on_helpful(row.id),
    )


def review_card(row: Any, *, on_helpful: Any) -> rx.Component:
    return rx.el.article(
        rx.vstack(
            rx.hstack(
                rx.el.span(row.stars, aria_hidden="true", style={"color": _STAR_COLOR}),
                rx.el.span(row.rating_text, class_name="visually-hidden"),
                rx.text(row.reviewer_name, weight="medium", size="2"),
                rx.text(row.date, size="1", color_scheme="gray"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(row.body != "", rx.text(row.body, size="2", white_space="pre-wrap", class_name="wrap-anywhere")),
            _reply(row),
            rx.hstack(
                _helpful_button(row, on_helpful=on_helpful),
                rx.link("Report", href=row.report_href, size="1", color_scheme="gray"),
                spacing="3",
                align="center",
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        style={**_STATIC_CARD, "padding": "0.9rem 1rem", "width": "100%"},
        aria_label="Review by " + row.reviewer_name,
    )


def sort_toggle(*, sort: Any, on_sort: Any) -> rx.Component:
    def option(label: str, value: str) -> rx.Component:
        return rx.button(
            label,
            size="1",
            variant=rx.cond(sort == value, "solid", "soft"),
            aria_pressed=rx.cond(sort == value, "true", "false"),
            on_click=on_sort(value),
            disabled=~rx.State.is_hydrated,
        )

    return rx.hstack(
        rx.text("Sort by", size="2", color_scheme="gray", id="review-sort-label"),
        option("Newest", "newest"),
        option("Most helpful", "helpful"),
        role="group",
        aria_labelledby="review-sort-label",
        spacing="2",
        align="center",
    )


def _star_choice(number: int, *, my_rating: Any) -> rx.Component:
    field_id = f"review-rating-{number}"
    noun = "star" if number == 1 else "stars"
    return rx.el.div(
        rx.el.input(
            type="radio",
            name="rating",
            value=str(number),
            id=field_id,
            default_checked=my_rating == str(number),
            required=True,
        ),
        rx.el.label(f"{number} {noun}", html_for=field_id),
        style={"display": "flex", "gap": "0.35rem", "align_items": "center"},
    )


def rating_form(*, state: Any, on_submit: Any, form_id: str = "review", heading_as: str = "h3") -> rx.Component:
    """Rate 1–5 with optional text; pre-filled with the reader's review when they wrote one (saving edits it)."""
    return rx.form(
        rx.vstack(
            rx.heading(rx.cond(state.has_my_review, "Edit your review", "Rate this"), as_=heading_as, size="4"),
            rx.el.fieldset(
                rx.el.legend("Your rating", class_name="field-label"),
                rx.flex(
                    *[_star_choice(number, my_rating=state.my_rating) for number in range(1, 6)],
                    gap="1rem",
                    wrap="wrap",
                ),
                style={"border": "none", "padding": "0", "margin": "0"},
            ),
            text_area_field(
                "Your review (optional)",
                name="text",
                default=state.my_text,
                form_id=form_id,
                max_length=2000,
                rows="4",
            ),
            rx.button(
                rx.cond(state.has_my_review, "Update review", "Post review"),
                type="submit",
                loading=state.is_saving_review,
                disabled=~rx.State.is_hydrated,
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        on_submit=on_submit,
        key=state.review_form_version.to_string(),
        aria_label="Rate this",
        width="100%",
        max_width="36rem",
    )


def reviews_list(*, state: Any) -> rx.Component:
    return rx.vstack(
        rx.cond(state.review_count > 1, sort_toggle(sort=state.review_sort, on_sort=state.sort_reviews)),
        rx.foreach(state.review_rows, lambda row: review_card(row, on_helpful=state.mark_helpful)),
        rx.cond(
            state.has_more_reviews,
            rx.button("More reviews", variant="soft", on_click=state.more_reviews, disabled=~rx.State.is_hydrated),
        ),
        spacing="3",
        width="100%",
        max_width="44rem",
    )


def reviews_section(*, state: Any, heading_id: str = "reviews-title") -> rx.Component:
    """A product page's "Reviews" section: summary, the form for an eligible buyer, then the sorted list."""
    return rx.cond(
        state.is_reviews_loaded,
        rx.el.section(
            rx.heading("Reviews", as_="h2", size="5", id=heading_id),
            rating_summary(stars=state.average_stars, summary_text=state.summary_text, count=state.review_count),
            rx.cond(state.can_review, rating_form(state=state, on_submit=state.save_review)),
            reviews_list(state=state),
            aria_labelledby=heading_id,
            style={"display": "flex", "flex_direction": "column", "gap": "1rem", "width": "100%"},
        ),
    )


def _tier_rating_row(row: Any, *, on_choose: Any) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(row.name, weight="medium"),
            rating_summary(stars=row.stars, summary_text=row.summary_text, count=row.review_count, size="2"),
            spacing="0",
            align="start",
        ),
        rx.spacer(),
        rx.button(
            rx.cond(row.can_review, "Rate or read", "Read reviews"),
            size="1",
            variant="soft",
            on_click=on_choose(row.tier_id),
            aria_label=rx.cond(row.can_review, "Rate or read reviews of ", "Read reviews of ") + row.name,
            disabled=~rx.State.is_hydrated,
        ),
        align="center",
        width="100%",
        style={**_STATIC_CARD, "padding": "0.6rem 0.9rem"},
    )


def tier_reviews_section(*, state: Any) -> rx.Component:
    """The storefront's "Member reviews": each tier's summary; a chosen tier's reviews and, for members, the form."""
    return rx.cond(
        state.tier_ratings.length() > 0,
        rx.el.section(
            rx.heading("Member reviews", as_="h3", size="4", id="tier-reviews-title"),
            rx.foreach(state.tier_ratings, lambda row: _tier_rating_row(row, on_choose=state.choose_tier)),
            rx.cond(
                state.is_reviews_loaded,
                rx.vstack(
                    rx.heading("Reviews of " + state.chosen_tier_name, as_="h4", size="3"),
                    rx.cond(
                        state.can_review,
                        rating_form(state=state, on_submit=state.save_tier_review, form_id="tier", heading_as="h5"),
                    ),
                    reviews_list(state=state),
                    spacing="3",
                    width="100%",
                ),
            ),
            aria_labelledby="tier-reviews-title",
            style={"display": "flex", "flex_direction": "column", "gap": "0.75rem", "width": "100%"},
        ),
    )
