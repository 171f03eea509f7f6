"""The public content of a storefront or product page as HTML readable without JavaScript, plus JSON-LD."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from creatorly.services.catalog.public_content import PublicPageContent, PublicProductCard

BUY_QUERY = "buy=1"


def _e(value: str) -> str:
    return escape(value, quote=True)


def json_ld_script(data: dict[str, Any]) -> str:
    """A JSON-LD data block; "<" is escaped so creator text can never close the script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/ld+json">{text}</script>'


def _card_html(card: PublicProductCard) -> str:
    cover = f'<img src="{_e(card.cover_url)}" alt="{_e(card.title)}" width="320">' if card.cover_url else ""
    return (
        f'<article class="noscript-product">{cover}<h3><a href="{_e(card.path)}">{_e(card.title)}</a></h3>'
        f"<p>{_e(card.summary)}</p><p><strong>{_e(card.price_label)}</strong></p></article>"
    )


def _offer(card: PublicProductCard) -> dict[str, Any]:
    availability = "InStock" if card.is_available else "SoldOut"
    return {
        "@type": "Offer",
        "price": card.price_amount,
        "priceCurrency": card.currency,
        "availability": f"https://schema.org/{availability}",
        "url": card.url,
    }


def _product_ld(card: PublicProductCard, content: PublicPageContent) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "Product",
        "name": card.title,
        "description": card.summary,
        "url": card.url,
        "brand": {"@type": "Person", "name": content.creator_name, "url": content.storefront_url},
        "offers": _offer(card),
    }
    if card.cover_url:
        data["image"] = card.cover_url
    if card.review_count > 0:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": card.rating_value,
            "reviewCount": card.review_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    return data


def render_storefront(content: PublicPageContent) -> str:
    cards = "".join(_card_html(card) for card in content.products)
    person: dict[str, Any] = {"@type": "Person", "name": content.creator_name, "url": content.storefront_url}
    if content.creator_bio:
        person["description"] = content.creator_bio
    if content.avatar_url:
        person["image"] = content.avatar_url
    ld = {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": content.storefront_url,
        "mainEntity": person,
        "hasPart": [_product_ld(card, content) for card in content.products],
    }
    noscript = (
        f"<noscript><main><h1>{_e(content.creator_name)}</h1><p>{_e(content.creator_bio)}</p>"
        f'<section aria-label="Products"><h2>Products</h2>{cards}</section></main></noscript>'
    )
    return noscript + json_ld_script(ld)


def render_product(content: PublicPageContent, card: PublicProductCard) -> str:
    cover = f'<img src="{_e(card.cover_url)}" alt="{_e(card.title)}" width="640">' if card.cover_url else ""
    buy = f'<p><a href="{_e(card.path)}?{BUY_QUERY}">Buy</a></p>' if card.is_available else "<p>Sold out</p>"
    noscript = (
        f"<noscript><main><article>{cover}<h1>{_e(card.title)}</h1>"
        f'<p>by <a href="{_e(content.storefront_url)}">{_e(content.creator_name)}</a></p>'
        f"<p><strong>{_e(card.price_label)}</strong></p><p>{_e(card.summary)}</p>"
        f"<div>{card.description_html}</div>{buy}</article></main></noscript>"
    )
    return noscript + json_ld_script({"@context": "https://schema.org", **_product_ld(card, content)})


def render_page_content(content: PublicPageContent) -> str:
    return render_storefront(content) if content.product is None else render_product(content, content.product)
