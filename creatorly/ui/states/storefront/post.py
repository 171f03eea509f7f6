"""State of the public post page `/{handle}/posts/{slug}`: the body when readable, else teaser and join."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput, NotFound
from creatorly.services.memberships import comments, posts
from creatorly.services.memberships.content_schemas import CommentView
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import toast
from creatorly.ui.states.events import Events


@dataclass
class CommentItem:
    id: int = 0
    author_name: str = ""
    body: str = ""
    date: str = ""
    is_hidden: bool = False
    is_author_blocked: bool = False
    report_href: str = ""


def to_comment_item(comment: CommentView) -> CommentItem:
    return CommentItem(
        id=comment.id,
        author_name=comment.author_name,
        body=comment.body,
        date=comment.created_at.strftime("%d %b %Y, %H:%M"),
        is_hidden=comment.is_hidden,
        is_author_blocked=comment.is_author_blocked,
        report_href=routes.report("comment", comment.id),
    )


class PostPageState(rx.State):
    is_loading: bool = True
    is_missing: bool = False
    title: str = ""
    teaser: str = ""
    body_html: str = ""
    image_url: str = ""
    date: str = ""
    audience_label: str = ""
    is_locked: bool = False
    lock_text: str = ""
    creator_name: str = ""
    creator_href: str = ""
    join_href: str = ""
    is_owner: bool = False
    can_comment: bool = False
    comment_block_reason: str = ""
    comments: list[CommentItem] = []
    comment_error: str = ""
    is_commenting: bool = False
    report_href: str = ""
    _handle: str = ""
    _slug: str = ""

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        handle = str(getattr(self, "store_handle", "") or "")
        slug = str(getattr(self, "post_slug", "") or "")
        if (handle, slug) != (self._handle, self._slug):
            self.is_loading, self.is_missing = True, False
            yield None
        try:
            page = await posts.get_post_page(handle=handle, slug=slug, session_token=await self._token())
        except NotFound:
            self.is_missing, self.is_loading, self._handle, self._slug = True, False, "", ""
            return
        self._handle, self._slug = page.handle, page.slug
        self.title, self.teaser, self.body_html, self.image_url = (
            page.title,
            page.teaser,
            page.body_html,
            page.image_url,
        )
        self.date = page.published_at.strftime("%d %b %Y") if page.published_at else "Draft"
        self.audience_label, self.is_locked, self.lock_text = page.audience_label, page.is_locked, page.lock_text
        self.creator_name, self.creator_href = page.creator_name, routes.storefront(page.handle)
        self.join_href = routes.storefront_tiers(page.handle)
        self.is_owner, self.can_comment = page.is_owner, page.can_comment
        self.comment_block_reason = page.comment_block_reason
        self.comments = [to_comment_item(comment) for comment in page.comments]
        self.report_href = routes.report("post", page.post_id)
        self.comment_error, self.is_missing, self.is_loading = "", False, False

    @rx.event
    async def add_comment(self, form: dict[str, str]) -> Events:
        if self.is_commenting:
            return
        self.is_commenting, self.comment_error = True, ""
        yield None
        try:
            added = await comments.add_comment(
                session_token=await self._token(), handle=self._handle, slug=self._slug, body=form.get("body", "")
            )
        except InvalidInput as error:
            self.comment_error = error.message
            return
        except CreatorlyError as error:
            self.comment_error = error.message
            yield toast.error(error.message)
            return
        finally:
            self.is_commenting = False
        self.comments = [*self.comments, to_comment_item(added)]
        yield rx.set_value("field-body", "")

    @rx.event
    async def set_hidden(self, comment_id: int, is_hidden: bool) -> Events:
        try:
            await comments.set_comment_hidden(
                session_token=await self._token(), comment_id=comment_id, is_hidden=is_hidden
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield PostPageState.load

    @rx.event
    async def hide(self, comment_id: int) -> Events:
        yield PostPageState.set_hidden(comment_id, True)

    @rx.event
    async def show(self, comment_id: int) -> Events:
        yield PostPageState.set_hidden(comment_id, False)

    @rx.event
    async def block(self, comment_id: int) -> Events:
        try:
            await comments.block_commenter(session_token=await self._token(), comment_id=comment_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("Blocked: they can't comment on your posts any more.")
        yield PostPageState.load
