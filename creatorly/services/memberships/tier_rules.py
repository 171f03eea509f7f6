"""Pure membership content rules: checks of what a creator types into tiers and posts, who may read a post.

No I/O here: every function takes plain values (statuses, times, positions) and answers or raises InvalidInput.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import nh3

from creatorly.errors import InvalidInput
from creatorly.kit.money import exponent_of, format_money, parse_amount
from creatorly.kit.slugs import slugify
from creatorly.models.enums import BillingInterval, PostAudience, SubscriptionStatus

MAX_TIER_NAME = 80
MAX_TIER_DESCRIPTION = 5_000
MAX_BENEFITS = 10
MAX_BENEFIT = 120
MAX_WELCOME = 2_000
MAX_TRIAL_DAYS = 90
MAX_MEMBER_CAP = 1_000_000
MAX_POST_TITLE = 160
MAX_TEASER = 300
MAX_POST_BODY = 50_000
MAX_COMMENT = 2_000
MAX_PRICE_MAJOR_UNITS = 100_000

INTERVAL_ORDER: tuple[BillingInterval, ...] = (
    BillingInterval.WEEKLY,
    BillingInterval.MONTHLY,
    BillingInterval.QUARTERLY,
    BillingInterval.YEARLY,
)
INTERVAL_LABELS: dict[str, str] = {
    BillingInterval.WEEKLY: "week",
    BillingInterval.MONTHLY: "month",
    BillingInterval.QUARTERLY: "quarter",
    BillingInterval.YEARLY: "year",
}
AUDIENCE_LABELS: dict[str, str] = {
    PostAudience.PUBLIC: "Everyone",
    PostAudience.MEMBERS: "All members",
    PostAudience.TIER: "Tier and above",
}
# Statuses that may still grant access; each is checked against its times by `grants_access`.
ACCESS_STATUSES: tuple[SubscriptionStatus, ...] = (
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.CANCELED,
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INLINE_WHITESPACE = re.compile(r"\s+")


# --- Plain text ----------------------------------------------------------------------------------


def plain_text(raw: str, *, keep_newlines: bool = False) -> str:
    """Text with every HTML tag (and script/style content) removed and control characters dropped.

    The result is plain text, shown through React's escaping; it never holds markup.
    """
    without_tags = html.unescape(nh3.clean(raw, tags=set()))
    cleaned = _CONTROL_CHARACTERS.sub("", without_tags)
    if keep_newlines:
        lines = [" ".join(line.split()) for line in cleaned.replace("\r\n", "\n").split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return _INLINE_WHITESPACE.sub(" ", cleaned).strip()


def _limited(raw: str, *, field: str, limit: int) -> str:
    text = raw.strip()
    if len(text) > limit:
        raise InvalidInput(f"Keep this under {limit:,} characters.", field=field)
    return text


# --- Tiers ---------------------------------------------------------------------------------------


def check_tier_name(raw: str) -> str:
    name = plain_text(raw)
    if not name or len(name) > MAX_TIER_NAME:
        raise InvalidInput(f"Give the tier a name of 1–{MAX_TIER_NAME} characters.", field="name")
    return name


def check_tier_description(raw: str) -> str:
    return _limited(raw, field="description", limit=MAX_TIER_DESCRIPTION)


def check_welcome_message(raw: str) -> str:
    return plain_text(_limited(raw, field="welcome_message", limit=MAX_WELCOME), keep_newlines=True)


def check_benefits(raw: str) -> list[str]:
    """One benefit per line: plain text, at most MAX_BENEFITS of at most MAX_BENEFIT characters, no repeats."""
    benefits = [plain_text(line) for line in raw.splitlines()]
    benefits = list(dict.fromkeys(benefit for benefit in benefits if benefit))
    if len(benefits) > MAX_BENEFITS:
        raise InvalidInput(f"List at most {MAX_BENEFITS} benefits.", field="benefits")
    if any(len(benefit) > MAX_BENEFIT for benefit in benefits):
        raise InvalidInput(f"Keep each benefit under {MAX_BENEFIT} characters.", field="benefits")
    return benefits


def benefits_json(benefits: list[str]) -> str:
    return json.dumps(benefits, ensure_ascii=False)


def benefits_from_json(stored: str) -> list[str]:
    try:
        value = json.loads(stored or "[]")
    except ValueError:
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def check_whole_number(raw: str, *, field: str, low: int, high: int) -> int | None:
    """An optional whole number in [low, high]; empty means none."""
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(f"Enter a whole number from {low} to {high:,}.", field=field)
    return int(text)


def minimum_price(currency: str) -> int:
    """The smallest membership price per period: 1.00 in the main unit (¥100 for yen)."""
    return 100 if exponent_of(currency) == 0 else 10 ** exponent_of(currency)


def check_price(raw: str, currency: str, *, field: str) -> int | None:
    """An optional price in minor units, at least the currency's minimum; empty means not offered."""
    text = raw.strip()
    if not text:
        return None
    try:
        amount = parse_amount(text, currency)
    except ValueError as error:
        raise InvalidInput(str(error).replace("'", "“", 1).replace("'", "”", 1), field=field) from None
    if amount < minimum_price(currency):
        raise InvalidInput(
            f"The price must be at least {format_money(minimum_price(currency), currency)}.", field=field
        )
    if amount > MAX_PRICE_MAJOR_UNITS * 10 ** exponent_of(currency):
        raise InvalidInput(f"Enter an amount up to {MAX_PRICE_MAJOR_UNITS:,}.", field=field)
    return amount


def check_prices(raw: dict[str, str], currency: str) -> dict[BillingInterval, int]:
    """Prices by interval from the form fields `price_<interval>`; at least one interval is offered."""
    prices: dict[BillingInterval, int] = {}
    for interval in INTERVAL_ORDER:
        amount = check_price(raw.get(interval.value, ""), currency, field=f"price_{interval.value}")
        if amount is not None:
            prices[interval] = amount
    if not prices:
        raise InvalidInput("Set a price for at least one billing period.", field="price_monthly")
    return prices


def price_label(amount: int, currency: str, interval: str) -> str:
    """'$5.00 / month'."""
    return f"{format_money(amount, currency)} / {INTERVAL_LABELS.get(interval, interval)}"


def swapped_positions(positions: list[tuple[int, int]], tier_id: int, direction: int) -> list[tuple[int, int]]:
    """(id, new position) pairs after moving `tier_id` one place up (-1) or down (+1) in the given order.

    `positions` is (id, position) sorted by position; positions are renumbered 0..n-1 so gaps and ties vanish.
    Moving past either end leaves the order unchanged.
    """
    order = [tier for tier, _ in sorted(positions, key=lambda pair: (pair[1], pair[0]))]
    if tier_id not in order or direction not in (-1, 1):
        raise InvalidInput("Choose up or down.", field="position")
    index = order.index(tier_id)
    target = index + direction
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    return [(tier, position) for position, tier in enumerate(order)]


# --- Posts ---------------------------------------------------------------------------------------


def check_post_title(raw: str) -> str:
    title = plain_text(raw)
    if not title or len(title) > MAX_POST_TITLE:
        raise InvalidInput(f"Give the post a title of 1–{MAX_POST_TITLE} characters.", field="title")
    return title


def check_post_slug(raw: str, title: str) -> str:
    """The address part: the typed slug (or the title) in lower-case letters, digits and dashes."""
    return slugify(raw.strip() or title, max_length=80)


def check_teaser(raw: str) -> str:
    teaser = plain_text(raw)
    if len(teaser) > MAX_TEASER:
        raise InvalidInput(f"Keep the teaser under {MAX_TEASER} characters.", field="teaser")
    return teaser


def check_post_body(raw: str) -> str:
    return _limited(raw, field="body", limit=MAX_POST_BODY)


def check_audience(raw: str, min_tier_id: int | None) -> PostAudience:
    if raw not in set(PostAudience):
        raise InvalidInput("Choose who can read this post.", field="audience")
    if raw == PostAudience.TIER and min_tier_id is None:
        raise InvalidInput("Choose the lowest tier that can read this post.", field="min_tier")
    return PostAudience(raw)


def check_comment(raw: str) -> str:
    if len(raw) > MAX_COMMENT * 2:  # before cleaning: no work on huge input
        raise InvalidInput(f"Keep comments under {MAX_COMMENT:,} characters.", field="body")
    body = plain_text(raw, keep_newlines=True)
    if not body:
        raise InvalidInput("Write something first.", field="body")
    if len(body) > MAX_COMMENT:
        raise InvalidInput(f"Keep comments under {MAX_COMMENT:,} characters.", field="body")
    return body


# --- Access --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionFacts:
    """What access depends on in a subscription row."""

    status: str
    current_period_end: datetime | None
    grace_until: datetime | None
    cancel_at_period_end: bool


def grants_access(facts: SubscriptionFacts, now: datetime) -> bool:
    """Trialing or active (until the period ends when cancelling at its end); past due within its grace
    period; cancelled at period end while the paid period lasts. Paused and incomplete never."""
    is_inside_period = facts.current_period_end is not None and now < facts.current_period_end
    if facts.status in (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE):
        return is_inside_period if facts.cancel_at_period_end else True
    if facts.status == SubscriptionStatus.PAST_DUE:
        return facts.grace_until is not None and now < facts.grace_until
    if facts.status == SubscriptionStatus.CANCELED:
        return facts.cancel_at_period_end and is_inside_period
    return False


@dataclass(frozen=True, slots=True)
class PostFacts:
    """What reading a post depends on."""

    audience: str
    published_at: datetime | None
    public_at: datetime | None
    min_tier_position: int | None  # None: no tier chosen (or the tier was deleted)


def is_published(published_at: datetime | None, now: datetime) -> bool:
    return published_at is not None and published_at <= now


def is_gated(post: PostFacts, now: datetime) -> bool:
    """Whether the post is (still) for members only at `now`."""
    if post.audience == PostAudience.PUBLIC:
        return False
    return post.public_at is None or post.public_at > now


def can_read(post: PostFacts, *, member_position: int | None, is_owner: bool, now: datetime) -> bool:
    """Creators read their own; others read a published post that is public (or past its early-access time),
    or for members and they are one, or for a tier and their tier is at least that tier."""
    if is_owner:
        return True
    if not is_published(post.published_at, now):
        return False
    if not is_gated(post, now):
        return True
    if member_position is None:
        return False
    if post.audience == PostAudience.MEMBERS or post.min_tier_position is None:
        return True
    return member_position >= post.min_tier_position


def check_schedule(publish_at: datetime | None, public_at: datetime | None) -> None:
    if publish_at is not None and public_at is not None and public_at < publish_at:
        raise InvalidInput("Make it public for everyone after it is published, not before.", field="public_at")


def parse_local_time(raw: str, *, field: str, zone: tzinfo) -> datetime | None:
    """A `YYYY-MM-DDTHH:MM` (datetime-local) value in the creator's time zone, as UTC; empty means none."""
    text = raw.strip()
    if not text:
        return None
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Enter a date and time.", field=field) from None
    return local.replace(tzinfo=zone).astimezone(UTC) if local.tzinfo is None else local.astimezone(UTC)


def local_time_text(moment: datetime | None, zone: tzinfo) -> str:
    """The datetime-local form value of a stored time, in the creator's time zone."""
    return "" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
