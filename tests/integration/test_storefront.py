"""Demo data loads once; a storefront shows only its creator's published products."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from creatorly import db
from creatorly.models import Product, User
from creatorly.models.enums import PricingModel
from creatorly.services.catalog import service as catalog
from creatorly.services.demo.service import DEMO_HANDLE, seed_demo_data
from tests.factories import make_creator, new_product


async def _count(model: type[User] | type[Product]) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_demo_data_loads_once() -> None:
    first = await seed_demo_data()
    second = await seed_demo_data()
    assert (first.was_created, second.was_created) == (True, False)
    assert await _count(User) == 1
    assert await _count(Product) == 5


async def test_demo_storefront_lists_its_published_products() -> None:
    await seed_demo_data()
    storefront = await catalog.get_storefront(handle=DEMO_HANDLE)
    assert storefront.display_name == "Mira Costa"
    assert {card.title: card.price_label for card in storefront.products} == {
        "Golden Hour Lightroom Presets": "$15.00",
        "Watercolor Brush Pack": "$9.00",
        "Field Guide to Film Photography": "Pay what you want (from $5.00)",
        "Lisbon Wallpapers": "Free",
    }


async def test_storefront_shows_no_drafts_and_no_other_creators_products() -> None:
    alice = await make_creator(
        handle="alice", products=[new_product(title="Alice Zine"), new_product(title="Draft", is_published=False)]
    )
    await make_creator(handle="bob", products=[new_product(title="Bob Beats")])
    storefront = await catalog.get_storefront(handle="ALICE ")
    assert storefront.handle == alice.creator.handle == "alice"
    assert [card.title for card in storefront.products] == ["Alice Zine"]


async def test_an_unknown_handle_is_not_found() -> None:
    with pytest.raises(catalog.StorefrontNotFound):
        await catalog.get_storefront(handle="nobody-here")


async def test_slugs_stay_unique_per_creator() -> None:
    creator = await make_creator(
        products=[
            new_product(title="Zine"),
            new_product(title="Zine"),
            new_product(title="Zine", pricing=PricingModel.FREE),
        ]
    )
    assert [product.slug for product in creator.products] == ["zine", "zine-2", "zine-3"]
