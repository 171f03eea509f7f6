"""Tiers, gated posts and comments: creator CRUD and ownership, the access matrix over subscription states,
scheduled and early-access posts at exact times, comment permissions, hiding and blocking, sanitisation."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from creatorly import db
from creatorly.errors import Forbidden, InvalidInput, NotFound
from creatorly.models import CommenterBlock, Post, PostComment, Subscription, Tier, TierPrice
from creatorly.models.enums import BillingInterval, SubscriptionStatus
from creatorly.services.creators import service as creators
from creatorly.services.creators.schemas import ProfileInput
from creatorly.services.memberships import access, comments, posts, tiers
from creatorly.services.memberships.content_schemas import PostInput, TierInput
from tests.accounts import signed_up_and_verified

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
_numbers = itertools.count(1)


async def _creator(handle: str) -> str:
    signed_in = await signed_up_and_verified(f"{handle}@example.com")
    await creators.become_creator(
        session_token=signed_in.session_token, profile=ProfileInput(handle=handle, display_name=handle.title())
    )
    return signed_in.session_token


async def _creator_id(handle: str) -> int:
    async with db.transaction() as session:
        creator = await creators.creator_by_handle(session, handle)
        assert creator is not None and creator.id is not None
        return creator.id


async def _count(model: type[Tier] | type[Post] | type[PostComment] | type[CommenterBlock]) -> int:
    async with db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def _subscribe(
    tier_id: int,
    *,
    email: str,
    user_id: int | None = None,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    period_end: datetime = NOW + 24 * HOUR,
    grace_until: datetime | None = None,
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
                current_period_start=period_end - 30 * 24 * HOUR,
                current_period_end=period_end,
                grace_until=grace_until,
                cancel_at_period_end=cancel_at_period_end,
            )
        )


async def _two_tiers(token: str) -> tuple[int, int]:
    bronze = await tiers.create_tier(session_token=token, values=TierInput(name="Bronze", price_monthly="3"))
    gold = await tiers.create_tier(session_token=token, values=TierInput(name="Gold", price_monthly="10"))
    for tier_id in (bronze, gold):
        await tiers.set_tier_published(session_token=token, tier_id=tier_id, is_published=True)
    return bronze, gold


# --- Tiers ---------------------------------------------------------------------------------------


async def test_tier_crud_with_prices_per_interval_and_validation() -> None:
    token = await _creator("tiered")
    tier_id = await tiers.create_tier(
        session_token=token,
        values=TierInput(
            name="  Supporter ",
            description="**Thanks** <script>alert(1)</script>",
            benefits="Early access\n<b>Discord</b> role",
            trial_days="7",
            member_cap="100",
            welcome_message="Welcome <i>in</i>!",
            price_monthly="5",
            price_yearly="50",
        ),
    )
    detail = await tiers.get_my_tier(session_token=token, tier_id=tier_id)
    assert (detail.values.name, detail.values.benefits, detail.values.welcome_message) == (
        "Supporter",
        "Early access\nDiscord role",
        "Welcome in!",
    )
    assert (detail.values.price_monthly, detail.values.price_yearly, detail.values.price_weekly) == (
        "5.00",
        "50.00",
        "",
    )
    assert (detail.values.trial_days, detail.values.member_cap, detail.is_published) == ("7", "100", False)

    await tiers.update_tier(
        session_token=token, tier_id=tier_id, values=TierInput(name="Supporter", price_weekly="2", price_monthly="6")
    )
    async with db.transaction() as session:
        rows = (await session.exec(select(TierPrice).where(TierPrice.tier_id == tier_id))).all()
    assert sorted((row.interval, row.amount, row.currency, row.is_active) for row in rows) == [
        (BillingInterval.MONTHLY, 600, "USD", True),
        (BillingInterval.WEEKLY, 200, "USD", True),
        (BillingInterval.YEARLY, 5000, "USD", False),  # dropped: kept for existing members, not offered
    ]
    overview = await tiers.list_my_tiers(session_token=token)
    assert [(row.name, row.price_labels, row.is_published, row.member_count) for row in overview] == [
        ("Supporter", ["$2.00 / week", "$6.00 / month"], False, 0)
    ]
    assert await tiers.list_public_tiers(handle="tiered") == []
    await tiers.set_tier_published(session_token=token, tier_id=tier_id, is_published=True)
    [public] = await tiers.list_public_tiers(handle="tiered")
    assert [price.label for price in public.prices] == ["$2.00 / week", "$6.00 / month"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (TierInput(name="", price_monthly="5"), "name"),
        (TierInput(name="x" * 81, price_monthly="5"), "name"),
        (TierInput(name="Fan"), "price_monthly"),
        (TierInput(name="Fan", price_monthly="0.50"), "price_monthly"),
        (TierInput(name="Fan", price_yearly="abc"), "price_yearly"),
        (TierInput(name="Fan", price_monthly="5", trial_days="91"), "trial_days"),
        (TierInput(name="Fan", price_monthly="5", member_cap="0"), "member_cap"),
        (TierInput(name="Fan", price_monthly="5", benefits="\n".join("b" * (n + 1) for n in range(11))), "benefits"),
    ],
)
async def test_invalid_tiers_are_refused_by_field_and_nothing_is_written(values: TierInput, field: str) -> None:
    token = await _creator("strict")
    with pytest.raises(InvalidInput) as error:
        await tiers.create_tier(session_token=token, values=values)
    assert error.value.field == field
    assert await _count(Tier) == 0


async def test_another_creators_tier_is_not_found() -> None:
    owner = await _creator("owner")
    other = await _creator("other")
    tier_id = await tiers.create_tier(session_token=owner, values=TierInput(name="Mine", price_monthly="5"))
    for attempt in (
        tiers.get_my_tier(session_token=other, tier_id=tier_id),
        tiers.update_tier(session_token=other, tier_id=tier_id, values=TierInput(name="Stolen", price_monthly="1")),
        tiers.set_tier_published(session_token=other, tier_id=tier_id, is_published=True),
        tiers.move_tier(session_token=other, tier_id=tier_id, direction=1),
        tiers.delete_tier(session_token=other, tier_id=tier_id),
    ):
        with pytest.raises(NotFound):
            await attempt
    detail = await tiers.get_my_tier(session_token=owner, tier_id=tier_id)
    assert (detail.values.name, detail.is_published) == ("Mine", False)


async def test_tiers_reorder_and_the_overview_counts_live_members_per_tier() -> None:
    token = await _creator("ladder")
    bronze, gold = await _two_tiers(token)
    await tiers.move_tier(session_token=token, tier_id=gold, direction=-1)
    assert [tier.name for tier in await tiers.list_public_tiers(handle="ladder")] == ["Gold", "Bronze"]
    await tiers.move_tier(session_token=token, tier_id=gold, direction=1)
    await _subscribe(gold, email="a@example.com")
    await _subscribe(gold, email="b@example.com", status=SubscriptionStatus.TRIALING)
    await _subscribe(gold, email="c@example.com", status=SubscriptionStatus.PAUSED)
    await _subscribe(bronze, email="d@example.com", status=SubscriptionStatus.PAST_DUE, grace_until=NOW + HOUR)
    await _subscribe(bronze, email="e@example.com", status=SubscriptionStatus.PAST_DUE, grace_until=NOW - HOUR)
    overview = await tiers.list_my_tiers(session_token=token, now=NOW)
    assert [(row.name, row.member_count) for row in overview] == [("Bronze", 1), ("Gold", 2)]


# --- Access and gating ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "period_end", "grace_until", "cancel_at_period_end", "expected"),
    [
        (SubscriptionStatus.TRIALING, NOW + HOUR, None, False, 1),
        (SubscriptionStatus.ACTIVE, NOW + HOUR, None, False, 1),
        (SubscriptionStatus.PAST_DUE, NOW - HOUR, NOW + HOUR, False, 1),
        (SubscriptionStatus.PAST_DUE, NOW - 2 * HOUR, NOW - HOUR, False, None),
        (SubscriptionStatus.PAUSED, NOW + HOUR, None, False, None),
        (SubscriptionStatus.CANCELED, NOW + HOUR, None, True, 1),
        (SubscriptionStatus.CANCELED, NOW - HOUR, None, True, None),
        (SubscriptionStatus.ACTIVE, NOW + HOUR, None, True, 1),
    ],
)
async def test_member_tier_position_follows_the_subscription_state(
    status: SubscriptionStatus,
    period_end: datetime,
    grace_until: datetime | None,
    cancel_at_period_end: bool,
    expected: int | None,
) -> None:
    token = await _creator("gated")
    _bronze, gold = await _two_tiers(token)
    fan = await signed_up_and_verified("member@example.com")
    await _subscribe(
        gold,
        email="member@example.com",
        status=status,
        period_end=period_end,
        grace_until=grace_until,
        cancel_at_period_end=cancel_at_period_end,
    )
    creator_id = await _creator_id("gated")
    async with db.transaction() as session:
        by_user = await access.member_tier_position(
            session, creator_id=creator_id, user_id=fan.user.id, email=None, now=NOW
        )
        by_email = await access.member_tier_position(
            session, creator_id=creator_id, user_id=None, email="MEMBER@example.com", now=NOW
        )
    assert by_email == expected
    assert by_user is None  # the row was written without a user id: only the email matches it


async def _post(token: str, **values: str) -> int:
    return await posts.create_post(session_token=token, values=PostInput(**values), now=NOW - 2 * HOUR)


async def test_gating_matrix_for_public_members_and_tier_posts() -> None:
    token = await _creator("matrix")
    bronze, gold = await _two_tiers(token)
    await _post(token, title="Open", status="published")
    await _post(
        token, title="Members", teaser="For all", body="Secret **members**", audience="members", status="published"
    )
    await _post(
        token, title="Gold only", body="Gold secret", audience="tier", min_tier_id=str(gold), status="published"
    )
    bronze_fan = await signed_up_and_verified("bronze@example.com")
    gold_fan = await signed_up_and_verified("gold@example.com")
    stranger = await signed_up_and_verified("stranger@example.com")
    await _subscribe(bronze, email="bronze@example.com", user_id=bronze_fan.user.id)
    await _subscribe(gold, email="gold@example.com", user_id=gold_fan.user.id)

    async def locks(session_token: str) -> dict[str, bool]:
        cards = await posts.list_public_posts(handle="matrix", session_token=session_token, now=NOW)
        return {card.title: card.is_locked for card in cards}

    assert await locks("") == {"Open": False, "Members": True, "Gold only": True}
    assert await locks(stranger.session_token) == {"Open": False, "Members": True, "Gold only": True}
    assert await locks(bronze_fan.session_token) == {"Open": False, "Members": False, "Gold only": True}
    assert await locks(gold_fan.session_token) == {"Open": False, "Members": False, "Gold only": False}
    assert await locks(token) == {"Open": False, "Members": False, "Gold only": False}

    locked = await posts.get_post_page(handle="matrix", slug="members", session_token="", now=NOW)
    assert (locked.is_locked, locked.body_html, locked.teaser, locked.lock_text) == (True, "", "For all", "For members")
    gold_locked = await posts.get_post_page(
        handle="matrix", slug="gold-only", session_token=bronze_fan.session_token, now=NOW
    )
    assert (gold_locked.is_locked, gold_locked.body_html, gold_locked.lock_text) == (
        True,
        "",
        "For Gold members and above",
    )
    page = await posts.get_post_page(handle="matrix", slug="members", session_token=bronze_fan.session_token, now=NOW)
    assert (page.is_locked, page.body_html) == (False, "<p>Secret <strong>members</strong></p>\n")


async def test_a_scheduled_post_appears_at_its_time_and_an_early_access_post_opens_at_its_public_time() -> None:
    token = await _creator("scheduler")
    await posts.create_post(
        session_token=token,
        values=PostInput(title="Later", body="Hello later", status="published", publish_at="2030-05-01T15:00"),
        now=NOW,
    )
    await posts.create_post(
        session_token=token,
        values=PostInput(
            title="Early",
            body="First for members",
            audience="members",
            status="published",
            public_at="2030-05-01T18:00",
        ),
        now=NOW,
    )
    at_14_59 = datetime(2030, 5, 1, 14, 59, 59, tzinfo=UTC)
    at_15 = datetime(2030, 5, 1, 15, 0, tzinfo=UTC)
    assert [card.title for card in await posts.list_public_posts(handle="scheduler", now=at_14_59)] == ["Early"]
    with pytest.raises(NotFound):
        await posts.get_post_page(handle="scheduler", slug="later", now=at_14_59)
    assert [card.title for card in await posts.list_public_posts(handle="scheduler", now=at_15)] == ["Later", "Early"]
    assert (await posts.get_post_page(handle="scheduler", slug="later", now=at_15)).body_html == "<p>Hello later</p>\n"

    before = await posts.get_post_page(handle="scheduler", slug="early", now=datetime(2030, 5, 1, 17, 59, tzinfo=UTC))
    after = await posts.get_post_page(handle="scheduler", slug="early", now=datetime(2030, 5, 1, 18, 0, tzinfo=UTC))
    assert (before.is_locked, before.body_html) == (True, "")
    assert (after.is_locked, after.body_html) == (False, "<p>First for members</p>\n")
    rows = await posts.list_my_posts(session_token=token, now=at_14_59)
    assert {row.title: row.state for row in rows} == {"Later": "scheduled", "Early": "published"}


async def test_drafts_are_hidden_from_everyone_but_their_creator_and_other_creators_cant_touch_posts() -> None:
    token = await _creator("drafter")
    other = await _creator("intruder")
    post_id = await _post(token, title="Draft <b>idea</b>", body="<script>alert(1)</script> *hi*")
    assert await posts.list_public_posts(handle="drafter", now=NOW) == []
    with pytest.raises(NotFound):
        await posts.get_post_page(handle="drafter", slug="draft-idea", now=NOW)
    own = await posts.get_post_page(handle="drafter", slug="draft-idea", session_token=token, now=NOW)
    assert own.title == "Draft idea"
    assert "<script" not in own.body_html and "&lt;script&gt;" in own.body_html and "<em>hi</em>" in own.body_html
    for attempt in (
        posts.get_my_post(session_token=other, post_id=post_id),
        posts.update_post(session_token=other, post_id=post_id, values=PostInput(title="Mine now")),
        posts.set_post_published(session_token=other, post_id=post_id, is_published=True),
        posts.delete_post(session_token=other, post_id=post_id),
    ):
        with pytest.raises(NotFound):
            await attempt
    assert (await posts.get_my_post(session_token=token, post_id=post_id)).state == "draft"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "T", "teaser": "t" * 301}, "teaser"),
        ({"title": "T", "audience": "friends"}, "audience"),
        ({"title": "T", "audience": "tier"}, "min_tier"),
        ({"title": "T", "audience": "tier", "min_tier_id": "999999"}, "min_tier"),
        ({"title": "T", "status": "published", "publish_at": "soon"}, "publish_at"),
        (
            {"title": "T", "audience": "members", "status": "published", "publish_at": "2030-05-02T10:00",
             "public_at": "2030-05-01T10:00"},
            "public_at",
        ),
    ],
)  # fmt: skip
async def test_invalid_posts_are_refused_by_field(values: dict[str, str], field: str) -> None:
    token = await _creator("writer")
    with pytest.raises(InvalidInput) as error:
        await _post(token, **values)
    assert error.value.field == field
    assert await _count(Post) == 0


async def test_a_slug_taken_by_another_post_is_refused() -> None:
    token = await _creator("slugger")
    await _post(token, title="Hello")
    second = await _post(token, title="Hello")
    assert (await posts.get_my_post(session_token=token, post_id=second)).slug == "hello-2"
    with pytest.raises(InvalidInput) as error:
        await posts.update_post(session_token=token, post_id=second, values=PostInput(title="Hello", slug="hello"))
    assert error.value.field == "slug"


# --- Comments ------------------------------------------------------------------------------------


async def test_members_comment_non_members_cant_blocked_cant_and_hidden_comments_disappear() -> None:
    token = await _creator("talker")
    bronze, _gold = await _two_tiers(token)
    await _post(token, title="Chat", audience="members", status="published")
    member = await signed_up_and_verified("member1@example.com")
    other_member = await signed_up_and_verified("member2@example.com")
    outsider = await signed_up_and_verified("outsider@example.com")
    await _subscribe(bronze, email="member1@example.com", user_id=member.user.id)
    await _subscribe(bronze, email="member2@example.com", user_id=other_member.user.id)

    first = await comments.add_comment(
        session_token=member.session_token, handle="talker", slug="chat", body="Love it <script>x()</script>", now=NOW
    )
    assert first.body == "Love it"
    second = await comments.add_comment(
        session_token=other_member.session_token, handle="talker", slug="chat", body="Spam spam", now=NOW
    )
    with pytest.raises(Forbidden):
        await comments.add_comment(
            session_token=outsider.session_token, handle="talker", slug="chat", body="Hi", now=NOW
        )
    with pytest.raises(Forbidden):
        await comments.add_comment(session_token="", handle="talker", slug="chat", body="Hi", now=NOW)
    assert await _count(PostComment) == 2

    await comments.block_commenter(session_token=token, comment_id=second.id)
    with pytest.raises(Forbidden, match="can't comment"):
        await comments.add_comment(
            session_token=other_member.session_token, handle="talker", slug="chat", body="Again", now=NOW
        )
    assert await _count(PostComment) == 2
    assert await _count(CommenterBlock) == 1

    seen_by_member = await posts.get_post_page(
        handle="talker", slug="chat", session_token=member.session_token, now=NOW
    )
    assert [comment.body for comment in seen_by_member.comments] == ["Love it"]
    assert seen_by_member.can_comment is True
    seen_by_blocked = await posts.get_post_page(
        handle="talker", slug="chat", session_token=other_member.session_token, now=NOW
    )
    assert (seen_by_blocked.can_comment, seen_by_blocked.comment_block_reason) == (
        False,
        "You can't comment on this creator's posts.",
    )
    seen_by_creator = await posts.get_post_page(handle="talker", slug="chat", session_token=token, now=NOW)
    assert [(c.body, c.is_hidden, c.is_author_blocked) for c in seen_by_creator.comments] == [
        ("Love it", False, False),
        ("Spam spam", True, True),
    ]
    await comments.set_comment_hidden(session_token=token, comment_id=first.id, is_hidden=True)
    assert (
        await posts.get_post_page(handle="talker", slug="chat", session_token=member.session_token, now=NOW)
    ).comments == []

    intruder = await _creator("meddler")
    with pytest.raises(NotFound):
        await comments.set_comment_hidden(session_token=intruder, comment_id=first.id, is_hidden=False)
