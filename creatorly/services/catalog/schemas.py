"""Catalog inputs and read models: plain data, ready to show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from creatorly.models.enums import PricingModel
from creatorly.services.memberships.content_schemas import TierOption


@dataclass(frozen=True, slots=True)
class NewProduct:
    """A product built in code (demo data, tests)."""

    title: str
    summary: str
    description_markdown: str
    pricing: PricingModel
    price_amount: int
    currency: str
    is_published: bool
    category: str = "other"


@dataclass(frozen=True, slots=True)
class ProductInput:
    """What a creator typed in the product editor, unchecked."""

    title: str
    summary: str = ""
    description: str = ""
    pricing: str = "fixed"
    price: str = ""
    suggested_price: str = ""
    category: str = "other"
    tags: str = ""
    quantity_limit: str = ""
    download_limit: str = "5"
    link_lifetime_days: str = "7"
    stamp_pdf: str = ""  # "on" when the editor's checkbox is ticked; absent from the form when it is not
    members_free_tier: str = ""  # the id of the lowest tier whose members get it free; "" for nobody


@dataclass(frozen=True, slots=True)
class ProductCard:
    slug: str
    title: str
    summary: str
    price_label: str
    is_free: bool
    cover_url: str = ""
    creator_handle: str = ""
    creator_name: str = ""


@dataclass(frozen=True, slots=True)
class Storefront:
    handle: str
    display_name: str
    bio: str
    accent_color: str
    products: list[ProductCard] = field(default_factory=list)
    bio_html: str = ""
    avatar_url: str = ""
    banner_url: str = ""
    social_links: list[str] = field(default_factory=list)
    creator_id: int = 0


@dataclass(frozen=True, slots=True)
class ProductPage:
    handle: str
    creator_name: str
    slug: str
    title: str
    summary: str
    description_html: str
    price_label: str
    pricing: str
    cover_url: str
    file_count: int
    is_sold_out: bool
    category_label: str
    tags: list[str] = field(default_factory=list)
    minimum_amount_text: str = ""  # pay what you want: the least a buyer may pay, e.g. "5.00"
    suggested_amount_text: str = ""
    product_id: int = 0


@dataclass(frozen=True, slots=True)
class FileView:
    id: int
    name: str
    kind: str
    size_label: str
    sha256: str
    scan_status: str = "clean"  # a ScanStatus value
    scan_label: str = ""  # "Scanning…", "Clean", "Infected: … — removed"; "" when never scanned


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: int
    slug: str
    title: str
    status: str
    price_label: str
    file_count: int
    sold_count: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProductDetail:
    id: int
    slug: str
    status: str
    values: ProductInput
    cover_url: str
    files: list[FileView]
    sold_count: int
    public_url: str
    member_tiers: list[TierOption] = field(default_factory=list)  # choices for "Free for members"
    currency: str = ""  # the store's ISO 4217 code, shown beside the price fields


@dataclass(frozen=True, slots=True)
class DiscoverQuery:
    text: str = ""
    category: str = ""
    max_price: int | None = None
    is_free_only: bool = False
    sort: str = "newest"  # newest | price_low | price_high | popular
    page: int = 1
    page_size: int = 24


@dataclass(frozen=True, slots=True)
class DiscoverPage:
    items: list[ProductCard]
    total: int
    page: int
    page_count: int
