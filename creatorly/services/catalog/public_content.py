"""The public content of a storefront or product page, for the HTML first served to crawlers and link previews.

Only published products appear; an unknown handle or slug has no content. Two queries at most (no N+1).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from creatorly import db
from creatorly.kit.markdown import plain_text_excerpt, render_markdown
from creatorly.kit.money import Money
from creatorly.models import Creator, Product
from creatorly.models.enums import ProductStatus
from creatorly.services.catalog import rules
from creatorly.services.catalog.public import absolute_url, media_url, public_page_path
from creatorly.services.reviews import service as reviews
from creatorly.services.reviews.schemas import RatingSummary


@dataclass(frozen=True, slots=True)
class PublicProductCard:
    title: str
    summary: str
    url: str  # absolute
    path: str
    price_label: str  # "$12.50"
    price_amount: str  # "12.50", major units
    currency: str
    cover_url: str | None
    is_available: bool
    description_html: str = ""  # sanitised; filled on a product page only
    rating_value: str = ""  # the average of its visible reviews, "4.5"; "" without reviews
    review_count: int = 0


@dataclass(frozen=True, slots=True)
class PublicPageContent:
    creator_name: str
    creator_bio: str  # plain text
    storefront_url: str
    avatar_url: str | None
    products: tuple[PublicProductCard, ...]
    product: PublicProductCard | None = None  # set on a product page


async def public_content_for_path(path: str) -> PublicPageContent | None:
    """The creator and published products of `/{handle}`, or the product of `/{handle}/{slug}`; else None."""
    parsed = public_page_path(path)
    if parsed is None or parsed.post_slug is not None:
        return None
    async with db.transaction() as session:
        creator = (await session.exec(select(Creator).where(Creator.handle == parsed.handle))).first()
        if creator is None or creator.suspended_at is not None:
            return None
        statement = select(Product).where(Product.creator_id == creator.id, Product.status == ProductStatus.PUBLISHED)
        if parsed.slug is not None:
            statement = statement.where(Product.slug == parsed.slug)
        rows = (await session.exec(statement.order_by(col(Product.published_at).desc(), col(Product.id)))).all()
        ratings = await reviews.summaries_of_products(session, [product.id for product in rows if product.id])
    if parsed.slug is not None and not rows:
        return None
    cards = tuple(
        _card(product, creator.handle, with_description=parsed.slug is not None, rating=ratings.get(product.id or 0))
        for product in rows
    )
    return PublicPageContent(
        creator_name=creator.display_name,
        creator_bio=plain_text_excerpt(creator.bio_markdown, limit=500),
        storefront_url=absolute_url(f"/{creator.handle}"),
        avatar_url=media_url(creator.avatar_key) if creator.avatar_key else None,
        products=() if parsed.slug is not None else cards,
        product=cards[0] if parsed.slug is not None else None,
    )


def _card(product: Product, handle: str, *, with_description: bool, rating: RatingSummary | None) -> PublicProductCard:
    price = Money(product.price_amount, product.currency)
    path = f"/{handle}/{product.slug}"
    is_sold_out = product.quantity_limit is not None and product.sold_count >= product.quantity_limit
    description = ""
    if with_description and product.description_markdown:
        try:
            description = render_markdown(product.description_markdown)
        except ValueError:
            description = ""
    return PublicProductCard(
        title=product.title,
        summary=product.summary,
        url=absolute_url(path),
        path=path,
        price_label=rules.price_label(product.pricing, product.price_amount, product.currency),
        price_amount=format(price.to_decimal(), "f"),
        currency=price.currency.upper(),
        cover_url=media_url(product.cover_key) if product.cover_key else None,
        is_available=not is_sold_out,
        description_html=description,
        rating_value=rating.average_label if rating else "",
        review_count=rating.count if rating else 0,
    )
