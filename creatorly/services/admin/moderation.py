"""Admin takedowns of content: unpublish a product, hide a post, hide a comment (reason required, audited).

Each one is recorded as a moderation decision, so the creator is emailed and may appeal once.
"""

from __future__ import annotations

from creatorly.services.moderation import decisions


async def unpublish_product(*, session_token: str, product_id: int, reason: str) -> int:
    """Take a product down: unpublished, and its creator can't publish it again unless an appeal restores it."""
    return await decisions.take_down_content(
        session_token=session_token, target_type="product", target_id=product_id, reason=reason
    )


async def hide_post(*, session_token: str, post_id: int, reason: str) -> int:
    """Hide a post from everyone but its creator."""
    return await decisions.take_down_content(
        session_token=session_token, target_type="post", target_id=post_id, reason=reason
    )


async def hide_comment(*, session_token: str, comment_id: int, reason: str) -> int:
    """Hide a comment from everyone but the post's creator."""
    return await decisions.take_down_content(
        session_token=session_token, target_type="comment", target_id=comment_id, reason=reason
    )
