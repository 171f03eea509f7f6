"""Inputs and read models of tiers, posts and comments: plain data, ready to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TierInput:
    """What a creator typed in the tier editor, unchecked; prices in major units, empty = not offered."""

    name: str
    description: str = ""
    benefits: str = ""  # one per line
    trial_days: str = ""
    member_cap: str = ""
    welcome_message: str = ""
    price_weekly: str = ""
    price_monthly: str = ""
    price_quarterly: str = ""
    price_yearly: str = ""


@dataclass(frozen=True, slots=True)
class TierPriceView:
    interval: str
    interval_label: str  # "month"
    amount: int
    currency: str
    label: str  # "$5.00 / month"


@dataclass(frozen=True, slots=True)
class TierRow:
    """A tier in the creator's overview, with its live member count."""

    id: int
    public_id: str
    name: str
    position: int
    is_published: bool
    price_labels: list[str]
    member_count: int
    member_cap: int | None


@dataclass(frozen=True, slots=True)
class TierDetail:
    id: int
    public_id: str
    is_published: bool
    currency: str
    values: TierInput


@dataclass(frozen=True, slots=True)
class PublicTier:
    """A published tier on the storefront, lowest first."""

    public_id: str
    name: str
    position: int
    description_html: str
    benefits: list[str]
    trial_days: int
    prices: list[TierPriceView]
    is_full: bool


@dataclass(frozen=True, slots=True)
class PostInput:
    """What a creator typed in the post editor, unchecked; times are `YYYY-MM-DDTHH:MM` in their time zone."""

    title: str
    slug: str = ""
    teaser: str = ""
    body: str = ""
    audience: str = "public"
    min_tier_id: str = ""
    status: str = "draft"  # draft | published
    publish_at: str = ""  # empty: now, when published
    public_at: str = ""  # empty: no early-access end


@dataclass(frozen=True, slots=True)
class PostRow:
    id: int
    slug: str
    title: str
    state: str  # draft | scheduled | published
    audience_label: str
    published_at: datetime | None
    public_at: datetime | None
    comment_count: int


@dataclass(frozen=True, slots=True)
class TierOption:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PostDetail:
    id: int
    slug: str
    state: str
    values: PostInput
    image_url: str
    public_url: str
    tiers: list[TierOption]
    timezone: str


@dataclass(frozen=True, slots=True)
class PostCard:
    """A published post in the storefront's list; a locked one shows only its title and teaser."""

    slug: str
    title: str
    teaser: str
    image_url: str
    published_at: datetime
    audience_label: str
    is_locked: bool


@dataclass(frozen=True, slots=True)
class CommentView:
    id: int
    author_name: str
    body: str
    created_at: datetime
    is_hidden: bool
    is_author_blocked: bool


@dataclass(frozen=True, slots=True)
class PostPage:
    """A post for its public page: the body only when the reader may read it."""

    handle: str
    creator_name: str
    slug: str
    title: str
    teaser: str
    body_html: str
    image_url: str
    published_at: datetime | None
    audience_label: str
    is_locked: bool
    lock_text: str
    is_owner: bool
    can_comment: bool
    comment_block_reason: str
    comments: list[CommentView] = field(default_factory=list)
    post_id: int = 0
