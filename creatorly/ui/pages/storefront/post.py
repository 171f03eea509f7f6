"""`/{handle}/posts/{slug}`: a creator's post — the full body for readers it is meant for, else teaser and join."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.forms import form_error
from creatorly.ui.components.memberships import comment_item, lock_badge
from creatorly.ui.components.report_link import report_link
from creatorly.ui.components.storefront import link_button
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.storefront.post import PostPageState

State = PostPageState


def _header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(State.date, size="2", color_scheme="gray"),
            rx.cond(State.audience_label != "Public", lock_badge(State.audience_label)),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.heading(State.title, as_="h1", size=rx.breakpoints(initial="7", sm="8"), class_name="wrap-anywhere"),
        rx.hstack(
            rx.text("by ", rx.link(State.creator_name, href=State.creator_href, weight="medium"), color_scheme="gray"),
            rx.cond(~State.is_owner, report_link(State.report_href, label="Report this post")),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
    )


def _locked() -> rx.Component:
    return rx.vstack(
        rx.cond(State.teaser != "", rx.text(State.teaser, size="4")),
        rx.callout(
            rx.vstack(
                rx.text(rx.text.strong(State.lock_text), " — join to read the whole post.", size="3"),
                rx.link(rx.button(rx.icon("lock-open", size=16), "Join to read", size="3"), href=State.join_href),
                spacing="3",
                align="start",
            ),
            icon="lock",
            color_scheme="amber",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _comment_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("Add a comment", html_for="field-body", class_name="field-label"),
            rx.text_area(id="field-body", name="body", rows="3", width="100%", max_length=2000, required=True),
            form_error(State.comment_error),
            rx.button("Post comment", type="submit", loading=State.is_commenting, disabled=~rx.State.is_hydrated),
            spacing="2",
            width="100%",
            align="start",
        ),
        on_submit=State.add_comment,
        reset_on_submit=False,
        width="100%",
    )


def _comments() -> rx.Component:
    return rx.el.section(
        rx.heading("Comments", as_="h2", size="5", id="comments-title"),
        rx.cond(
            State.comments.length() > 0,
            rx.el.ul(
                rx.foreach(
                    State.comments,
                    lambda comment: comment_item(
                        comment, is_owner=State.is_owner, on_hide=State.hide, on_show=State.show, on_block=State.block
                    ),
                ),
                style={"list_style": "none", "padding": "0", "margin": "0"},
            ),
            rx.text("No comments yet.", size="2", color_scheme="gray"),
        ),
        rx.cond(
            State.can_comment,
            _comment_form(),
            rx.cond(
                State.comment_block_reason != "",
                rx.text(State.comment_block_reason, size="2", color_scheme="gray"),
            ),
        ),
        aria_labelledby="comments-title",
        style={"display": "flex", "flex_direction": "column", "gap": "0.75rem", "width": "100%"},
    )


def _post() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.cond(
            State.image_url != "",
            rx.image(src=State.image_url, alt="", width="100%", border_radius="var(--radius-4)", object_fit="cover"),
        ),
        rx.cond(
            State.is_locked,
            _locked(),
            rx.vstack(
                rx.html(State.body_html, class_name="rich-text"),
                _comments(),
                spacing="7",
                width="100%",
            ),
        ),
        spacing="5",
        width="100%",
        max_width="44rem",
        margin_x="auto",
    )


def _missing() -> rx.Component:
    return empty_state(
        icon="file-x",
        title="Post not found",
        text="This post doesn't exist or isn't published yet.",
        action=link_button("Discover creators", href=routes.DISCOVER),
    )


def _skeleton() -> rx.Component:
    return rx.vstack(
        rx.text("Loading the post…", class_name="visually-hidden", role="status"),
        rx.skeleton(height="1rem", width="8rem", loading=True),
        rx.skeleton(height="2.5rem", width="80%", loading=True),
        rx.skeleton(height="1rem", width="100%", loading=True),
        rx.skeleton(height="1rem", width="90%", loading=True),
        spacing="3",
        width="100%",
        max_width="44rem",
        margin_x="auto",
        aria_busy="true",
    )


def post_page() -> rx.Component:
    return site_layout(rx.cond(State.is_loading, _skeleton(), rx.cond(State.is_missing, _missing(), _post())))
