"""Pure review rules: rating and text checks, and the exact average shown as "4.5"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from creatorly.services.memberships.tier_rules import plain_text
from creatorly.services.reviews.errors import EmptyReply, InvalidRating, ReviewTextTooLong

MAX_REVIEW_TEXT = 2_000
MAX_REPLY_TEXT = 2_000
PAGE_SIZE = 10
SORT_NEWEST = "newest"
SORT_HELPFUL = "helpful"
SORTS = (SORT_NEWEST, SORT_HELPFUL)


def checked_rating(raw: object) -> int:
    """A whole number of stars from 1 to 5 (given as int or text); anything else is refused."""
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= 5:
        raise InvalidRating()
    return int(text)


def checked_text(raw: str, *, limit: int = MAX_REVIEW_TEXT) -> str:
    """Plain text only: tags (and script or style content) and control characters removed, newlines kept."""
    text = plain_text(raw or "", keep_newlines=True)
    if len(text) > limit:
        raise ReviewTextTooLong(f"Keep it under {limit:,} characters.")
    return text


def checked_reply(raw: str) -> str:
    text = checked_text(raw, limit=MAX_REPLY_TEXT)
    if not text:
        raise EmptyReply()
    return text


def checked_sort(raw: str) -> str:
    return raw if raw in SORTS else SORT_NEWEST


def average_tenths(rating_sum: int, count: int) -> int:
    """The average rating in tenths of a star, rounded half up from the exact integers (45 for 4.5)."""
    if count <= 0:
        return 0
    tenths = (Decimal(rating_sum) * 10 / Decimal(count)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(tenths)


def rating_label(tenths: int) -> str:
    """Tenths of a star as shown and in structured data: 45 → "4.5", 40 → "4.0"."""
    return f"{tenths // 10}.{tenths % 10}"


def summary_text(tenths: int, count: int) -> str:
    """The accessible sentence for a rating summary."""
    if count == 0:
        return "No reviews yet"
    noun = "review" if count == 1 else "reviews"
    return f"Rated {rating_label(tenths)} out of 5 from {count} {noun}"


def page_offset(page: int) -> int:
    return (max(page, 1) - 1) * PAGE_SIZE
