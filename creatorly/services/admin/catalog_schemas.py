"""What the admin console's creator, product and order lists and detail pages show: plain data, money formatted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class CreatorRow:
    id: int
    handle: str
    display_name: str
    email: str
    is_suspended: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BalanceLine:
    currency: str
    available_label: str
    pending_label: str
    in_payout_label: str
    paid_out_label: str


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: int
    public_id: str
    created_at: datetime
    creator_handle: str
    item_label: str
    buyer_email: str
    amount_label: str
    status: str
    status_label: str


@dataclass(frozen=True, slots=True)
class CreatorDetail:
    id: int
    handle: str
    display_name: str
    email: str
    is_suspended: bool
    suspended_at: datetime | None
    suspension_reason: str
    platform_fee_label: str
    hold_period_label: str
    platform_fee_percent: str  # "" when the platform default applies
    hold_period_days: str  # "" when the platform default applies
    is_payout_under_review: bool
    payout_review_note: str
    product_count: int
    created_at: datetime
    balances: list[BalanceLine] = field(default_factory=list)
    recent_orders: list[OrderRow] = field(default_factory=list)
    recent_posts: list[PostLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PostLine:
    id: int
    title: str
    state: str  # Draft, Scheduled, Published or Hidden (by a moderator)


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: int
    title: str
    creator_handle: str
    price_label: str
    status: str
    sold_count: int


@dataclass(frozen=True, slots=True)
class ProductFileLine:
    name: str
    content_type: str
    size_label: str


@dataclass(frozen=True, slots=True)
class ProductDetail:
    id: int
    title: str
    slug: str
    creator_id: int
    creator_handle: str
    creator_name: str
    price_label: str
    status: str
    is_published: bool
    public_url: str  # "" unless the public can see it
    sales_count: int
    created_at: datetime
    files: list[ProductFileLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AmountLine:
    label: str
    amount_label: str


@dataclass(frozen=True, slots=True)
class RefundLine:
    created_at: datetime
    amount_label: str
    status: str
    reason: str


@dataclass(frozen=True, slots=True)
class OrderDetail:
    id: int
    public_id: str
    kind: str
    item_label: str
    creator_id: int
    creator_handle: str
    buyer_email: str
    status: str
    status_label: str
    provider: str
    provider_reference: str
    created_at: datetime
    paid_at: datetime | None
    refundable_amount_label: str  # "" when nothing can be refunded
    can_resend_receipt: bool
    amounts: list[AmountLine] = field(default_factory=list)
    refunds: list[RefundLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, newest first; `next_cursor` is the id to pass as `before_id` to load more (None: end)."""

    items: list[T]
    next_cursor: int | None
