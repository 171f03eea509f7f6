"""Read models for storefront pages: plain data, ready to show."""

from __future__ import annotations

from dataclasses import dataclass, field

from creatorly.models.enums import PricingModel


@dataclass(frozen=True, slots=True)
class ProductCard:
    slug: str
    title: str
    summary: str
    price_label: str
    is_free: bool


@dataclass(frozen=True, slots=True)
class Storefront:
    handle: str
    display_name: str
    bio: str
    accent_color: str
    products: list[ProductCard] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NewProduct:
    title: str
    summary: str
    description_markdown: str
    pricing: PricingModel
    price_amount: int
    currency: str
    is_published: bool
