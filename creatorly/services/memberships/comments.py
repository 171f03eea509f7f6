"""Comments on posts: readers who are signed in comment; the creator hides comments and blocks commenters."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import Forbidden, InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.models import CommenterBlock, PostComment
from creatorly.services.creators import service as creators
from creatorly.services.memberships import access
from creatorly.services.memberships import posts_repository as repository
from creatorly.services.memberships import tier_rules as rules
from creatorly.services.memberships.access import Reader
from creatorly.services.memberships.content_schemas import CommentView
from creatorly.services.memberships.tiers import my_creator

SIGN_IN_TO_COMMENT = "Sign in to join the conversation."
BLOCKED_FROM_COMMENTING = "You can't comment on this creator's posts."


class CommentNotFound(NotFound):
    code = "comment_not_found"
    default_message = "We couldn't find that comment."


class CommentingNotAllowed(Forbidden):
    code = "commenting_not_allowed"
    default_message = "Only members who can read this post can comment on it."


async def comment_permission(
    session: AsyncSession, *, creator_id: int, reader: Reader, is_readable: bool
) -> tuple[bool, str]:
    """(may comment, why not) for a reader of a post they can or can't read."""
    if not is_readable:
        return False, ""
    if reader.user_id is None:
        return False, SIGN_IN_TO_COMMENT
    if await repository.is_blocked(session, creator_id, reader.user_id):
        return False, BLOCKED_FROM_COMMENTING
    return True, ""


async def visible_comments(
    session: AsyncSession, *, creator_id: int, post_id: int, reader: Reader, is_owner: bool
) -> list[CommentView]:
    """Oldest first; hidden comments only for the creator (marked), never for anyone else."""
    rows = await repository.comments_of_post(session, post_id, is_hidden_included=is_owner)
    blocked = await repository.blocked_user_ids(session, creator_id) if is_owner else set()
    return [
        CommentView(
            id=comment.id or 0,
            author_name=name or "Member",
            body=comment.body,
            created_at=comment.created_at,
            is_hidden=comment.is_hidden or comment.hidden_at is not None,
            is_author_blocked=comment.author_user_id in blocked,
        )
        for comment, name in rows
    ]


async def add_comment(
    *, session_token: str, handle: str, slug: str, body: str, now: datetime | None = None
) -> CommentView:
    """A comment by a signed-in reader who can read the post and is not blocked by its creator."""
    moment = now or utc_now()
    text = rules.check_comment(body)
    reader = await access.reader_of(session_token)
    if reader.user_id is None:
        raise CommentingNotAllowed(SIGN_IN_TO_COMMENT)
    async with db.transaction() as session:
        creator = await creators.public_creator_by_handle(session, handle)
        post = (
            None
            if creator is None or creator.id is None
            else await repository.post_by_slug(session, creator.id, slug.strip().lower())
        )
        if creator is None or creator.id is None or post is None or post.id is None:
            raise NotFound("We couldn't find that post.")
        gate = await access.gate_for(session, creator, reader, moment)
        if not gate.is_owner and (not rules.is_published(post.published_at, moment) or post.hidden_at is not None):
            raise NotFound("We couldn't find that post.")
        allowed, reason = await comment_permission(
            session, creator_id=creator.id, reader=reader, is_readable=gate.can_read(post, moment)
        )
        if not allowed:
            raise CommentingNotAllowed(reason or None)
        comment = PostComment(post_id=post.id, author_user_id=reader.user_id, body=text, created_at=moment)
        await repository.add(session, comment)
        return CommentView(
            id=comment.id or 0,
            author_name=reader.display_name or "Member",
            body=comment.body,
            created_at=comment.created_at,
            is_hidden=False,
            is_author_blocked=False,
        )


async def set_comment_hidden(*, session_token: str, comment_id: int, is_hidden: bool) -> None:
    """The creator hides (or shows again) a comment on one of their posts."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        assert creator.id is not None
        comment = await repository.comment_of_creator(session, creator.id, comment_id)
        if comment is None:
            raise CommentNotFound()
        comment.is_hidden = is_hidden
        session.add(comment)


async def block_commenter(*, session_token: str, comment_id: int) -> None:
    """The creator blocks the author of a comment from commenting on any of their posts, and hides the comment."""
    async with db.transaction() as session:
        creator = await my_creator(session, session_token)
        assert creator.id is not None
        comment = await repository.comment_of_creator(session, creator.id, comment_id)
        if comment is None:
            raise CommentNotFound()
        if comment.author_user_id == creator.user_id:
            raise InvalidInput("You can't block yourself.", field="comment")
        comment.is_hidden = True
        session.add(comment)
        if not await repository.is_blocked(session, creator.id, comment.author_user_id):
            await repository.add(session, CommenterBlock(creator_id=creator.id, user_id=comment.author_user_id))
