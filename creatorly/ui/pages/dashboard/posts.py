"""`/dashboard/posts` (every post with its audience and schedule) and the post editor `/dashboard/posts/{id}`."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field, file_drop, text_area_field
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.posts import POST_IMAGE_UPLOAD_ID, PostEditorState, PostListItem, PostsState

Editor = PostEditorState


def _state_badge(state: rx.Var[str]) -> rx.Component:
    return rx.badge(state, color_scheme=rx.match(state, ("published", "green"), ("scheduled", "blue"), "gray"))


def _actions(item: PostListItem) -> rx.Component:
    return rx.hstack(
        rx.link(rx.button("Edit", size="1", variant="soft"), href=item.edit_url, aria_label="Edit " + item.title),
        rx.cond(
            item.is_draft,
            rx.button("Publish now", size="1", on_click=PostsState.set_published(item.id, True)),
            rx.button(
                "Unpublish",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=PostsState.set_published(item.id, False),
            ),
        ),
        rx.button("Delete", size="1", variant="soft", color_scheme="red", on_click=PostsState.delete(item.id)),
        spacing="2",
        wrap="wrap",
    )


def _row(item: PostListItem) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(item.title, href=item.edit_url, weight="medium")),
        rx.table.cell(_state_badge(item.state)),
        rx.table.cell(item.audience),
        rx.table.cell(item.published),
        rx.table.cell(rx.cond(item.public_from != "", item.public_from, "—")),
        rx.table.cell(item.comments),
        rx.table.cell(_actions(item)),
    )


def _table() -> rx.Component:
    headers = ("Post", "State", "Audience", "Published", "Public from", "Comments")
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(name) for name in headers],
                    rx.table.column_header_cell(rx.el.span("Actions", class_name="visually-hidden")),
                )
            ),
            rx.table.body(rx.foreach(PostsState.posts, _row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def posts_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_POSTS,
        "Posts",
        rx.hstack(
            rx.text("Write for everyone, for members, or for a tier and above.", color_scheme="gray"),
            rx.spacer(),
            rx.button(rx.icon("plus", size=16), "New post", on_click=PostsState.create),
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            PostsState.is_loading,
            card_skeletons(2),
            rx.cond(
                PostsState.posts.length() > 0,
                _table(),
                empty_state(
                    icon="notebook-pen",
                    title="Write your first post",
                    text="Share news with everyone, or reward your members with posts only they can read.",
                    action=rx.button("Write a post", size="3", on_click=PostsState.create),
                ),
            ),
        ),
    )


def _card(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, as_="h2", size="4"), *children, spacing="3", width="100%"), width="100%", size="3"
    )


def _native_select(label: str, name: str, *options: rx.Component, **props: object) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.el.select(*options, id=field_id, name=name, class_name="native-select", **props),
        rx.text(Editor.errors[name], size="2", color_scheme="red", role="alert"),
        spacing="1",
        width="100%",
    )


def _audience() -> rx.Component:
    return _card(
        "Audience",
        rx.radio_group.root(
            rx.radio_group.item("Everyone", value="public"),
            rx.radio_group.item("All members", value="members"),
            rx.radio_group.item("A tier and above", value="tier"),
            name="audience",
            default_value=Editor.form["audience"],
            on_change=Editor.set_audience,
            direction="row",
            spacing="4",
            aria_label="Who can read this post",
        ),
        rx.cond(
            Editor.form["audience"] == "tier",
            _native_select(
                "Lowest tier that can read it",
                "min_tier_id",
                rx.el.option("Choose a tier", value=""),
                rx.foreach(Editor.tier_options, lambda pair: rx.el.option(pair[1], value=pair[0])),
                default_value=Editor.form["min_tier_id"],
            ),
        ),
        rx.text(Editor.errors["min_tier"], size="2", color_scheme="red", role="alert"),
    )


def _schedule() -> rx.Component:
    return _card(
        "Publishing",
        _native_select(
            "State",
            "status",
            rx.el.option("Draft", value="draft"),
            rx.el.option("Published (now or at the time below)", value="published"),
            default_value=Editor.form["status"],
        ),
        rx.flex(
            field(
                "Publish at",
                name="publish_at",
                input_type="datetime-local",
                default_value=Editor.form["publish_at"],
                error=Editor.errors["publish_at"],
                hint="Empty = now. Times in " + Editor.timezone + ".",
            ),
            rx.cond(
                Editor.form["audience"] != "public",
                field(
                    "Public for everyone from",
                    name="public_at",
                    input_type="datetime-local",
                    default_value=Editor.form["public_at"],
                    error=Editor.errors["public_at"],
                    hint="Optional: members get early access until then.",
                ),
            ),
            gap="1rem",
            width="100%",
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
    )


def _content() -> rx.Component:
    return _card(
        "Post",
        field("Title", name="title", default_value=Editor.form["title"], error=Editor.errors["title"]),
        field(
            "Address",
            name="slug",
            default_value=Editor.form["slug"],
            error=Editor.errors["slug"],
            hint="The last part of the post's link.",
        ),
        field(
            "Teaser",
            name="teaser",
            default_value=Editor.form["teaser"],
            error=Editor.errors["teaser"],
            hint="Everyone sees this, even when the post is for members.",
        ),
        text_area_field(
            "Body",
            name="body",
            default=Editor.form["body"],
            error=Editor.errors["body"],
            hint="Markdown: **bold**, _italic_, headings, lists and links.",
            rows="12",
        ),
    )


def _image() -> rx.Component:
    return _card(
        "Image",
        rx.cond(
            Editor.image_url != "",
            rx.image(
                src=Editor.image_url, alt="Current post image", max_width="20rem", border_radius="var(--radius-3)"
            ),
            rx.text("No image yet.", size="2", color_scheme="gray"),
        ),
        file_drop(
            rx.text("Drop a PNG, JPEG, WebP or GIF here (at most 10 MB), or click to choose", size="2"),
            id=POST_IMAGE_UPLOAD_ID,
            accept={
                "image/png": [".png"],
                "image/jpeg": [".jpg", ".jpeg"],
                "image/webp": [".webp"],
                "image/gif": [".gif"],
            },
            multiple=False,
            border=f"1px dashed {rx.color('gray', 7)}",
            padding="1rem",
            border_radius="var(--radius-3)",
            label="Choose a post image",
        ),
        rx.hstack(
            rx.foreach(rx.selected_files(POST_IMAGE_UPLOAD_ID), lambda name: rx.badge(name, variant="soft")),
            rx.button(
                "Upload image",
                variant="soft",
                on_click=Editor.upload_image(rx.upload_files_chunk(upload_id=POST_IMAGE_UPLOAD_ID)),
            ),
            wrap="wrap",
        ),
    )


def _header() -> rx.Component:
    return rx.hstack(
        _state_badge(Editor.state),
        rx.spacer(),
        rx.link(rx.button("All posts", variant="soft", color_scheme="gray"), href=routes.DASHBOARD_POSTS),
        rx.cond(
            Editor.state != "draft",
            rx.link(rx.button("View post", variant="soft"), href=Editor.public_url, is_external=True),
        ),
        width="100%",
        align="center",
        wrap="wrap",
    )


def post_editor_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD_POSTS,
        "Edit post",
        rx.cond(
            Editor.is_loading,
            card_skeletons(1),
            rx.cond(
                Editor.is_found,
                rx.vstack(
                    _header(),
                    rx.form(
                        rx.vstack(
                            _content(),
                            _audience(),
                            _schedule(),
                            rx.button("Save post", type="submit", size="3", loading=Editor.is_saving),
                            spacing="4",
                            width="100%",
                        ),
                        on_submit=Editor.save,
                        width="100%",
                    ),
                    _image(),
                    spacing="4",
                    width="100%",
                ),
                empty_state(
                    icon="notebook-pen",
                    title="Post not found",
                    text="It may have been deleted.",
                    action=rx.link(rx.button("Back to posts"), href=routes.DASHBOARD_POSTS),
                ),
            ),
        ),
    )
