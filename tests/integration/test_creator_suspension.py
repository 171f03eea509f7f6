"""Suspending a creator: public pages gone, no new checkouts, payouts held, earlier buyers keep their downloads;
restoring undoes exactly that (and leaves an admin's separate payout hold in place)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from creatorly import db
from creatorly.api.app import api
from creatorly.errors import NotFound
from creatorly.kit.clock import utc_now
from creatorly.models import Entitlement, Order, OutboxEmail, Payout, ProductFile, Tip
from creatorly.models.enums import OrderStatus, PricingModel
from creatorly.models.memberships import Subscription, Tier, TierPrice
from creatorly.providers.registry import get_storage
from creatorly.services.admin.suspension import restore_creator, suspend_creator
from creatorly.services.audit.service import command_line_actor
from creatorly.services.catalog import page_versions, public
from creatorly.services.catalog import service as catalog
from creatorly.services.catalog.schemas import DiscoverQuery
from creatorly.services.checkout import service as checkout
from creatorly.services.creators.errors import CreatorSuspended
from creatorly.services.delivery import service as delivery
from creatorly.services.memberships import join, posts, tiers
from creatorly.services.payouts import schedules, withdrawals
from creatorly.services.payouts.rules import SUSPENDED, UNDER_REVIEW, PayoutRefused
from creatorly.services.tips import service as tips
from creatorly.services.tips.schemas import NewTip
from tests.factories import make_creator, make_order, new_product
from tests.integration.payout_helpers import Seller, add_us_bank, make_seller, sell

DATA = b"the guide itself" * 64
NEXT_MONDAY = datetime(2031, 6, 2, 0, 20, tzinfo=UTC)
CLI = command_line_actor()


async def _count(model: type[SQLModel]) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _bought_file(seller: Seller) -> str:
    """An earlier buyer's download path of a file of the seller's product."""
    product = seller.product
    key = f"products/{product.id}/{secrets.token_hex(8)}"
    stored = await get_storage().save(key, _chunks(DATA), max_bytes=len(DATA))
    order = await make_order(product=product, buyer_email="earlier@example.com")
    async with db.transaction() as session:
        item = ProductFile(
            product_id=product.id,
            storage_key=key,
            original_name="guide.pdf",
            content_type="application/pdf",
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
        )
        session.add(item)
        await session.flush()
        assert item.id is not None and order.id is not None
        entitlement = Entitlement(
            order_id=order.id, product_file_id=item.id, download_limit=5, expires_at=utc_now() + timedelta(days=7)
        )
        session.add(entitlement)
        await session.flush()
        assert entitlement.id is not None
    return delivery.download_path(entitlement.id, order.public_id)


async def _tier(creator_id: int) -> Tier:
    async with db.transaction() as session:
        tier = Tier(public_id=f"tier_{secrets.token_hex(6)}", creator_id=creator_id, name="Friends", is_published=True)
        session.add(tier)
        await session.flush()
        assert tier.id is not None
        session.add(TierPrice(tier_id=tier.id, interval="monthly", amount=500, currency="USD"))
    return tier


def _tip(handle: str) -> NewTip:
    return NewTip(
        handle=handle, amount_text="5", buyer_email="fan@example.com", checkout_key=f"tip-{secrets.token_hex(6)}"
    )


async def _ready_seller() -> Seller:
    seller = await make_seller(hold_days=0)
    await sell(seller)
    await add_us_bank(seller)
    return seller


async def _emails(address: str) -> list[str]:
    async with db.transaction() as session:
        statement = select(OutboxEmail.subject).where(OutboxEmail.to_address == address).order_by(col(OutboxEmail.id))
        return list((await session.exec(statement)).all())


async def test_a_suspended_storefront_and_its_pages_answer_as_not_found_and_leave_sitemap_and_discover() -> None:
    seller = await _ready_seller()
    handle, slug = seller.handle, seller.product.slug
    cached_pages_version = page_versions.current()

    await suspend_creator(actor=CLI, handle=handle, reason="Selling counterfeit goods")

    assert page_versions.current() > cached_pages_version  # cached storefront and product pages are dropped

    with pytest.raises(catalog.StorefrontUnavailable) as refused:
        await catalog.get_storefront(handle=handle)
    assert refused.value.message == "This storefront is unavailable."
    with pytest.raises(catalog.ProductNotFound):
        await catalog.get_product_page(handle=handle, slug=slug)
    assert await public.page_meta_for_path(f"/{handle}") is None
    assert await public.page_meta_for_path(f"/{handle}/{slug}") is None
    assert all(handle not in url.loc for url in await public.sitemap_urls())
    assert [card.creator_handle for card in (await catalog.discover(DiscoverQuery())).items] == []
    assert await tiers.list_public_tiers(handle=handle) == []
    assert await posts.list_public_posts(handle=handle) == []
    assert await _emails(seller.email) == ["Your Creatorly storefront is suspended"]


async def test_a_suspended_creator_takes_no_product_checkout_tip_or_membership_and_nothing_is_written() -> None:
    made = await make_creator(products=[new_product(pricing=PricingModel.FREE, price_amount=0)])
    creator, product = made.creator, made.products[0]
    assert creator.id is not None
    tier = await _tier(creator.id)
    await suspend_creator(actor=CLI, handle=creator.handle, reason="Chargebacks under investigation")
    orders_before = await _count(Order)

    with pytest.raises(CreatorSuspended) as product_refusal:
        await checkout.start_checkout(
            handle=creator.handle, slug=product.slug, buyer_email="fan@example.com", checkout_key="suspended-product-1"
        )
    with pytest.raises(CreatorSuspended):
        await tips.start_tip(_tip(creator.handle))
    with pytest.raises(CreatorSuspended):
        await join.start_join(
            handle=creator.handle,
            tier_public_id=tier.public_id,
            interval="monthly",
            buyer_email="fan@example.com",
            checkout_key="suspended-join-1",
        )

    assert product_refusal.value.code == "creator_suspended"
    assert product_refusal.value.message == "This storefront is unavailable right now, so it can't take new orders."
    assert (await _count(Order), await _count(Tip), await _count(Subscription)) == (orders_before, 0, 0)


async def test_a_suspended_creator_cannot_withdraw_and_the_scheduled_run_skips_them() -> None:
    seller = await _ready_seller()
    await schedules.set_schedule(seller.creator_id, "weekly")
    await suspend_creator(actor=CLI, handle=seller.handle, reason="Fraud review")

    with pytest.raises(PayoutRefused) as refused:
        await withdrawals.withdraw(seller.creator_id, "USD")
    run = await schedules.run_scheduled_payouts(now=NEXT_MONDAY)
    readiness = await withdrawals.payout_readiness(seller.creator_id, "USD")

    assert refused.value.reason_code == SUSPENDED
    assert (run.opened, run.skipped) == (0, 1)
    assert await _count(Payout) == 0
    assert (readiness.can_withdraw, readiness.reason) == (
        False,
        "Your storefront is suspended, so payouts are on hold.",
    )


async def test_an_earlier_buyer_still_downloads_from_a_suspended_creator() -> None:
    seller = await make_seller(hold_days=0)
    path = await _bought_file(seller)
    await suspend_creator(actor=CLI, handle=seller.handle, reason="Copyright complaint")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        response = await client.get(path)

    assert (response.status_code, response.content) == (200, DATA)


async def test_restoring_undoes_the_suspension_and_keeps_a_separate_payout_hold() -> None:
    seller = await _ready_seller()
    await schedules.set_under_review(handle=seller.handle, under_review=True, note="KYC check", actor=CLI)
    await suspend_creator(actor=CLI, handle=seller.handle, reason="Fraud review")

    state = await restore_creator(actor=CLI, handle=seller.handle, reason="Cleared after review")

    assert (state.is_suspended, state.suspended_at, state.reason) == (False, None, "")
    storefront = await catalog.get_storefront(handle=seller.handle)
    assert [card.slug for card in storefront.products] == [seller.product.slug]
    assert await public.page_meta_for_path(f"/{seller.handle}") is not None
    with pytest.raises(PayoutRefused) as refused:
        await withdrawals.withdraw(seller.creator_id, "USD")
    assert refused.value.reason_code == UNDER_REVIEW  # the admin's own hold stays until released
    await schedules.set_under_review(handle=seller.handle, under_review=False, actor=CLI)
    payout = await withdrawals.withdraw(seller.creator_id, "USD")
    assert payout.amount > 0
    assert await _emails(seller.email) == [
        "Your Creatorly storefront is suspended",
        "Your Creatorly storefront is back",
    ]


async def test_a_restored_creator_takes_checkouts_again() -> None:
    made = await make_creator(products=[new_product(pricing=PricingModel.FREE, price_amount=0)])
    creator, product = made.creator, made.products[0]
    await suspend_creator(actor=CLI, handle=creator.handle, reason="Spam")
    await restore_creator(actor=CLI, handle=creator.handle, reason="Spam removed")

    started = await checkout.start_checkout(
        handle=creator.handle, slug=product.slug, buyer_email="fan@example.com", checkout_key="restored-product-1"
    )

    async with db.transaction() as session:
        [order] = (await session.exec(select(Order))).all()
    assert (order.public_id, order.status) == (started.order_public_id, OrderStatus.PAID)


async def test_an_unknown_storefront_is_still_plain_not_found() -> None:
    with pytest.raises(NotFound) as refused:
        await catalog.get_storefront(handle="nobody-here")
    assert not isinstance(refused.value, catalog.StorefrontUnavailable)
