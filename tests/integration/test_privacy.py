"""Download my data holds mine and nobody else's; deleting an account erases me but keeps anonymous finances."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy import func
from sqlmodel import select

from creatorly import db
from creatorly.kit.clock import utc_now
from creatorly.models import Order, OutboxEmail, Product, Tip, User, UserSession
from creatorly.models.enums import OrderKind, OrderStatus, ProductStatus, SubscriptionStatus
from creatorly.models.memberships import Subscription, Tier, TierPrice
from creatorly.services.accounts import authorization, privacy
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.errors import InvalidCredentials, NotAuthenticated
from creatorly.services.accounts.schemas import SignedIn
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.factories import make_creator, make_order, new_product


async def test_export_holds_my_data_and_nobody_elses() -> None:
    shop = await make_creator(handle="zineshop", products=[new_product(title="Zine")])
    [zine] = shop.products
    mine = await signed_up_and_verified("me@example.com")
    await signed_up_and_verified("someone@example.com")
    await make_order(product=zine, buyer_email="me@example.com", buyer_user_id=mine.user.id, amount=1500)
    await make_order(product=zine, buyer_email="someone@example.com", amount=900)

    exported = await privacy.export_my_data(session_token=mine.session_token)

    text = json.dumps(exported)
    assert "someone@example.com" not in text
    assert exported["account"]["email"] == "me@example.com"
    assert exported["account"]["display_name"] == "Fan"
    assert exported["account"]["terms_version"] == "2026-11-22"
    assert [purchase["amount"] for purchase in exported["purchases"]] == ["$15.00"]
    assert [session["is_current"] for session in exported["sessions"]] == [True]
    assert [mail["subject"] for mail in exported["emails"]] == ["Confirm your email for Creatorly"]
    assert exported["creator"] is None


async def test_a_creator_export_includes_the_storefront() -> None:
    creator = await make_creator(handle="maker", products=[new_product(title="Brushes", price_amount=900)])
    signed_in = await accounts.sign_in(email=creator.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    exported = await privacy.export_my_data(session_token=signed_in.session_token)
    assert exported["creator"]["handle"] == "maker"
    assert [(item["title"], item["price"]) for item in exported["creator"]["products"]] == [("Brushes", "$9.00")]


async def test_delete_erases_personal_data_and_keeps_anonymous_orders() -> None:
    shop = await make_creator(handle="storehouse", products=[new_product(title="Pack")])
    [pack] = shop.products
    leaving = await signed_up_and_verified("leaving@example.com")
    staying = await signed_up_and_verified("staying@example.com")
    await make_order(product=pack, buyer_email="leaving@example.com", buyer_user_id=leaving.user.id, amount=700)
    await make_order(product=pack, buyer_email="staying@example.com", buyer_user_id=staying.user.id, amount=800)

    with pytest.raises(InvalidCredentials):
        await privacy.delete_my_account(session_token=leaving.session_token, password=PASSWORD, confirmation="delete?")
    with pytest.raises(InvalidCredentials):
        await privacy.delete_my_account(session_token=leaving.session_token, password="wrong", confirmation="DELETE")
    assert (await authorization.require_user(leaving.session_token)).email == "leaving@example.com"

    await privacy.delete_my_account(session_token=leaving.session_token, password=PASSWORD, confirmation="DELETE")

    async with db.transaction() as session:
        emails = (await session.exec(select(User.email))).all()
        orders = (
            await session.exec(select(Order.buyer_email, Order.buyer_user_id, Order.amount).order_by(Order.amount))
        ).all()
        live_sessions = (
            await session.exec(
                select(func.count()).select_from(UserSession).where(UserSession.user_id == leaving.user.id)
            )
        ).one()
        mail_to_leaver = (
            await session.exec(
                select(func.count()).select_from(OutboxEmail).where(OutboxEmail.to_address == "leaving@example.com")
            )
        ).one()
    assert "leaving@example.com" not in emails
    assert f"deleted-user-{leaving.user.id}@deleted.invalid" in emails
    assert orders == [
        (f"deleted-user-{leaving.user.id}@deleted.invalid", None, 700),
        ("staying@example.com", staying.user.id, 800),
    ]
    assert (live_sessions, mail_to_leaver) == (0, 0)
    with pytest.raises(NotAuthenticated):
        await authorization.require_user(leaving.session_token)
    with pytest.raises(InvalidCredentials):
        await accounts.sign_in(email="leaving@example.com", password=PASSWORD, requester=new_requester())
    assert (await authorization.require_user(staying.session_token)).email == "staying@example.com"


async def test_a_deleted_creator_leaves_no_storefront_behind() -> None:
    creator = await make_creator(handle="gone", products=[new_product(title="Old zine")])
    signed_in = await accounts.sign_in(email=creator.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    await privacy.delete_my_account(session_token=signed_in.session_token, password=PASSWORD, confirmation="DELETE")
    async with db.transaction() as session:
        statuses = (await session.exec(select(Product.status))).all()
    assert statuses == [ProductStatus.ARCHIVED]


async def _membership_and_tip(creator_id: int, *, email: str, amount: int) -> None:
    """A live membership and a paid tip of `email`, written as rows (their flows have their own tests)."""
    async with db.transaction() as session:
        tier = Tier(public_id=f"tier_{secrets.token_hex(6)}", creator_id=creator_id, name="Inner circle")
        session.add(tier)
        await session.flush()
        assert tier.id is not None
        price = TierPrice(tier_id=tier.id, interval="monthly", amount=amount, currency="USD")
        session.add(price)
        await session.flush()
        assert price.id is not None
        session.add(
            Subscription(
                public_id=f"sub_{secrets.token_hex(6)}",
                creator_id=creator_id,
                tier_id=tier.id,
                tier_price_id=price.id,
                member_email=email,
                status=SubscriptionStatus.ACTIVE,
                interval="monthly",
                amount=amount,
                currency="USD",
                provider="sandbox",
            )
        )
        order = Order(
            public_id=f"ord_{secrets.token_hex(8)}",
            creator_id=creator_id,
            kind=OrderKind.TIP,
            buyer_email=email,
            amount=amount,
            currency="USD",
            status=OrderStatus.PAID,
            provider="sandbox",
            paid_at=utc_now(),
        )
        session.add(order)
        await session.flush()
        assert order.id is not None
        session.add(Tip(order_id=order.id, creator_id=creator_id, message=f"from {email}", is_public=True))


async def test_export_holds_my_memberships_and_tips_and_nobody_elses() -> None:
    shop = await make_creator(handle="memberclub")
    assert shop.creator.id is not None
    mine = await signed_up_and_verified("member@example.com")
    await _membership_and_tip(shop.creator.id, email="member@example.com", amount=500)
    await _membership_and_tip(shop.creator.id, email="someone-else@example.com", amount=900)

    exported = await privacy.export_my_data(session_token=mine.session_token)

    assert "someone-else@example.com" not in json.dumps(exported)
    assert [(row["tier"], row["status"], row["price"], row["creator"]) for row in exported["memberships"]] == [
        ("Inner circle", "active", "$5.00 / month", shop.creator.display_name)
    ]
    assert [(row["amount"], row["message"], row["is_public"]) for row in exported["tips"]] == [
        ("$5.00", "from member@example.com", True)
    ]
