"""Products free for members: the creator names a tier, members at it or above claim the product for nothing
through the normal fulfilment (entitlements, receipt, library, download); everyone else is refused, with nothing
written; a second claim answers the first order."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from creatorly import db
from creatorly.api.app import api
from creatorly.models import Entitlement, LedgerEntry, Order, OrderEvent, OutboxEmail, Product, Subscription, Tier
from creatorly.models.enums import OrderStatus, SubscriptionStatus
from creatorly.models.memberships import TierPrice
from creatorly.services.catalog import files, manage
from creatorly.services.catalog.schemas import ProductInput
from creatorly.services.creators import service as creators
from creatorly.services.creators.schemas import ProfileInput
from creatorly.services.delivery import library
from creatorly.services.delivery import service as delivery
from creatorly.services.memberships import member_products, tiers
from creatorly.services.memberships.content_schemas import TierInput
from creatorly.services.memberships.member_products import (
    MemberOffer,
    MembershipTierTooLow,
    MemberSignInRequired,
    NotFreeForMembers,
)
from creatorly.services.memberships.tiers import TierNotFound
from tests.accounts import signed_up_and_verified

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"x" * 2_000


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _creator(handle: str) -> str:
    signed_in = await signed_up_and_verified(f"{handle}@example.com")
    await creators.become_creator(
        session_token=signed_in.session_token, profile=ProfileInput(handle=handle, display_name=handle.title())
    )
    return signed_in.session_token


async def _bronze_and_gold(token: str) -> tuple[int, int]:
    bronze = await tiers.create_tier(session_token=token, values=TierInput(name="Bronze", price_monthly="3"))
    gold = await tiers.create_tier(session_token=token, values=TierInput(name="Gold", price_monthly="10"))
    for tier_id in (bronze, gold):
        await tiers.set_tier_published(session_token=token, tier_id=tier_id, is_published=True)
    return bronze, gold


async def _zine(token: str, *, free_for: int | None) -> int:
    """A published $12 product with one PDF, free for members of `free_for` and above."""
    values = ProductInput(title="Film Zine", price="12", members_free_tier="" if free_for is None else str(free_for))
    product_id = await manage.create_product(session_token=token, values=values)
    await files.add_product_file(session_token=token, product_id=product_id, filename="zine.pdf", chunks=_chunks(PDF))
    await manage.set_status(session_token=token, product_id=product_id, status="published")
    return product_id


async def _fan(email: str) -> tuple[str, int]:
    signed_in = await signed_up_and_verified(email)
    return signed_in.session_token, signed_in.user.id


async def _subscribe(
    tier_id: int,
    *,
    email: str,
    user_id: int | None = None,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    cancel_at_period_end: bool = False,
) -> None:
    """A subscription row as the subscription engine writes them (test data only)."""
    async with db.transaction() as session:
        tier = await session.get(Tier, tier_id)
        assert tier is not None
        price = (await session.exec(select(TierPrice).where(TierPrice.tier_id == tier_id))).first()
        assert price is not None and price.id is not None
        session.add(
            Subscription(
                public_id=f"sub_{secrets.token_hex(8)}",
                creator_id=tier.creator_id,
                tier_id=tier_id,
                tier_price_id=price.id,
                member_user_id=user_id,
                member_email=email,
                status=status,
                interval=price.interval,
                amount=price.amount,
                currency=price.currency,
                provider="sandbox",
                current_period_start=NOW - 30 * 24 * HOUR,
                current_period_end=NOW + 24 * HOUR,
                cancel_at_period_end=cancel_at_period_end,
            )
        )


async def _count(model: type[SQLModel], *conditions: object) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)  # type: ignore[arg-type]
        return int((await session.exec(statement)).one())


async def _orders() -> list[Order]:
    async with db.transaction() as session:
        return list((await session.exec(select(Order).order_by(col(Order.id)))).all())


async def _product(product_id: int) -> Product:
    async with db.transaction() as session:
        product = await session.get(Product, product_id)
        assert product is not None
        return product


async def _claim(token: str, handle: str = "mira") -> str:
    started = await member_products.claim_member_product(handle=handle, slug="film-zine", session_token=token, now=NOW)
    return started.order_public_id


# --- Claiming -----------------------------------------------------------------------------------------


async def test_a_gold_member_gets_a_product_free_for_bronze_and_above_and_can_download_it() -> None:
    owner = await _creator("mira")
    bronze, gold = await _bronze_and_gold(owner)
    product_id = await _zine(owner, free_for=bronze)
    fan_token, fan_id = await _fan("fan@example.com")
    await _subscribe(gold, email="fan@example.com", user_id=fan_id)

    started = await member_products.claim_member_product(
        handle="mira", slug="film-zine", session_token=fan_token, now=NOW
    )

    [order] = await _orders()
    assert (order.public_id, order.amount, order.currency, order.status) == (
        started.order_public_id,
        0,
        "USD",
        OrderStatus.PAID,
    )
    assert (order.product_id, order.buyer_user_id, order.buyer_email) == (product_id, fan_id, "fan@example.com")
    assert started.redirect_url == delivery.order_page_url(order.public_id)
    async with db.transaction() as session:
        causes = (await session.exec(select(OrderEvent.cause).where(OrderEvent.order_id == order.id))).all()
    assert list(causes) == ["free for members", "free for members"]
    assert await _count(Entitlement, col(Entitlement.order_id) == order.id) == 1
    assert await _count(LedgerEntry) == 0  # nothing was paid, so nothing is posted
    assert (await _product(product_id)).sold_count == 1
    [receipt] = [email for email in await _emails("fan@example.com") if email.subject == "Your purchase: Film Zine"]
    assert "Amount paid: Free" in receipt.text_body
    [entry] = (await library.list_my_library(session_token=fan_token)).entries
    assert (entry.order_public_id, entry.product_title, entry.amount_label, entry.status) == (
        order.public_id,
        "Film Zine",
        "Free",
        "paid",
    )
    page = await delivery.get_order_page(
        order_public_id=order.public_id, key=delivery.order_access_token(order.public_id)
    )
    [link] = page.downloads
    assert (link.file_name, link.is_available) == ("zine.pdf", True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as client:
        response = await client.get(link.url)
    assert response.status_code == 200
    assert response.content == PDF


async def _emails(address: str) -> list[OutboxEmail]:
    async with db.transaction() as session:
        statement = select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(col(OutboxEmail.id))
        return list((await session.exec(statement)).all())


async def test_a_member_exactly_at_the_tier_gets_it_free() -> None:
    owner = await _creator("mira")
    _, gold = await _bronze_and_gold(owner)
    await _zine(owner, free_for=gold)
    fan_token, fan_id = await _fan("fan@example.com")
    await _subscribe(gold, email="fan@example.com", user_id=fan_id, status=SubscriptionStatus.TRIALING)

    await _claim(fan_token)

    assert [(order.amount, order.status) for order in await _orders()] == [(0, OrderStatus.PAID)]


async def test_a_membership_matched_by_verified_email_counts_too() -> None:
    owner = await _creator("mira")
    bronze, _ = await _bronze_and_gold(owner)
    await _zine(owner, free_for=bronze)
    fan_token, _ = await _fan("fan@example.com")
    await _subscribe(bronze, email="fan@example.com")  # joined before signing up: no user on the subscription

    await _claim(fan_token)

    assert await _count(Order, col(Order.status) == OrderStatus.PAID) == 1


async def test_a_second_claim_answers_the_first_order_and_concurrent_claims_make_one() -> None:
    owner = await _creator("mira")
    bronze, _ = await _bronze_and_gold(owner)
    product_id = await _zine(owner, free_for=bronze)
    fan_token, fan_id = await _fan("fan@example.com")
    await _subscribe(bronze, email="fan@example.com", user_id=fan_id)

    raced = await asyncio.gather(*(_claim(fan_token) for _ in range(3)))
    again = await _claim(fan_token)

    assert len({*raced, again}) == 1
    assert await _count(Order) == 1
    assert await _count(Entitlement) == 1
    assert (await _product(product_id)).sold_count == 1
    assert len([email for email in await _emails("fan@example.com") if email.subject.startswith("Your purchase")]) == 1


@pytest.mark.parametrize(
    ("tier_name", "status", "cancel_at_period_end"),
    [
        ("Bronze", SubscriptionStatus.ACTIVE, False),  # a lower tier
        ("Gold", SubscriptionStatus.CANCELED, False),  # ended
        ("Gold", SubscriptionStatus.PAUSED, False),
        ("Gold", SubscriptionStatus.INCOMPLETE, False),  # never paid
        ("", SubscriptionStatus.ACTIVE, False),  # not a member at all
    ],
)
async def test_people_below_the_tier_are_refused_and_nothing_is_written(
    tier_name: str, status: SubscriptionStatus, cancel_at_period_end: bool
) -> None:
    owner = await _creator("mira")
    bronze, gold = await _bronze_and_gold(owner)
    product_id = await _zine(owner, free_for=gold)
    fan_token, fan_id = await _fan("fan@example.com")
    if tier_name:
        tier_id = bronze if tier_name == "Bronze" else gold
        await _subscribe(
            tier_id, email="fan@example.com", user_id=fan_id, status=status, cancel_at_period_end=cancel_at_period_end
        )

    with pytest.raises(MembershipTierTooLow) as refused:
        await _claim(fan_token)

    assert refused.value.message == (
        "This is free for members of Gold and above. Join or upgrade to Gold to get it free, or buy it."
    )
    assert await _count(Order) == 0
    assert await _count(Entitlement) == 0
    assert (await _product(product_id)).sold_count == 0


async def test_a_member_cancelling_at_period_end_keeps_it_until_then() -> None:
    owner = await _creator("mira")
    _, gold = await _bronze_and_gold(owner)
    await _zine(owner, free_for=gold)
    fan_token, fan_id = await _fan("fan@example.com")
    await _subscribe(
        gold, email="fan@example.com", user_id=fan_id, status=SubscriptionStatus.CANCELED, cancel_at_period_end=True
    )

    await _claim(fan_token)

    assert await _count(Order, col(Order.status) == OrderStatus.PAID) == 1


async def test_signed_out_people_and_products_not_free_for_members_are_refused() -> None:
    owner = await _creator("mira")
    bronze, _ = await _bronze_and_gold(owner)
    await _zine(owner, free_for=None)
    fan_token, fan_id = await _fan("fan@example.com")
    await _subscribe(bronze, email="fan@example.com", user_id=fan_id)

    with pytest.raises(MemberSignInRequired):
        await _claim("")
    with pytest.raises(NotFreeForMembers):
        await _claim(fan_token)

    assert await _count(Order) == 0


async def test_a_member_of_another_creator_is_refused() -> None:
    owner = await _creator("mira")
    _, gold = await _bronze_and_gold(owner)
    await _zine(owner, free_for=gold)
    other = await _creator("otto")
    _, other_gold = await _bronze_and_gold(other)
    fan_token, fan_id = await _fan("fan@example.com")
    await _subscribe(other_gold, email="fan@example.com", user_id=fan_id)

    with pytest.raises(MembershipTierTooLow):
        await _claim(fan_token)

    assert await _count(Order) == 0


# --- The product page's offer ---------------------------------------------------------------------------


async def test_the_offer_names_the_tier_and_whether_the_reader_qualifies() -> None:
    owner = await _creator("mira")
    bronze, gold = await _bronze_and_gold(owner)
    await _zine(owner, free_for=gold)
    gold_token, gold_id = await _fan("gold@example.com")
    bronze_token, bronze_id = await _fan("bronze@example.com")
    await _subscribe(gold, email="gold@example.com", user_id=gold_id)
    await _subscribe(bronze, email="bronze@example.com", user_id=bronze_id)

    offers = [
        await member_products.member_offer(handle="mira", slug="film-zine", session_token=token, now=NOW)
        for token in (gold_token, bronze_token, "")
    ]

    assert offers == [
        MemberOffer(tier_name="Gold", is_eligible=True),
        MemberOffer(tier_name="Gold", is_eligible=False),
        MemberOffer(tier_name="Gold", is_eligible=False),
    ]


async def test_a_product_without_the_setting_has_no_offer() -> None:
    owner = await _creator("mira")
    await _zine(owner, free_for=None)

    offer = await member_products.member_offer(handle="mira", slug="film-zine", now=NOW)

    assert offer == MemberOffer(tier_name="", is_eligible=False)


# --- The creator's setting ------------------------------------------------------------------------------


async def test_the_setting_is_saved_loaded_with_the_tier_choices_and_cleared() -> None:
    owner = await _creator("mira")
    bronze, gold = await _bronze_and_gold(owner)
    product_id = await manage.create_product(
        session_token=owner, values=ProductInput(title="Film Zine", price="12", members_free_tier=str(gold))
    )

    detail = await manage.get_my_product(session_token=owner, product_id=product_id)
    assert detail.values.members_free_tier == str(gold)
    assert [(option.id, option.name) for option in detail.member_tiers] == [(bronze, "Bronze"), (gold, "Gold")]

    await manage.update_product(
        session_token=owner, product_id=product_id, values=ProductInput(title="Film Zine", price="12")
    )
    assert (await _product(product_id)).members_free_tier_id is None


async def test_another_creators_tier_or_a_made_up_one_is_not_found_and_nothing_changes() -> None:
    owner = await _creator("mira")
    bronze, _ = await _bronze_and_gold(owner)
    product_id = await manage.create_product(
        session_token=owner, values=ProductInput(title="Film Zine", price="12", members_free_tier=str(bronze))
    )
    other = await _creator("otto")
    other_bronze, _ = await _bronze_and_gold(other)
    products_before = await _count(Product)

    for typed in (str(other_bronze), "999999", "gold", "-1"):
        with pytest.raises(TierNotFound):
            await manage.update_product(
                session_token=owner,
                product_id=product_id,
                values=ProductInput(title="Renamed", price="12", members_free_tier=typed),
            )
    with pytest.raises(TierNotFound):
        await manage.create_product(
            session_token=owner, values=ProductInput(title="New", price="1", members_free_tier=str(other_bronze))
        )

    product = await _product(product_id)
    assert (product.title, product.members_free_tier_id) == ("Film Zine", bronze)
    assert await _count(Product) == products_before


async def test_deleting_the_tier_makes_the_product_paid_again() -> None:
    owner = await _creator("mira")
    bronze, _ = await _bronze_and_gold(owner)
    product_id = await _zine(owner, free_for=bronze)

    await tiers.delete_tier(session_token=owner, tier_id=bronze)

    assert (await _product(product_id)).members_free_tier_id is None
    offer = await member_products.member_offer(handle="mira", slug="film-zine", now=NOW)
    assert offer == MemberOffer()
