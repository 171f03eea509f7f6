"""Build test data through the services, the same way the app does."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass

from creatorly import db
from creatorly.models import Creator, Order, Product
from creatorly.models.enums import OrderStatus, PricingModel, Role
from creatorly.services.accounts import service as accounts
from creatorly.services.catalog import service as catalog
from creatorly.services.catalog.schemas import NewProduct
from creatorly.services.creators import service as creators

_numbers = itertools.count(1)


@dataclass(frozen=True)
class CreatorWithProducts:
    creator: Creator
    products: list[Product]
    email: str


def new_product(**overrides: object) -> NewProduct:
    values: dict[str, object] = {
        "title": f"Product {next(_numbers)}",
        "summary": "A thing worth buying.",
        "description_markdown": "Longer text.",
        "pricing": PricingModel.FIXED,
        "price_amount": 1200,
        "currency": "USD",
        "is_published": True,
    }
    values.update(overrides)
    return NewProduct(**values)  # type: ignore[arg-type]


async def make_creator(*, handle: str | None = None, products: list[NewProduct] | None = None) -> CreatorWithProducts:
    number = next(_numbers)
    async with db.transaction() as session:
        user = await accounts.add_verified_user(
            session,
            email=f"creator{number}@example.com",
            password="correct horse battery staple",
            display_name=f"Creator {number}",
            role=Role.CREATOR,
        )
        assert user.id is not None
        creator = await creators.add_creator(
            session,
            user_id=user.id,
            handle=handle or f"creator{number}",
            display_name=f"Creator {number}",
            bio_markdown="Hello!",
            currency="USD",
        )
        added = [await catalog.add_product(session, creator, product) for product in (products or [])]
    return CreatorWithProducts(creator=creator, products=added, email=user.email)


async def make_order(
    *, product: Product, buyer_email: str, buyer_user_id: int | None = None, amount: int = 1200
) -> Order:
    """A paid order row; checkout builds these through its own service once it exists."""
    assert product.id is not None
    async with db.transaction() as session:
        order = Order(
            public_id=f"ord_{secrets.token_hex(8)}",
            creator_id=product.creator_id,
            product_id=product.id,
            buyer_user_id=buyer_user_id,
            buyer_email=buyer_email,
            amount=amount,
            currency=product.currency,
            status=OrderStatus.PAID,
        )
        session.add(order)
    return order
