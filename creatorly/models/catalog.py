"""Creators, their products and the files attached to products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from creatorly.kit.clock import utc_now
from creatorly.models.base import UTCDateTime
from creatorly.models.enums import PricingModel, ProductStatus, ScanStatus


class Creator(SQLModel, table=True):
    __tablename__ = "creators"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, unique=True)
    )
    handle: str = Field(sa_column=Column(String(30), nullable=False, unique=True))
    handle_skeleton: str = Field(sa_column=Column(String(120), nullable=False, unique=True))
    display_name: str = Field(max_length=100)
    bio_markdown: str = Field(default="", sa_type=Text)
    avatar_key: str | None = Field(default=None, max_length=200)
    banner_key: str | None = Field(default=None, max_length=200)
    social_links: str = Field(default="[]", sa_type=Text)  # JSON list of validated http(s) URLs
    accent_color: str = Field(default="#6E56CF", max_length=7)
    default_currency: str = Field(default="USD", max_length=3)
    timezone: str = Field(default="UTC", max_length=64)
    platform_fee_percent: Decimal | None = Field(default=None, sa_type=Numeric(5, 2))  # None: the platform default
    hold_period_days: int | None = Field(default=None)  # None: the platform default; set by an admin
    suspended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # set by an admin; None: trading
    suspension_reason: str = Field(default="", max_length=500)  # shown to the creator while suspended
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("creator_id", "slug", name="uq_products_creator_slug"),
        Index("ix_products_creator_status", "creator_id", "status"),
        Index("ix_products_status_published_at", "status", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    creator_id: int = Field(sa_column=Column(Integer, ForeignKey("creators.id", ondelete="CASCADE"), nullable=False))
    slug: str = Field(max_length=80)
    title: str = Field(max_length=120)
    summary: str = Field(default="", max_length=280)
    description_markdown: str = Field(default="", sa_type=Text)
    cover_key: str | None = Field(default=None, max_length=200)
    pricing: PricingModel = Field(default=PricingModel.FIXED, sa_type=String(20))
    price_amount: int = Field(default=0, sa_type=BigInteger)  # the price, or the minimum when pay-what-you-want
    suggested_amount: int | None = Field(default=None, sa_type=BigInteger)
    currency: str = Field(default="USD", max_length=3)
    category: str = Field(default="", max_length=40, index=True)
    tags: str = Field(default="", max_length=300)  # comma-separated, lower case
    quantity_limit: int | None = Field(default=None)
    sold_count: int = Field(default=0)
    download_limit: int = Field(default=5)
    stamp_pdf: bool = Field(default=False)  # stamp each PDF page with the buyer's email at download
    link_lifetime_days: int = Field(default=7)
    # Members of this tier, or of any tier above it, get the product free; None: nobody does.
    members_free_tier_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("tiers.id", ondelete="SET NULL"), nullable=True)
    )
    status: ProductStatus = Field(default=ProductStatus.DRAFT, sa_type=String(20))
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Taken down by a moderator: kept unpublished, and the creator can't publish it until an appeal restores it.
    taken_down_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    takedown_reason: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ProductFile(SQLModel, table=True):
    __tablename__ = "product_files"
    __table_args__ = (Index("ix_product_files_scan_status", "scan_status"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    storage_key: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size_bytes: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)
    position: int = Field(default=0)
    # Only a clean file is sold or served. Without a scanner configured a file is clean on upload; an infected
    # one's bytes are moved to a private quarantine key (storage_key then points there) and never served.
    scan_status: ScanStatus = Field(default=ScanStatus.CLEAN, sa_type=String(20))
    scan_signature: str = Field(default="", max_length=200)  # what the scanner matched, or why it could not scan
    scan_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the latest attempt's start
    scanned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
