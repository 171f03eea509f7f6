"""Reviews: only buyers with a paid, unrefunded order (or active members of a tier) rate, once, editable; helpful
votes once and never one's own; the creator replies once; hidden reviews leave lists and summaries; the text is
plain; the product page's JSON-LD carries the exact AggregateRating."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from creatorly import db
from creatorly.api.seo import SeoMetaMiddleware, page_cache
from creatorly.models import Order, Product, Review, ReviewVote, Subscription, Tier, TierPrice
from creatorly.models.enums import OrderStatus, SubscriptionStatus
from creatorly.services.accounts import privacy as account_privacy
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.catalog import page_versions
from creatorly.services.creators import service as creators
from creatorly.services.creators.schemas import ProfileInput
from creatorly.services.memberships import tiers
from creatorly.services.memberships.content_schemas import TierInput
from creatorly.services.reviews import creator as creator_reviews
from creatorly.services.reviews import moderation
from creatorly.services.reviews import privacy as review_privacy
from creatorly.services.reviews import service as reviews
from creatorly.services.reviews.errors import (
    AlreadyReplied,
    AlreadyVoted,
    InvalidRating,
    OwnProductReview,
    OwnReviewVote,
    ReplyNotAllowed,
    ReviewNotAllowed,
    ReviewNotFound,
    TierReviewNotAllowed,
)
from creatorly.services.reviews.schemas import RatingSummary, ReviewTarget
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.factories import make_creator, make_order, new_product

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


async def _count(model: type[SQLModel]) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def _reviews() -> list[Review]:
    async with db.transaction() as session:
        return list((await session.exec(select(Review).order_by(col(Review.id)))).all())


async def _fan(email: str) -> tuple[str, int]:
    signed_in = await signed_up_and_verified(email)
    return signed_in.session_token, signed_in.user.id


async def _shop() -> tuple[str, Product]:
    """A creator (signed in) with one published $12 product, "Brush Pack" at /inkwell/brush-pack."""
    made = await make_creator(handle="inkwell", products=[new_product(title="Brush Pack")])
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return signed_in.session_token, made.products[0]


async def _set_status(order: Order, status: OrderStatus) -> None:
    async with db.transaction() as session:
        row = await session.get(Order, order.id)
        assert row is not None
        row.status = status


async def _buyer(product: Product, email: str, status: OrderStatus = OrderStatus.PAID) -> str:
    token, user_id = await _fan(email)
    order = await make_order(product=product, buyer_email=email, buyer_user_id=user_id)
    if status != OrderStatus.PAID:
        await _set_status(order, status)
    return token


def _target(product: Product) -> ReviewTarget:
    return ReviewTarget(product_id=product.id)


# --- Who may rate ---------------------------------------------------------------------------------------


async def test_a_buyer_rates_a_product_and_the_page_shows_it() -> None:
    _owner, product = await _shop()
    token = await _buyer(product, "ana@example.com")

    review_id = await reviews.write_review(session_token=token, target=_target(product), rating=4, text="Lovely.")

    page = await reviews.reviews_page(target=_target(product), session_token=token)
    assert page.summary == RatingSummary(count=1, average_tenths=40)
    assert page.summary.average_label == "4.0"
    assert [(view.id, view.rating, view.body, view.reviewer_name, view.is_mine) for view in page.reviews] == [
        (review_id, 4, "Lovely.", "Fan", True)
    ]
    assert page.can_review is True
    assert page.my_review is not None and (page.my_review.rating, page.my_review.body) == (4, "Lovely.")


@pytest.mark.parametrize(
    "status", [OrderStatus.REFUNDED, OrderStatus.PENDING, OrderStatus.CREATED, OrderStatus.FAILED, OrderStatus.EXPIRED]
)
async def test_refunded_and_unpaid_orders_do_not_let_anyone_rate(status: OrderStatus) -> None:
    _owner, product = await _shop()
    token = await _buyer(product, "ana@example.com", status=status)

    with pytest.raises(ReviewNotAllowed) as refusal:
        await reviews.write_review(session_token=token, target=_target(product), rating=5, text="Great")

    assert refusal.value.message == "Only buyers of this product can rate it."
    assert await _count(Review) == 0
    page = await reviews.reviews_page(target=_target(product), session_token=token)
    assert (page.can_review, page.my_review) == (False, None)


async def test_a_partly_refunded_buyer_still_rates() -> None:
    _owner, product = await _shop()
    token = await _buyer(product, "ana@example.com", status=OrderStatus.PARTIALLY_REFUNDED)

    await reviews.write_review(session_token=token, target=_target(product), rating=3)

    assert [(review.rating, review.body) for review in await _reviews()] == [(3, "")]


async def test_a_signed_in_non_buyer_and_the_creator_are_refused_with_nothing_written() -> None:
    owner_token, product = await _shop()
    other_token, _ = await _fan("bo@example.com")
    other_product = (await make_creator(handle="other", products=[new_product()])).products[0]
    await make_order(product=other_product, buyer_email="bo@example.com")  # bought something else

    with pytest.raises(ReviewNotAllowed):
        await reviews.write_review(session_token=other_token, target=_target(product), rating=5)
    with pytest.raises(OwnProductReview):
        await reviews.write_review(session_token=owner_token, target=_target(product), rating=5)

    assert await _count(Review) == 0
    assert (await reviews.reviews_page(target=_target(product), session_token=other_token)).can_review is False


async def test_an_order_to_the_verified_email_counts_as_bought() -> None:
    _owner, product = await _shop()
    token, _ = await _fan("cy@example.com")
    await make_order(product=product, buyer_email="cy@example.com")  # checked out signed out

    await reviews.write_review(session_token=token, target=_target(product), rating=5)

    assert [review.rating for review in await _reviews()] == [5]


async def test_ratings_outside_one_to_five_are_refused() -> None:
    _owner, product = await _shop()
    token = await _buyer(product, "ana@example.com")

    for rating in (0, 6, "4.5", "", "five", -1):
        with pytest.raises(InvalidRating):
            await reviews.write_review(session_token=token, target=_target(product), rating=rating)

    assert await _count(Review) == 0


# --- Once per target, editable ------------------------------------------------------------------------------


async def test_a_second_review_edits_the_first() -> None:
    _owner, product = await _shop()
    token = await _buyer(product, "ana@example.com")
    first = await reviews.write_review(session_token=token, target=_target(product), rating=2, text="Meh", now=NOW)

    second = await reviews.write_review(
        session_token=token, target=_target(product), rating=5, text="Grew on me", now=NOW + DAY
    )

    assert second == first
    [review] = await _reviews()
    assert (review.rating, review.body, review.created_at, review.updated_at) == (5, "Grew on me", NOW, NOW + DAY)
    page = await reviews.reviews_page(target=_target(product))
    assert page.summary == RatingSummary(count=1, average_tenths=50)
    assert page.reviews[0].is_edited is True


# --- Text is plain -----------------------------------------------------------------------------------------


async def test_review_text_is_stored_as_plain_text() -> None:
    _owner, product = await _shop()
    token = await _buyer(product, "ana@example.com")

    await reviews.write_review(
        session_token=token,
        target=_target(product),
        rating=4,
        text='<script>alert("x")</script><b>Good</b> &amp; useful\x00\x07\n\n\n\nSecond <img src=x onerror=a()>line',
    )

    [review] = await _reviews()
    assert review.body == "Good & useful\n\nSecond line"


async def test_review_text_over_the_limit_is_refused() -> None:
    _owner, product = await _shop()
    token = await _buyer(product, "ana@example.com")

    with pytest.raises(reviews.rules.ReviewTextTooLong):
        await reviews.write_review(session_token=token, target=_target(product), rating=4, text="x" * 2001)

    assert await _count(Review) == 0


# --- Helpful votes -----------------------------------------------------------------------------------------


async def test_helpful_votes_count_once_and_never_on_ones_own_review() -> None:
    _owner, product = await _shop()
    writer = await _buyer(product, "ana@example.com")
    reader, _ = await _fan("bo@example.com")
    review_id = await reviews.write_review(session_token=writer, target=_target(product), rating=4, text="Nice")

    assert await reviews.mark_helpful(session_token=reader, review_id=review_id) == 1
    with pytest.raises(AlreadyVoted):
        await reviews.mark_helpful(session_token=reader, review_id=review_id)
    with pytest.raises(OwnReviewVote):
        await reviews.mark_helpful(session_token=writer, review_id=review_id)

    assert await _count(ReviewVote) == 1
    [review] = await _reviews()
    assert review.helpful_count == 1
    page = await reviews.reviews_page(target=_target(product), session_token=reader)
    assert [(view.helpful_count, view.has_voted) for view in page.reviews] == [(1, True)]


async def test_most_helpful_sort_and_pages() -> None:
    _owner, product = await _shop()
    tokens = [await _buyer(product, f"fan{number}@example.com") for number in range(12)]
    ids = [
        await reviews.write_review(
            session_token=token, target=_target(product), rating=1 + number % 5, now=NOW + number * DAY
        )
        for number, token in enumerate(tokens)
    ]
    await reviews.mark_helpful(session_token=tokens[1], review_id=ids[3])
    await reviews.mark_helpful(session_token=tokens[2], review_id=ids[3])
    await reviews.mark_helpful(session_token=tokens[3], review_id=ids[0])

    newest = await reviews.reviews_page(target=_target(product), sort="newest")
    helpful = await reviews.reviews_page(target=_target(product), sort="helpful")
    second = await reviews.reviews_page(target=_target(product), sort="newest", page=2)

    assert [view.id for view in newest.reviews] == list(reversed(ids))[:10] and newest.has_more is True
    assert [view.id for view in helpful.reviews][:3] == [ids[3], ids[0], ids[11]]
    assert [view.id for view in second.reviews] == [ids[1], ids[0]] and second.has_more is False
    # ratings 1,2,3,4,5,1,2,3,4,5,1,2 = 33 over 12 = 2.75 → 2.8
    assert newest.summary == RatingSummary(count=12, average_tenths=28)


# --- Replies -----------------------------------------------------------------------------------------------


async def test_the_creator_replies_once_and_nobody_else_can() -> None:
    owner_token, product = await _shop()
    writer = await _buyer(product, "ana@example.com")
    review_id = await reviews.write_review(session_token=writer, target=_target(product), rating=3, text="Hmm")
    other_creator = (await signed_up_and_verified("rival@example.com")).session_token
    await creators.become_creator(session_token=other_creator, profile=ProfileInput(handle="rival", display_name="R"))

    for token in (writer, other_creator):
        with pytest.raises(ReplyNotAllowed):
            await reviews.reply_to_review(session_token=token, review_id=review_id, text="Thanks")
    await reviews.reply_to_review(session_token=owner_token, review_id=review_id, text="<b>Thanks!</b>", now=NOW)
    with pytest.raises(AlreadyReplied):
        await reviews.reply_to_review(session_token=owner_token, review_id=review_id, text="Again")

    [review] = await _reviews()
    assert (review.reply_body, review.replied_at) == ("Thanks!", NOW)
    listed = await creator_reviews.list_my_reviews(session_token=owner_token)
    assert [(view.target_label, view.reply_body, view.is_hidden) for view in listed.reviews] == [
        ("Brush Pack", "Thanks!", False)
    ]


# --- Moderation ----------------------------------------------------------------------------------------------


async def test_hidden_reviews_leave_the_list_and_the_summary_and_come_back_when_restored() -> None:
    _owner, product = await _shop()
    first = await reviews.write_review(
        session_token=await _buyer(product, "ana@example.com"), target=_target(product), rating=5
    )
    await reviews.write_review(session_token=await _buyer(product, "bo@example.com"), target=_target(product), rating=2)

    generation = page_versions.current()
    async with db.transaction() as session:
        change = await moderation.hide_review(session, review_id=first, reason="spam", now=NOW)
    assert page_versions.current() > generation  # cached public pages are dropped
    assert change == {
        "before": {"hidden_at": None, "hidden_reason": ""},
        "after": {"hidden_at": NOW.isoformat(), "hidden_reason": "spam"},
    }
    page = await reviews.reviews_page(target=_target(product))
    assert page.summary == RatingSummary(count=1, average_tenths=20)
    assert [view.rating for view in page.reviews] == [2]
    with pytest.raises(ReviewNotFound):
        await reviews.mark_helpful(session_token=(await _fan("cy@example.com"))[0], review_id=first)

    async with db.transaction() as session:
        restored = await moderation.restore_review(session, review_id=first)
    assert restored["after"] == {"hidden_at": None, "hidden_reason": ""}
    assert (await reviews.reviews_page(target=_target(product))).summary == RatingSummary(count=2, average_tenths=35)


async def test_hide_does_not_commit_on_its_own() -> None:
    _owner, product = await _shop()
    review_id = await reviews.write_review(
        session_token=await _buyer(product, "ana@example.com"), target=_target(product), rating=5
    )

    async def hide_then_fail() -> None:
        async with db.transaction() as session:
            await moderation.hide_review(session, review_id=review_id)
            raise RuntimeError("the moderation use case failed after hiding")

    with pytest.raises(RuntimeError):
        await hide_then_fail()

    assert [review.hidden_at for review in await _reviews()] == [None]


# --- Tiers ---------------------------------------------------------------------------------------------------


async def _tier_shop() -> tuple[str, int, int]:
    token = (await signed_up_and_verified("mira@example.com")).session_token
    await creators.become_creator(session_token=token, profile=ProfileInput(handle="mira", display_name="Mira"))
    bronze = await tiers.create_tier(session_token=token, values=TierInput(name="Bronze", price_monthly="3"))
    gold = await tiers.create_tier(session_token=token, values=TierInput(name="Gold", price_monthly="10"))
    for tier_id in (bronze, gold):
        await tiers.set_tier_published(session_token=token, tier_id=tier_id, is_published=True)
    return token, bronze, gold


async def _subscribe(tier_id: int, *, email: str, user_id: int, status: SubscriptionStatus) -> None:
    async with db.transaction() as session:
        tier = await session.get(Tier, tier_id)
        price = (await session.exec(select(TierPrice).where(TierPrice.tier_id == tier_id))).first()
        assert tier is not None and price is not None and price.id is not None
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
                current_period_start=NOW - 30 * DAY,
                current_period_end=NOW + DAY,
            )
        )


async def test_an_active_member_rates_their_tier_and_nobody_else_does() -> None:
    _owner, bronze, gold = await _tier_shop()
    member, member_id = await _fan("ana@example.com")
    paused, paused_id = await _fan("bo@example.com")  # paused and cancelled memberships grant nothing
    await _subscribe(gold, email="ana@example.com", user_id=member_id, status=SubscriptionStatus.ACTIVE)
    await _subscribe(gold, email="bo@example.com", user_id=paused_id, status=SubscriptionStatus.PAUSED)

    await reviews.write_review(
        session_token=member, target=ReviewTarget(tier_id=gold), rating=5, text="Worth it", now=NOW
    )
    for token, tier_id in ((paused, gold), (member, bronze)):
        with pytest.raises(TierReviewNotAllowed):
            await reviews.write_review(session_token=token, target=ReviewTarget(tier_id=tier_id), rating=1, now=NOW)
    cancelled, cancelled_id = await _fan("cy@example.com")
    await _subscribe(gold, email="cy@example.com", user_id=cancelled_id, status=SubscriptionStatus.CANCELED)
    with pytest.raises(TierReviewNotAllowed):
        await reviews.write_review(session_token=cancelled, target=ReviewTarget(tier_id=gold), rating=1, now=NOW)

    assert [(review.tier_id, review.rating, review.body) for review in await _reviews()] == [(gold, 5, "Worth it")]
    async with db.transaction() as session:
        summaries = await reviews.summaries_of_tiers(session, [bronze, gold])
    assert summaries == {gold: RatingSummary(count=1, average_tenths=50)}


# --- Structured data ---------------------------------------------------------------------------------------


@pytest.fixture
async def pages(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    shell = tmp_path / "404.html"
    shell.write_text('<html><head><title>C</title></head><body><div id="root"></div></body></html>', encoding="utf-8")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await FileResponse(shell, media_type="text/html")(scope, receive, send)

    page_cache.clear()
    transport = httpx.ASGITransport(app=SeoMetaMiddleware(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def _json_ld(text: str) -> dict[str, Any]:
    [block] = _JSON_LD.findall(text)
    data: dict[str, Any] = json.loads(block)
    return data


async def test_the_product_json_ld_carries_the_exact_aggregate_rating(pages: httpx.AsyncClient) -> None:
    _owner, product = await _shop()
    assert "aggregateRating" not in _json_ld((await pages.get("/inkwell/brush-pack")).text)  # cached now
    for email, rating in (("ana@example.com", 4), ("bo@example.com", 5)):
        await reviews.write_review(
            session_token=await _buyer(product, email),
            target=_target(product),
            rating=rating,
            text="<script>x</script>",
        )

    product_ld = _json_ld((await pages.get("/inkwell/brush-pack")).text)
    storefront_ld = _json_ld((await pages.get("/inkwell")).text)

    expected = {"@type": "AggregateRating", "ratingValue": "4.5", "reviewCount": 2, "bestRating": 5, "worstRating": 1}
    assert product_ld["aggregateRating"] == expected
    assert storefront_ld["hasPart"][0]["aggregateRating"] == expected


# --- Privacy -----------------------------------------------------------------------------------------------


async def test_a_persons_reviews_are_exported_and_erased_with_their_votes() -> None:
    _owner, product = await _shop()
    writer = await _buyer(product, "ana@example.com")
    voter = await _buyer(product, "bo@example.com")
    mine = await reviews.write_review(session_token=writer, target=_target(product), rating=4, text="Nice", now=NOW)
    theirs = await reviews.write_review(session_token=voter, target=_target(product), rating=2, now=NOW)
    await reviews.mark_helpful(session_token=voter, review_id=mine)
    await reviews.mark_helpful(session_token=writer, review_id=theirs)
    [review] = [row for row in await _reviews() if row.id == mine]

    async with db.transaction() as session:
        exported = await review_privacy.export_reviews_of(session, user_id=review.reviewer_user_id)
        await review_privacy.erase_reviews_of(session, user_id=review.reviewer_user_id)

    assert exported == [
        {
            "product_id": product.id,
            "tier_id": None,
            "rating": 4,
            "text": "Nice",
            "created_at": NOW.isoformat(),
            "updated_at": NOW.isoformat(),
        }
    ]
    assert [(row.id, row.helpful_count) for row in await _reviews()] == [(theirs, 0)]
    assert await _count(ReviewVote) == 0


async def test_an_accounts_data_download_holds_its_reviews_and_deleting_the_account_removes_them() -> None:
    _owner, product = await _shop()
    writer = await _buyer(product, "cy@example.com")
    await reviews.write_review(session_token=writer, target=_target(product), rating=5, text="Lovely", now=NOW)

    exported = await account_privacy.export_my_data(session_token=writer)
    await account_privacy.delete_my_account(session_token=writer, password=PASSWORD, confirmation="DELETE")

    assert [(row["rating"], row["text"]) for row in exported["reviews"]] == [(5, "Lovely")]
    assert await _count(Review) == 0
