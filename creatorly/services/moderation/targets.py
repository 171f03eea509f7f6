"""What each kind of reported content is and how it is taken down or restored: a dict of target type → handler.

Other domains' content can be registered from outside (`register_takedown(kind, handler)`); a storefront has no
takedown here (removing one means an admin suspends the creator), so its handler's take_down and restore are None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly.kit.clock import utc_now
from creatorly.models.enums import ProductStatus
from creatorly.services.catalog import page_versions
from creatorly.services.moderation import repository
from creatorly.services.moderation.errors import ReportTargetNotFound, TakedownNotAvailable
from creatorly.services.moderation.schemas import Target
from creatorly.services.reviews import moderation as reviews
from creatorly.services.reviews.errors import ReviewNotFound

Changes = tuple[dict[str, Any], dict[str, Any]]  # (before, after) for the audit log
Finder = Callable[[AsyncSession, int], Awaitable[Target | None]]
TakeDown = Callable[[AsyncSession, int, str, datetime], Awaitable[Changes]]
Restore = Callable[[AsyncSession, int], Awaitable[Changes]]


@dataclass(frozen=True, slots=True)
class TakedownHandler:
    """`find` reads the target (None when unknown); `take_down` removes it, `restore` undoes that (same session)."""

    find: Finder
    take_down: TakeDown | None = None
    restore: Restore | None = None


_handlers: dict[str, TakedownHandler] = {}


def register_takedown(target_type: str, handler: TakedownHandler) -> None:
    _handlers[target_type] = handler


def handler_for(target_type: str) -> TakedownHandler | None:
    return _handlers.get(target_type)


async def find_target(session: AsyncSession, target_type: str, target_id: int) -> Target:
    handler = handler_for(target_type)
    found = None if handler is None else await handler.find(session, target_id)
    if found is None:
        raise ReportTargetNotFound()
    return found


def can_take_down(target_type: str) -> bool:
    handler = handler_for(target_type)
    return handler is not None and handler.take_down is not None


async def take_down(session: AsyncSession, target: Target, reason: str) -> Changes:
    handler = handler_for(target.target_type)
    if handler is None or handler.take_down is None:
        raise TakedownNotAvailable()
    return await handler.take_down(session, target.target_id, reason, utc_now())


async def restore(session: AsyncSession, target: Target) -> Changes:
    handler = handler_for(target.target_type)
    if handler is None or handler.restore is None:
        return {}, {}
    return await handler.restore(session, target.target_id)


# --- Built-in handlers ---------------------------------------------------------------------------


async def _find_storefront(session: AsyncSession, target_id: int) -> Target | None:
    creator = await repository.creator_by_id(session, target_id)
    if creator is None:
        return None
    return Target(
        "storefront",
        target_id,
        creator.id,
        f"Storefront {creator.display_name} (@{creator.handle})",
        f"/{creator.handle}",
        is_visible=True,
    )


async def _find_product(session: AsyncSession, target_id: int) -> Target | None:
    found = await repository.product_with_creator(session, target_id)
    if found is None:
        return None
    product, creator = found
    return Target(
        "product",
        target_id,
        product.creator_id,
        f'Product "{product.title}" by {creator.display_name}',
        f"/{creator.handle}/{product.slug}",
        is_visible=product.status == ProductStatus.PUBLISHED and product.taken_down_at is None,
        is_removed=product.taken_down_at is not None,
    )


async def _take_down_product(session: AsyncSession, target_id: int, reason: str, now: datetime) -> Changes:
    product = await repository.product_for_update(session, target_id)
    before = {"status": str(product.status), "taken_down": product.taken_down_at is not None}
    product.status, product.taken_down_at, product.takedown_reason = ProductStatus.DRAFT, now, reason
    product.updated_at = now
    session.add(product)
    return before, {"status": str(product.status), "taken_down": True}


async def _restore_product(session: AsyncSession, target_id: int) -> Changes:
    product = await repository.product_for_update(session, target_id)
    before = {"status": str(product.status), "taken_down": product.taken_down_at is not None}
    product.status, product.taken_down_at, product.takedown_reason = ProductStatus.PUBLISHED, None, ""
    product.published_at, product.updated_at = product.published_at or utc_now(), utc_now()
    session.add(product)
    return before, {"status": str(product.status), "taken_down": False}


async def _find_post(session: AsyncSession, target_id: int) -> Target | None:
    found = await repository.post_with_creator(session, target_id)
    if found is None:
        return None
    post, creator = found
    is_published = post.published_at is not None and post.published_at <= utc_now()
    return Target(
        "post",
        target_id,
        post.creator_id,
        f'Post "{post.title}" by {creator.display_name}',
        f"/{creator.handle}/posts/{post.slug}",
        is_visible=is_published and post.hidden_at is None,
        is_removed=post.hidden_at is not None,
    )


async def _take_down_post(session: AsyncSession, target_id: int, reason: str, now: datetime) -> Changes:
    post = await repository.post_for_update(session, target_id)
    before = {"hidden": post.hidden_at is not None}
    post.hidden_at, post.hidden_reason, post.updated_at = now, reason, now
    session.add(post)
    return before, {"hidden": True}


async def _restore_post(session: AsyncSession, target_id: int) -> Changes:
    post = await repository.post_for_update(session, target_id)
    before = {"hidden": post.hidden_at is not None}
    post.hidden_at, post.hidden_reason, post.updated_at = None, "", utc_now()
    session.add(post)
    return before, {"hidden": False}


async def _find_comment(session: AsyncSession, target_id: int) -> Target | None:
    found = await repository.comment_with_post(session, target_id)
    if found is None:
        return None
    comment, post, creator = found
    excerpt = comment.body if len(comment.body) <= 60 else comment.body[:57] + "…"
    return Target(
        "comment",
        target_id,
        post.creator_id,
        f'Comment "{excerpt}" on "{post.title}" by {creator.display_name}',
        f"/{creator.handle}/posts/{post.slug}",
        is_visible=not comment.is_hidden and comment.hidden_at is None and post.hidden_at is None,
        is_removed=comment.hidden_at is not None,
    )


async def _take_down_comment(session: AsyncSession, target_id: int, reason: str, now: datetime) -> Changes:
    comment = await repository.comment_for_update(session, target_id)
    before = {"hidden": comment.hidden_at is not None}
    comment.hidden_at, comment.hidden_reason = now, reason
    session.add(comment)
    page_versions.note_change()  # comments show on cached post pages but are not a watched table
    return before, {"hidden": True}


async def _restore_comment(session: AsyncSession, target_id: int) -> Changes:
    comment = await repository.comment_for_update(session, target_id)
    before = {"hidden": comment.hidden_at is not None}
    comment.hidden_at, comment.hidden_reason = None, ""
    session.add(comment)
    page_versions.note_change()
    return before, {"hidden": False}


async def _find_review(session: AsyncSession, target_id: int) -> Target | None:
    try:
        facts = await reviews.review_facts(session, review_id=target_id)
    except ReviewNotFound:
        return None
    creator = await repository.creator_by_id(session, facts["creator_id"])
    if creator is None:
        return None
    path = f"/{creator.handle}"
    if facts["product_id"] is not None:
        found = await repository.product_with_creator(session, facts["product_id"])
        path = f"/{creator.handle}/{found[0].slug}" if found is not None else path
    body, kind = str(facts["body"]), "product" if facts["product_id"] else "tier"
    excerpt = body if len(body) <= 60 else body[:57] + "…"
    return Target(
        "review",
        target_id,
        creator.id,
        f'Review ({facts["rating"]} of 5) "{excerpt}" of a {kind} by {creator.display_name}',
        path,
        is_visible=facts["hidden_at"] is None,
        is_removed=facts["hidden_at"] is not None,
    )


async def _take_down_review(session: AsyncSession, target_id: int, reason: str, now: datetime) -> Changes:
    changes = await reviews.hide_review(session, review_id=target_id, reason=reason, now=now)
    return changes["before"], changes["after"]


async def _restore_review(session: AsyncSession, target_id: int) -> Changes:
    changes = await reviews.restore_review(session, review_id=target_id)
    return changes["before"], changes["after"]


register_takedown("storefront", TakedownHandler(find=_find_storefront))
register_takedown("review", TakedownHandler(_find_review, _take_down_review, _restore_review))
register_takedown("product", TakedownHandler(_find_product, _take_down_product, _restore_product))
register_takedown("post", TakedownHandler(_find_post, _take_down_post, _restore_post))
register_takedown("comment", TakedownHandler(_find_comment, _take_down_comment, _restore_comment))
