"""Posts: a creator writes, schedules and gates their posts; readers see the body only when the gate lets them.

Creator use cases resolve the creator from the session token (another creator's post is not found); public
reads take the reader's token, if any, to decide what to show.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.images import ImagePurpose
from creatorly.kit.markdown import render_markdown
from creatorly.kit.slugs import slugify
from creatorly.kit.streams import single_chunk
from creatorly.models import Creator, Post
from creatorly.models.enums import PostAudience
from creatorly.providers.registry import get_storage
from creatorly.services.creators import service as creators
from creatorly.services.creators.service import checked_image, media_url
from creatorly.services.memberships import access, comments
from creatorly.services.memberships import posts_repository as repository
from creatorly.services.memberships import tier_rules as rules
from creatorly.services.memberships.content_schemas import PostCard, PostDetail, PostInput, PostPage, PostRow
from creatorly.services.memberships.tiers import my_creator, tier_options

MAX_PUBLIC_POSTS = 50


class PostNotFound(NotFound):
    code = "post_not_found"
    default_message = "We couldn't find that post."


def zone_of(creator: Creator) -> ZoneInfo:
    try:
        return ZoneInfo(creator.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def post_state(published_at: datetime | None, now: datetime) -> str:
    if published_at is None:
        return "draft"
    return "published" if published_at <= now else "scheduled"


async def _my_post(session: AsyncSession, creator: Creator, post_id: int) -> Post:
    assert creator.id is not None
    post = await repository.post_of_creator(session, creator.id, post_id)
    if post is None:
        raise PostNotFound()
    return post


async def _slug_for(session: AsyncSession, creator_id: int, post: Post, typed: str, title: str) -> str:
    """The typed slug (refused when another post has it), else the current one, else a free one from the title."""
    if typed.strip():
        slug = rules.check_post_slug(typed, title)
        other = await repository.post_by_slug(session, creator_id, slug)
        if other is not None and other.id != post.id:
            raise InvalidInput("Another of your posts uses this address.", field="slug")
        return slug
    if post.slug:
        return post.slug
    base, number = slugify(title), 2
    slug = base
    while await repository.post_by_slug(session, creator_id, slug) is not None:
        slug, number = f"{base}-{number}", number + 1
    return slug


async def _apply(session: AsyncSession, creator: Creator, post: Post, values: PostInput, now: datetime) -> None:
    assert creator.id is not None
    post.title = rules.check_post_title(values.title)
    post.slug = await _slug_for(session, creator.id, post, values.slug, post.title)
    post.teaser = rules.check_teaser(values.teaser)
    post.body_markdown = rules.check_post_body(values.body)
    tier_ids = {option.id for option in await tier_options(session, creator.id)}
    min_tier_id = int(values.min_tier_id) if values.min_tier_id.strip().isdigit() else None
    post.audience = rules.check_audience(values.audience, min_tier_id)
    if post.audience == PostAudience.TIER and min_tier_id not in tier_ids:
        raise InvalidInput("Choose one of your tiers.", field="min_tier")
    post.min_tier_id = min_tier_id if post.audience == PostAudience.TIER else None
    zone = zone_of(creator)
    publish_at = rules.parse_local_time(values.publish_at, field="publish_at", zone=zone)
    public_at = rules.parse_local_time(values.public_at, field="public_at", zone=zone)
    if values.status not in ("draft", "published"):
        raise InvalidInput("Choose draft or published.", field="status")
    if values.status == "draft":
        post.published_at = None
    else:
        post.published_at = publish_at or post.published_at or now
    rules.check_schedule(post.published_at, public_at)
    post.public_at = None if post.audience == PostAudience.PUBLIC else public_at
    post.updated_at = now


async def create_post(*, session_token: str, values: PostInput, now: datetime | None = None) -> int:
    """A new post (a draft unless `values.status` says published); returns its id."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        assert creator.id is not None
        post = Post(public_id=f"post_{secrets.token_hex(8)}", creator_id=creator.id, slug="", title="")
        await _apply(session, creator, post, values, now or utc_now())
        await repository.add(session, post)
        assert post.id is not None
        return post.id


async def update_post(*, session_token: str, post_id: int, values: PostInput, now: datetime | None = None) -> None:
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        post = await _my_post(session, creator, post_id)
        await _apply(session, creator, post, values, now or utc_now())


async def set_post_published(
    *, session_token: str, post_id: int, is_published: bool, now: datetime | None = None
) -> None:
    """Publish now (a scheduled time already set stays) or move back to drafts."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        post = await _my_post(session, creator, post_id)
        moment = now or utc_now()
        post.published_at = (post.published_at or moment) if is_published else None
        post.updated_at = moment


async def delete_post(*, session_token: str, post_id: int) -> None:
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        post = await _my_post(session, creator, post_id)
        image_key = post.image_key
        await repository.delete(session, post)
    if image_key:
        await get_storage().delete(image_key)


async def set_post_image(*, session_token: str, post_id: int, data: bytes) -> str:
    """Replace the post's image (checked, re-encoded without metadata); returns its public URL."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        await _my_post(session, creator, post_id)
    image = await checked_image(data, ImagePurpose.COVER)
    key = f"media/posts/{post_id}/image-{secrets.token_hex(8)}.{image.extension}"
    await get_storage().save(key, single_chunk(image.data), max_bytes=len(image.data))
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        post = await _my_post(session, creator, post_id)
        previous, post.image_key, post.updated_at = post.image_key, key, utc_now()
    if previous:
        await get_storage().delete(previous)
    return media_url(key)


async def list_my_posts(*, session_token: str, now: datetime | None = None) -> list[PostRow]:
    moment = now or utc_now()
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        assert creator.id is not None
        posts = await repository.posts_of_creator(session, creator.id)
        counts = await repository.comment_counts(session, [post.id for post in posts if post.id])
        return [
            PostRow(
                id=post.id or 0,
                slug=post.slug,
                title=post.title,
                state=post_state(post.published_at, moment),
                audience_label=rules.AUDIENCE_LABELS.get(post.audience, post.audience),
                published_at=post.published_at,
                public_at=post.public_at,
                comment_count=counts.get(post.id or 0, 0),
            )
            for post in posts
        ]


async def get_my_post(*, session_token: str, post_id: int, now: datetime | None = None) -> PostDetail:
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        post = await _my_post(session, creator, post_id)
        assert creator.id is not None and post.id is not None
        zone = zone_of(creator)
        state = post_state(post.published_at, now or utc_now())
        values = PostInput(
            title=post.title,
            slug=post.slug,
            teaser=post.teaser,
            body=post.body_markdown,
            audience=post.audience,
            min_tier_id="" if post.min_tier_id is None else str(post.min_tier_id),
            status="draft" if state == "draft" else "published",
            publish_at=rules.local_time_text(post.published_at, zone),
            public_at=rules.local_time_text(post.public_at, zone),
        )
        return PostDetail(
            id=post.id,
            slug=post.slug,
            state=state,
            values=values,
            image_url=media_url(post.image_key),
            public_url=f"{settings.resolved_public_url}/{creator.handle}/posts/{post.slug}",
            tiers=await tier_options(session, creator.id),
            timezone=creator.timezone or "UTC",
        )


# --- Public reads --------------------------------------------------------------------------------


async def list_public_posts(*, handle: str, session_token: str = "", now: datetime | None = None) -> list[PostCard]:
    """A storefront's published posts, newest first; gated ones the reader can't open are marked locked."""
    moment = now or utc_now()
    reader = await access.reader_of(session_token)
    async with db.transaction() as session:
        creator = await creators.public_creator_by_handle(session, handle)
        if creator is None or creator.id is None:
            return []
        gate = await access.gate_for(session, creator, reader, moment)
        posts = await repository.published_posts(session, creator.id, moment, limit=MAX_PUBLIC_POSTS)
        return [
            PostCard(
                slug=post.slug,
                title=post.title,
                teaser=post.teaser,
                image_url=media_url(post.image_key),
                published_at=post.published_at or moment,
                audience_label=gate.lock_text(post) if rules.is_gated(access.post_facts(post, {}), moment) else "",
                is_locked=not gate.can_read(post, moment),
            )
            for post in posts
        ]


async def get_post_page(*, handle: str, slug: str, session_token: str = "", now: datetime | None = None) -> PostPage:
    """A post for its page: drafts and scheduled posts are not found (except by their creator); the body and
    comments only when the reader may read it."""
    moment = now or utc_now()
    reader = await access.reader_of(session_token)
    async with db.transaction() as session:
        creator = await creators.public_creator_by_handle(session, handle)
        post = (
            None
            if creator is None or creator.id is None
            else await repository.post_by_slug(session, creator.id, slug.strip().lower())
        )
        if creator is None or creator.id is None or post is None or post.id is None:
            raise PostNotFound()
        gate = await access.gate_for(session, creator, reader, moment)
        if not gate.is_owner and (not rules.is_published(post.published_at, moment) or post.hidden_at is not None):
            raise PostNotFound()
        is_readable = gate.can_read(post, moment)
        is_gated = rules.is_gated(access.post_facts(post, {}), moment)
        can_comment, reason = await comments.comment_permission(
            session, creator_id=creator.id, reader=reader, is_readable=is_readable
        )
        return PostPage(
            handle=creator.handle,
            creator_name=creator.display_name,
            slug=post.slug,
            title=post.title,
            teaser=post.teaser,
            body_html=render_markdown(post.body_markdown, max_length=rules.MAX_POST_BODY) if is_readable else "",
            image_url=media_url(post.image_key),
            published_at=post.published_at,
            audience_label=gate.lock_text(post) if is_gated else "Public",
            is_locked=not is_readable,
            lock_text=gate.lock_text(post),
            is_owner=gate.is_owner,
            can_comment=can_comment,
            comment_block_reason=reason,
            comments=await comments.visible_comments(
                session, creator_id=creator.id, post_id=post.id, reader=reader, is_owner=gate.is_owner
            )
            if is_readable
            else [],
            post_id=post.id,
        )
