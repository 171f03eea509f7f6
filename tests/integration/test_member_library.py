"""The fan's library: memberships with status, next charge, history and receipts; the member's actions through
the library's identity (signed in or an emailed link); tier changes; the tips the fan sent."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.models import Order, Tip, User
from creatorly.models.enums import OrderKind, OrderStatus
from creatorly.models.memberships import Subscription
from creatorly.services.accounts.errors import NotAuthenticated
from creatorly.services.delivery.library import LibraryLinkInvalid, library_url
from creatorly.services.delivery.service import OrderNotFound, order_access_token
from creatorly.services.memberships import library as member_library
from creatorly.services.memberships import lifecycle
from creatorly.services.memberships import subscriptions as subscription_events
from creatorly.services.memberships.library_tier_change import change_library_tier
from creatorly.services.tips import service as tips
from tests.accounts import signed_up_and_verified
from tests.factories import make_creator
from tests.integration.test_subscriptions import (  # noqa: F401 (fixtures)
    FAN,
    _creator_and_tier,
    _deliver_webhooks,
    _join,
    _member,
    _sandbox,
    _set_period,
    _subscription,
    _tier,
    app_server,
)


def _day(moment: datetime | None) -> str:
    assert moment is not None
    return f"{moment:%d %b %Y}"


def _key(email: str) -> str:
    return library_url(email).split("key=", 1)[1]


async def _fan_session(email: str = FAN) -> str:
    return (await signed_up_and_verified(email)).session_token


async def _unverified_session(email: str) -> str:
    """A signed-in account whose email was never confirmed (verification taken back for the test)."""
    signed_in = await signed_up_and_verified(email)
    async with db.transaction() as session:
        user = await session.get(User, signed_in.user.id)
        assert user is not None
        user.email_verified_at = None
        session.add(user)
    return signed_in.session_token


# --- Reading the library ---------------------------------------------------------------------------


async def test_a_signed_in_member_sees_the_membership_with_next_charge_and_the_receipt() -> None:
    handle, _, tier = await _creator_and_tier(name="Supporter", prices={"monthly": 1000})
    token = await _fan_session()
    member = await _member(handle, tier)
    async with db.transaction() as session:  # bookkeeping a provider's path records is not the member's history
        row = await session.get(Subscription, member.id)
        assert row is not None
        await subscription_events.record(session, row, "razorpay_payment", detail="pay_internal")

    [card] = await member_library.list_library_memberships(session_token=token, library_key="")

    assert (card.public_id, card.creator_handle, card.tier_name, card.price_label) == (
        member.public_id,
        handle,
        "Supporter",
        "$10.00 / month",
    )
    assert (card.status, card.status_label, card.status_note) == ("active", "Active", "")
    assert card.next_charge_label == f"Next charge $10.00 on {_day(member.current_period_end)}"
    assert (card.can_cancel, card.can_resume, card.can_pause, card.can_unpause) == (True, False, True, False)
    assert card.tier_choices == []
    assert [line.text for line in card.history] == ["Joining started", "Payment: first period", "Membership started"]
    receipt = card.history[1]
    assert receipt.amount_label == "$10.00"
    assert receipt.order_url.split("?")[0].endswith(f"/orders/{receipt.order_public_id}")
    assert receipt.order_public_id.startswith("msf_")


async def test_an_emailed_link_shows_only_its_address_memberships() -> None:
    handle, _, tier = await _creator_and_tier()
    await _member(handle, tier)
    await _member(handle, tier, email="other@example.com")

    mine = await member_library.list_library_memberships(session_token="", library_key=_key(FAN))
    nobody = await member_library.list_library_memberships(session_token="", library_key=_key("new@example.com"))

    assert [(card.tier_name, card.status) for card in mine] == [("Supporter", "active")]
    assert nobody == []
    with pytest.raises(LibraryLinkInvalid):
        await member_library.list_library_memberships(session_token="", library_key=_key(FAN) + "x")


async def test_an_unverified_account_or_no_identity_sees_no_memberships() -> None:
    handle, _, tier = await _creator_and_tier()
    await _member(handle, tier, email="late@example.com")
    token = await _unverified_session("late@example.com")

    with pytest.raises(member_library.LibraryEmailUnverified):
        await member_library.list_library_memberships(session_token=token, library_key="")
    with pytest.raises(NotAuthenticated):
        await member_library.list_library_memberships(session_token="", library_key="")


async def test_an_unpaid_join_is_left_out() -> None:
    handle, _, tier = await _creator_and_tier()
    await _join(handle, tier)

    assert await member_library.list_library_memberships(session_token="", library_key=_key(FAN)) == []


# --- The member's actions --------------------------------------------------------------------------


async def test_cancel_resume_pause_and_unpause_through_the_library() -> None:
    handle, _, tier = await _creator_and_tier()
    token = await _fan_session()
    member = await _member(handle, tier)
    ends = _day(member.current_period_end)

    async def act(action: str) -> tuple[str, member_library.LibraryMembership]:
        done = await member_library.act_on_membership(
            session_token=token, library_key="", subscription_public_id=member.public_id, action=action
        )
        [card] = await member_library.list_library_memberships(session_token=token, library_key="")
        assert done.redirect_url == ""  # a sandbox membership changes at once: no provider page to visit
        return done.message, card

    message, card = await act("cancel")
    assert message == f"Your membership cancels on {ends}. You keep access until then."
    assert (card.status, card.status_label, card.next_charge_label) == ("canceling", "Canceling", f"Ends on {ends}")
    assert card.status_note == f"Cancels on {ends}. Resume to keep your membership."
    assert (card.can_cancel, card.can_resume) == (False, True)

    message, card = await act("resume")
    assert (message, card.status, card.can_cancel) == ("Your membership will keep renewing.", "active", True)

    message, card = await act("pause")
    assert (card.status, card.next_charge_label, card.can_pause, card.can_unpause) == ("paused", "", False, True)

    message, card = await act("unpause")
    assert (message, card.status) == ("Your membership is active again.", "active")
    assert [line.text for line in card.history][-4:] == [
        "Cancellation scheduled for the end of the period",
        "Cancellation undone: the membership renews",
        "Paused",
        "Unpaused",
    ]


async def test_another_fan_cannot_act_on_my_membership_and_nothing_changes() -> None:
    handle, _, tier = await _creator_and_tier()
    member = await _member(handle, tier)
    stranger = await _fan_session("stranger@example.com")

    with pytest.raises(lifecycle.SubscriptionNotFound):
        await member_library.act_on_membership(
            session_token=stranger, library_key="", subscription_public_id=member.public_id, action="cancel"
        )
    with pytest.raises(lifecycle.SubscriptionNotFound):
        await member_library.act_on_membership(
            session_token="",
            library_key=_key("stranger@example.com"),
            subscription_public_id=member.public_id,
            action="pause",
        )
    with pytest.raises(InvalidInput):
        await member_library.act_on_membership(
            session_token="", library_key=_key(FAN), subscription_public_id=member.public_id, action="delete"
        )

    after = await _subscription()
    assert (after.status, after.cancel_at_period_end) == ("active", False)


async def test_an_upgrade_shows_its_prorated_charge_and_applies_with_a_receipt() -> None:
    handle, creator_id, basic = await _creator_and_tier(name="Basic", prices={"monthly": 1000})
    pro = await _tier(creator_id, name="Pro", position=1, prices={"monthly": 2500})
    await _tier(creator_id, name="Yearly only", position=2, prices={"yearly": 9000})
    member = await _member(handle, basic)
    await _set_period(member, used_days=12, left_days=18)  # 1500 × 18 / 30 = 900
    key = _key(FAN)

    [card] = await member_library.list_library_memberships(session_token="", library_key=key)
    [choice] = card.tier_choices
    assert (choice.tier_public_id, choice.label, choice.is_upgrade) == (pro.public_id, "Pro · $25.00 / month", True)
    assert choice.note == "Upgrade: starts now; $9.00 (the prorated difference) is charged now."

    message = await change_library_tier(
        session_token="", library_key=key, subscription_public_id=member.public_id, tier_public_id=pro.public_id
    )
    await _deliver_webhooks()

    assert message.message == "Upgraded. We charged $9.00 for the rest of this period."
    [card] = await member_library.list_library_memberships(session_token="", library_key=key)
    assert (card.tier_name, card.price_label) == ("Pro", "$25.00 / month")
    receipts = [(line.text, line.amount_label) for line in card.history if line.order_url]
    assert receipts == [("Payment: first period", "$10.00"), ("Payment: upgrade", "$9.00")]
    [back] = card.tier_choices
    assert (back.label, back.is_upgrade) == ("Basic · $10.00 / month", False)
    assert back.note.startswith("Downgrade: starts at your next renewal on ")


async def test_a_downgrade_waits_for_the_renewal_and_says_so() -> None:
    handle, creator_id, basic = await _creator_and_tier(name="Basic", prices={"monthly": 1000})
    pro = await _tier(creator_id, name="Pro", position=1, prices={"monthly": 2500})
    member = await _member(handle, pro)

    message = await change_library_tier(
        session_token="", library_key=_key(FAN), subscription_public_id=member.public_id, tier_public_id=basic.public_id
    )

    assert message.message == f"Your new tier starts at your next renewal on {_day(member.current_period_end)}."
    [card] = await member_library.list_library_memberships(session_token="", library_key=_key(FAN))
    assert (card.tier_name, card.status_note) == ("Pro", "Moves to Basic at the next renewal.")
    assert card.next_charge_label == f"Next charge $10.00 on {_day(member.current_period_end)}"
    with pytest.raises(InvalidInput):
        await change_library_tier(
            session_token="", library_key=_key(FAN), subscription_public_id=member.public_id, tier_public_id=""
        )


async def test_a_tier_of_another_creator_is_not_found_and_nothing_changes() -> None:
    handle, _, basic = await _creator_and_tier(name="Basic")
    _, _, elsewhere = await _creator_and_tier(name="Elsewhere")
    member = await _member(handle, basic)

    with pytest.raises(lifecycle.SubscriptionNotFound):
        await change_library_tier(
            session_token="",
            library_key=_key(FAN),
            subscription_public_id=member.public_id,
            tier_public_id=elsewhere.public_id,
        )
    async with db.transaction() as session:
        row = await session.get(Subscription, member.id)
    assert row is not None and (row.tier_id, row.pending_tier_price_id) == (basic.id, None)


# --- Tips the fan sent ------------------------------------------------------------------------------


async def _paid_tip(
    creator_id: int, *, email: str, amount: int, message: str = "", is_public: bool = False, status: str = "paid"
) -> str:
    async with db.transaction() as session:
        order = Order(
            public_id=f"ord_{secrets.token_hex(8)}",
            creator_id=creator_id,
            kind=OrderKind.TIP,
            buyer_email=email,
            amount=amount,
            currency="USD",
            status=OrderStatus(status),
            provider="sandbox",
            paid_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC) if status != "pending" else None,
        )
        session.add(order)
        await session.flush()
        assert order.id is not None
        session.add(Tip(order_id=order.id, creator_id=creator_id, message=message, is_public=is_public))
    return order.public_id


async def test_the_library_lists_the_tips_i_sent_and_nobody_elses() -> None:
    made = await make_creator(handle="tipjar")
    assert made.creator.id is not None
    mine = await _paid_tip(made.creator.id, email=FAN, amount=500, message="Love it", is_public=True)
    await _paid_tip(made.creator.id, email=FAN, amount=700, status="pending")
    await _paid_tip(made.creator.id, email="other@example.com", amount=900)

    [tip] = await tips.list_sent_tips(email=" Fan@Example.com ")

    assert (tip.order_public_id, tip.creator_name, tip.handle, tip.amount_label) == (
        mine,
        made.creator.display_name,
        "tipjar",
        "$5.00",
    )
    assert (tip.message, tip.is_public, tip.status, f"{tip.sent_at:%d %b %Y}") == (
        "Love it",
        True,
        "paid",
        "20 Nov 2026",
    )
    assert tip.order_url.split("?")[0].endswith(f"/orders/{mine}")


async def test_export_of_tips_counts_the_account_and_its_verified_email() -> None:
    made = await make_creator()
    assert made.creator.id is not None
    await _paid_tip(made.creator.id, email=FAN, amount=500)
    async with db.transaction() as session:
        by_email = await tips.export_sent_tips(session, user_id=-1, email=FAN)
        unverified = await tips.export_sent_tips(session, user_id=-1, email=None)
    assert [row["amount"] for row in by_email] == ["$5.00"]
    assert unverified == []


async def test_a_membership_charge_has_a_receipt_page_behind_its_signed_link() -> None:
    handle, _, tier = await _creator_and_tier(name="Supporter", prices={"monthly": 1000})
    await _member(handle, tier)
    [card] = await member_library.list_library_memberships(session_token="", library_key=_key(FAN))
    [receipt_line] = [line for line in card.history if line.order_url]
    key = receipt_line.order_url.split("key=", 1)[1]

    receipt = await member_library.membership_receipt(order_public_id=receipt_line.order_public_id, key=key)

    assert (receipt.product_title, receipt.status, receipt.status_label, receipt.amount_label) == (
        "Membership: first period",
        "paid",
        "Paid",
        "$10.00",
    )
    with pytest.raises(OrderNotFound):
        await member_library.membership_receipt(order_public_id=receipt_line.order_public_id, key=key + "x")
    with pytest.raises(OrderNotFound):
        await member_library.membership_receipt(order_public_id="ord_unknown", key=order_access_token("ord_unknown"))
