"""States of `/dashboard/posts` (every post with audience and schedule) and `/dashboard/posts/{id}` (the editor)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import reflex as rx

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.images import IMAGE_LIMITS, ImagePurpose
from creatorly.services.creators.service import NotACreator
from creatorly.services.memberships import posts
from creatorly.services.memberships.content_schemas import PostInput
from creatorly.ui import routes
from creatorly.ui.states.auth import AuthState
from creatorly.ui.states.browser import clear_selected_files, toast
from creatorly.ui.states.dashboard.uploads import read_capped
from creatorly.ui.states.events import Events

POST_IMAGE_UPLOAD_ID = "post-image"


@dataclass
class PostListItem:
    id: int = 0
    title: str = ""
    state: str = ""
    audience: str = ""
    published: str = ""
    public_from: str = ""
    comments: int = 0
    edit_url: str = ""
    is_draft: bool = True


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%d %b %Y, %H:%M UTC")


class PostsState(rx.State):
    is_loading: bool = True
    posts: list[PostListItem] = []

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        try:
            rows = await posts.list_my_posts(session_token=await self._token())
        except NotACreator:
            yield rx.redirect(routes.DASHBOARD_ONBOARDING)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        self.posts = [
            PostListItem(
                id=row.id,
                title=row.title,
                state=row.state,
                audience=row.audience_label,
                published=_when(row.published_at) or "—",
                public_from=_when(row.public_at),
                comments=row.comment_count,
                edit_url=routes.post_editor(row.id),
                is_draft=row.state == "draft",
            )
            for row in rows
        ]
        self.is_loading = False

    @rx.event
    async def create(self) -> Events:
        try:
            post_id = await posts.create_post(
                session_token=await self._token(), values=PostInput(title="Untitled post")
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield rx.redirect(routes.post_editor(post_id))

    @rx.event
    async def set_published(self, post_id: int, is_published: bool) -> Events:
        try:
            await posts.set_post_published(
                session_token=await self._token(), post_id=post_id, is_published=is_published
            )
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield PostsState.load

    @rx.event
    async def delete(self, post_id: int) -> Events:
        try:
            await posts.delete_post(session_token=await self._token(), post_id=post_id)
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        yield toast.success("Post deleted.")
        yield PostsState.load


class PostEditorState(rx.State):
    is_loading: bool = True
    is_found: bool = False
    state: str = ""
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    tier_options: list[list[str]] = []
    image_url: str = ""
    public_url: str = ""
    timezone: str = ""
    is_saving: bool = False
    _post_id: int = 0

    async def _token(self) -> str:
        return (await self.get_state(AuthState)).session_token

    @rx.event
    async def load(self) -> Events:
        self.is_loading, self.errors = True, {}
        raw_id = str(getattr(self, "edit_post_id", "") or "")
        self._post_id = int(raw_id) if raw_id.isdigit() else 0
        try:
            detail = await posts.get_my_post(session_token=await self._token(), post_id=self._post_id)
        except CreatorlyError:
            self.is_found, self.is_loading = False, False
            return
        self.form = {name: str(value) for name, value in asdict(detail.values).items()}
        self.tier_options = [[str(option.id), option.name] for option in detail.tiers]
        self.state, self.image_url, self.public_url = detail.state, detail.image_url, detail.public_url
        self.timezone = detail.timezone
        self.is_found, self.is_loading = True, False
        yield None

    @rx.event
    def set_audience(self, audience: str) -> None:
        self.form = {**self.form, "audience": audience}

    @rx.event
    async def save(self, form: dict[str, str]) -> Events:
        self.is_saving, self.errors = True, {}
        yield None
        values = PostInput(**{name: str(form.get(name, self.form.get(name, ""))) for name in PostInput.__slots__})
        try:
            await posts.update_post(session_token=await self._token(), post_id=self._post_id, values=values)
        except InvalidInput as error:
            self.errors = {error.field or "title": error.message}
            yield toast.error(error.message)
            return
        except CreatorlyError as error:
            yield toast.error(error.message)
            return
        finally:
            self.is_saving = False
        yield toast.success("Saved.")
        yield PostEditorState.load

    @rx.event(background=True)
    async def upload_image(self, chunks: rx.UploadChunkIterator) -> Events:
        async with self:
            token, post_id = (await self.get_state(AuthState)).session_token, self._post_id
        try:
            data = await read_capped(chunks, max_bytes=IMAGE_LIMITS[ImagePurpose.COVER].max_bytes, label="Images")
            url = await posts.set_post_image(session_token=token, post_id=post_id, data=data)
        except (CreatorlyError, ValueError) as error:
            yield toast.error(getattr(error, "message", str(error)))
            return
        async with self:
            self.image_url = url
            await clear_selected_files(self, POST_IMAGE_UPLOAD_ID)
        yield toast.success("Image updated.")
