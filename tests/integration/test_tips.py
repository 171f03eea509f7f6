"""Tips end to end: a fan tips on the sandbox gateway over HTTP, its signed webhook (posted to our API) pays the tip."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput
from creatorly.models import (
    Creator,
    LedgerEntry,
    LedgerTransaction,
    Order,
    OutboxEmail,
    SandboxWebhook,
    Tip,
    TipSettings,
)
from creatorly.models.enums import OrderKind, OrderStatus
from creatorly.providers.payments.sandbox_signing import sign
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.creators import service as creators
from creatorly.services.creators.schemas import ProfileInput
from creatorly.services.creators.service import NotACreator
from creatorly.services.delivery.service import order_access_token
from creatorly.services.external_events import service as external_events
from creatorly.services.orders import dashboard as orders_dashboard
from creatorly.services.refunds import service as refunds
from creatorly.services.sandbox_gateway import service as gateway
from creatorly.services.statements import service as statements
from creatorly.services.tips import service as tips
from creatorly.services.tips.schemas import NewTip, TipSettingsInput
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.factories import make_creator

FAN = "fan@example.com"


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    """Our own API (the sandbox gateway's routes and the webhook route) on a free port."""
    from tests.processes import serving

    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


# --- Given helpers ---------------------------------------------------------------------------------


async def _creator() -> tuple[Creator, str, str]:
    """A creator (USD store), their session token and their account email."""
    made = await make_creator()
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return made.creator, signed_in.session_token, made.email


async def _set_store_currency(token: str, creator: Creator, currency: str) -> None:
    """The creator changes the store's currency in the storefront settings."""
    await creators.update_profile(
        session_token=token,
        profile=ProfileInput(handle=creator.handle, display_name=creator.display_name, currency=currency),
    )


def _tip(handle: str, **changes: Any) -> NewTip:
    values: dict[str, Any] = {
        "handle": handle,
        "amount_text": "5",
        "buyer_email": FAN,
        "checkout_key": f"tip-key-{time.monotonic_ns()}",
        "message": "Thank you for the presets!",
        "display_name": "Ada",
        "is_public": True,
    }
    values.update(changes)
    return NewTip(**values)


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def _deliver_over_http(app_server: str, raw: bytes) -> int:
    signature = sign(raw, secret=external_events.sandbox_webhook_secret(), timestamp=int(time.time()))
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{app_server}/api/webhooks/sandbox",
            content=raw,
            headers={"Creatorly-Signature": signature, "Content-Type": "application/json"},
        )
    return response.status_code


async def _webhook_body(event_type: str, order: Order) -> bytes:
    async with db.transaction() as session:
        statement = (
            select(SandboxWebhook).where(SandboxWebhook.event_type == event_type).order_by(col(SandboxWebhook.id))
        )
        webhooks = [row for row in (await session.exec(statement)).all() if order.public_id in row.payload]
    return webhooks[-1].payload.encode()


async def _charged(new: NewTip) -> Order:
    """A tip whose card the gateway charged; its payment event is written but not yet delivered."""
    started = await tips.start_tip(new)
    order = await _order(started.order_public_id)
    assert order.provider_reference is not None
    await gateway.pay(
        reference=order.provider_reference, card_number="4242424242424242", expiry="12/40", cvc="123", name="Fan"
    )
    return order


async def _paid(app_server: str, new: NewTip) -> Order:
    order = await _charged(new)
    assert await _deliver_over_http(app_server, await _webhook_body("payment.succeeded", order)) == 200
    return await _order(order.public_id)


async def _wall(handle: str) -> list[tuple[str, str, str]]:
    page = await tips.list_wall(handle=handle)
    return [(entry.supporter, entry.message, entry.amount_label) for entry in page.items]


# --- Paying a tip ----------------------------------------------------------------------------------


async def test_a_tip_opens_a_pending_tip_order_with_its_tip_row(app_server: str) -> None:
    creator, _, _ = await _creator()

    started = await tips.start_tip(_tip(creator.handle, amount_text="7.50"))

    order = await _order(started.order_public_id)
    assert (order.kind, order.product_id, order.amount, order.currency) == (OrderKind.TIP, None, 750, "USD")
    assert (order.status, order.provider, order.buyer_email) == (OrderStatus.PENDING, "sandbox", FAN)
    assert order.provider_reference is not None and order.provider_reference in started.redirect_url
    async with db.transaction() as session:
        tip = (await session.exec(select(Tip))).one()
    assert (tip.order_id, tip.creator_id, tip.message, tip.display_name, tip.is_public) == (
        order.id,
        creator.id,
        "Thank you for the presets!",
        "Ada",
        True,
    )
    assert await _wall(creator.handle) == []  # not paid yet


async def test_a_paid_public_tip_shows_on_the_wall_once_with_emails_and_a_balanced_ledger(app_server: str) -> None:
    creator, _, creator_email = await _creator()

    order = await _paid(app_server, _tip(creator.handle))
    again = await _deliver_over_http(app_server, await _webhook_body("payment.succeeded", order))

    assert again == 200 and order.status == OrderStatus.PAID
    assert await _wall(creator.handle) == [("Ada", "Thank you for the presets!", "$5.00")]
    async with db.transaction() as session:
        [sale] = (await session.exec(select(LedgerTransaction))).all()
        entries = (await session.exec(select(LedgerEntry).where(LedgerEntry.transaction_id == sale.id))).all()
        emails = (await session.exec(select(OutboxEmail).order_by(col(OutboxEmail.id)))).all()
    assert (sale.kind, sale.reference, sale.currency) == ("sale", f"order:{order.id}", "USD")
    assert sum(entry.amount for entry in entries) == 0
    assert any(entry.memo == "gross" and entry.amount == 500 for entry in entries)
    assert [(email.to_address, email.subject) for email in emails] == [
        (creator_email, "New tip from Ada: $5.00"),
        (FAN, f"Your tip to {creator.display_name}"),
    ]
    assert "Thank you for the presets!" in emails[0].text_body


async def test_private_and_unpaid_tips_never_show_on_the_wall(app_server: str) -> None:
    creator, _, _ = await _creator()
    await _paid(app_server, _tip(creator.handle, is_public=False, message="Just for you"))
    await tips.start_tip(_tip(creator.handle, message="Never paid"))
    charged = await _charged(_tip(creator.handle, message="Paid but event not in yet"))

    wall = await _wall(creator.handle)

    assert wall == []
    assert (await _order(charged.public_id)).status == OrderStatus.PENDING


async def test_an_anonymous_tip_shows_as_anonymous_and_the_wall_pages_newest_first(app_server: str) -> None:
    creator, _, _ = await _creator()
    for number in range(3):
        await _paid(app_server, _tip(creator.handle, message=f"Tip {number}", is_anonymous=number == 1))

    first = await tips.list_wall(handle=creator.handle, page=1, page_size=2)
    second = await tips.list_wall(handle=creator.handle, page=2, page_size=2)

    assert [(entry.supporter, entry.message) for entry in first.items] == [("Ada", "Tip 2"), ("Anonymous", "Tip 1")]
    assert first.has_more is True
    assert [(entry.supporter, entry.message) for entry in second.items] == [("Ada", "Tip 0")]
    assert second.has_more is False


async def test_html_in_a_message_is_stored_as_plain_text(app_server: str) -> None:
    creator, _, _ = await _creator()

    await _paid(
        app_server,
        _tip(
            creator.handle,
            message='<script>alert("x")</script><b>Great</b> work &amp; <img src=x onerror=alert(1)>thanks',
            display_name="<i>Eve</i>",
        ),
    )

    assert await _wall(creator.handle) == [("Eve", "Great work & thanks", "$5.00")]


# --- Refusals: nothing written ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_text": "0.99"}, "amount"),
        ({"amount_text": "abc"}, "amount"),
        ({"amount_text": "1.005"}, "amount"),
        ({"amount_text": ""}, "amount"),
        ({"amount_text": "-5"}, "amount"),
        ({"amount_text": "10000.01"}, "amount"),
        ({"message": "x" * 501}, "message"),
        ({"buyer_email": "not-an-email"}, "email"),
        ({"display_name": "n" * 61}, "display_name"),
        ({"checkout_key": "bad key"}, "checkout_key"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    app_server: str, changes: dict[str, str], field: str
) -> None:
    creator, _, _ = await _creator()

    with pytest.raises(InvalidInput) as refused:
        await tips.start_tip(_tip(creator.handle, **changes))

    assert refused.value.field == field
    assert await _count(Order) == 0
    assert await _count(Tip) == 0


async def test_the_minimum_follows_the_currency(app_server: str) -> None:
    creator, token, _ = await _creator()
    await _set_store_currency(token, creator, "INR")
    await tips.save_tip_settings(session_token=token, changes=TipSettingsInput(presets_text="50 100"))

    with pytest.raises(InvalidInput, match=r"₹10\.00"):
        await tips.start_tip(_tip(creator.handle, amount_text="9.99"))
    started = await tips.start_tip(_tip(creator.handle, amount_text="10"))

    order = await _order(started.order_public_id)
    assert (order.amount, order.currency) == (1000, "INR")


async def test_a_double_click_makes_one_order_and_one_tip(app_server: str) -> None:
    creator, _, _ = await _creator()
    new = _tip(creator.handle, checkout_key="double-click-tip-1")

    first, second = await asyncio.gather(tips.start_tip(new), tips.start_tip(new))
    third = await tips.start_tip(new)

    assert first == second == third
    assert await _count(Order) == 1
    assert await _count(Tip) == 1


# --- The goal ----------------------------------------------------------------------------------------


async def test_the_goal_counts_only_paid_tips_in_its_currency(app_server: str) -> None:
    creator, token, _ = await _creator()
    await _set_store_currency(token, creator, "INR")
    await tips.save_tip_settings(session_token=token, changes=TipSettingsInput(presets_text="100", goal_amount_text=""))
    await _paid(app_server, _tip(creator.handle, amount_text="500"))  # INR: not in the goal's currency
    await _set_store_currency(token, creator, "USD")
    await tips.save_tip_settings(
        session_token=token,
        changes=TipSettingsInput(presets_text="3 5 10", goal_title="New camera", goal_amount_text="40"),
    )
    await _paid(app_server, _tip(creator.handle, amount_text="10"))
    await _paid(app_server, _tip(creator.handle, amount_text="2.50", is_public=False))  # private tips count too
    await tips.start_tip(_tip(creator.handle, amount_text="20"))  # never paid

    jar = await tips.get_tip_jar(handle=creator.handle)

    assert jar.goal is not None
    assert (jar.goal.title, jar.goal.raised_label, jar.goal.goal_label, jar.goal.percent) == (
        "New camera",
        "$12.50",
        "$40.00",
        31,
    )
    assert [(preset.label, preset.text) for preset in jar.presets] == [("$3.00", "3"), ("$5.00", "5"), ("$10.00", "10")]


async def test_a_new_creator_gets_default_presets_and_no_goal(app_server: str) -> None:
    creator, token, _ = await _creator()

    jar = await tips.get_tip_jar(handle=creator.handle)
    view = await tips.get_tip_settings(session_token=token)

    assert [preset.amount for preset in jar.presets] == [300, 500, 1000]
    assert (jar.currency, jar.minimum_label, jar.goal) == ("USD", "$1.00", None)
    assert (view.currency, view.presets_text, view.goal_amount_text) == ("USD", "3 5 10", "")


async def test_a_new_creator_tips_in_the_store_currency_they_chose(app_server: str) -> None:
    made = await make_creator()
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    await _set_store_currency(signed_in.session_token, made.creator, "EUR")

    jar = await tips.get_tip_jar(handle=made.creator.handle)
    started = await tips.start_tip(_tip(made.creator.handle, amount_text="5"))

    assert (jar.currency, [preset.label for preset in jar.presets]) == ("EUR", ["€3.00", "€5.00", "€10.00"])
    assert (await tips.get_tip_settings(session_token=signed_in.session_token)).currency == "EUR"
    order = await _order(started.order_public_id)
    assert (order.amount, order.currency) == (500, "EUR")


async def test_a_change_of_store_currency_carries_to_the_tip_jar(app_server: str) -> None:
    creator, token, _ = await _creator()
    await tips.save_tip_settings(
        session_token=token,
        changes=TipSettingsInput(presets_text="4 8", goal_title="New camera", goal_amount_text="400"),
    )
    assert (await tips.get_tip_jar(handle=creator.handle)).currency == "USD"

    await _set_store_currency(token, creator, "INR")

    jar = await tips.get_tip_jar(handle=creator.handle)
    view = await tips.get_tip_settings(session_token=token)
    started = await tips.start_tip(_tip(creator.handle, amount_text="100"))
    # USD amounts mean nothing in rupees: the jar starts again from the rupee defaults, and the goal is gone
    assert (jar.currency, [preset.amount for preset in jar.presets], jar.goal) == ("INR", [5000, 10000, 25000], None)
    assert (jar.minimum_label, view.currency, view.presets_text, view.goal_amount_text) == (
        "₹10.00",
        "INR",
        "50 100 250",
        "",
    )
    assert ((order := await _order(started.order_public_id)).amount, order.currency) == (10000, "INR")
    async with db.transaction() as session:
        stored = await session.get(TipSettings, creator.id)
    assert stored is not None
    assert (stored.goal_currency, stored.presets, stored.goal_amount, stored.goal_title) == ("INR", "[]", None, "")

    await tips.save_tip_settings(session_token=token, changes=TipSettingsInput(presets_text="50 150"))
    await _set_store_currency(token, creator, "INR")  # saving the profile again without a change keeps them

    assert [preset.label for preset in (await tips.get_tip_jar(handle=creator.handle)).presets] == ["₹50.00", "₹150.00"]


async def test_settings_left_in_another_currency_are_not_offered(app_server: str) -> None:
    """Amounts stored in a currency the store no longer sells in (written before the jar followed the store) are
    never shown as if they were in the store's currency."""
    creator, token, _ = await _creator()
    async with db.transaction() as session:
        session.add(
            TipSettings(
                creator_id=creator.id, presets="[5000]", goal_title="Trip", goal_amount=900000, goal_currency="INR"
            )
        )

    jar = await tips.get_tip_jar(handle=creator.handle)
    started = await tips.start_tip(_tip(creator.handle, amount_text="5"))

    assert (jar.currency, [preset.amount for preset in jar.presets], jar.goal) == ("USD", [300, 500, 1000], None)
    assert (await tips.get_tip_settings(session_token=token)).goal_title == ""
    assert (await _order(started.order_public_id)).currency == "USD"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"presets_text": "0.5 5"}, "presets"),
        ({"presets_text": ""}, "presets"),
        ({"presets_text": "1 2 3 4 5 6 7"}, "presets"),
        ({"goal_amount_text": "abc", "goal_title": "Camera"}, "goal_amount"),
        ({"goal_amount_text": "100"}, "goal_title"),
    ],
)
async def test_bad_tip_settings_are_refused(app_server: str, changes: dict[str, str], field: str) -> None:
    _, token, _ = await _creator()
    values = {"presets_text": "3 5 10", **changes}

    with pytest.raises(InvalidInput) as refused:
        await tips.save_tip_settings(session_token=token, changes=TipSettingsInput(**values))

    assert refused.value.field == field
    assert (await tips.get_tip_settings(session_token=token)).presets_text == "3 5 10"


# --- The creator's side --------------------------------------------------------------------------


async def test_the_dashboard_lists_my_paid_tips_with_totals_and_never_another_creators(app_server: str) -> None:
    mine, token, _ = await _creator()
    other, other_token, _ = await _creator()
    await _paid(app_server, _tip(mine.handle, amount_text="5", message="For you"))
    await _paid(app_server, _tip(mine.handle, amount_text="3", message="", is_public=False, is_anonymous=True))
    await tips.start_tip(_tip(mine.handle, amount_text="9"))  # unpaid: not listed
    await _paid(app_server, _tip(other.handle, amount_text="8", message="For the other one"))

    page = await tips.list_tips(session_token=token)
    csv = await tips.export_tips_csv(session_token=token)

    assert [(row.supporter, row.amount_label, row.message, row.is_public) for row in page.items] == [
        ("Anonymous", "$3.00", "", False),
        ("Ada", "$5.00", "For you", True),
    ]
    assert [(total.currency, total.count, total.amount_label) for total in page.totals] == [("USD", 2, "$8.00")]
    assert "For the other one" not in csv and "For you" in csv
    assert csv.splitlines()[0] == "order,created_at,supporter,email,amount,refunded,currency,public,status,message"
    assert [row.message for row in (await tips.list_tips(session_token=other_token)).items] == ["For the other one"]


async def test_a_fan_without_a_storefront_has_no_tips_dashboard(app_server: str) -> None:
    mine, _, _ = await _creator()
    await _paid(app_server, _tip(mine.handle))
    fan = await signed_up_and_verified("plain-fan@example.com")

    with pytest.raises(NotACreator):
        await tips.list_tips(session_token=fan.session_token)
    with pytest.raises(NotACreator):
        await tips.export_tips_csv(session_token=fan.session_token)


async def test_tip_orders_appear_in_the_orders_dashboard_titled_tip_and_refund_like_sales(app_server: str) -> None:
    creator, token, _ = await _creator()
    order = await _paid(app_server, _tip(creator.handle, amount_text="6"))

    listed = await orders_dashboard.list_orders(session_token=token, status=None)
    detail = await orders_dashboard.order_detail(session_token=token, order_public_id=order.public_id)
    refund = await refunds.refund_order(session_token=token, order_public_id=order.public_id, amount_text="")
    assert await _deliver_over_http(app_server, await _webhook_body("refund.succeeded", order)) == 200

    assert [(row.public_id, row.product_title, row.amount_label) for row in listed.items] == [
        (order.public_id, "Tip", "$6.00")
    ]
    assert (detail.product_title, detail.refundable_amount) == ("Tip", 600)
    assert refund.amount == 600
    assert (await _order(order.public_id)).status == OrderStatus.REFUNDED
    assert await _wall(creator.handle) == []  # a refunded tip leaves the wall
    async with db.transaction() as session:
        entries = (await session.exec(select(LedgerEntry))).all()
    assert sum(entry.amount for entry in entries) == 0


async def test_the_statement_labels_tip_sales_as_tips(app_server: str) -> None:
    creator, token, _ = await _creator()
    order = await _paid(app_server, _tip(creator.handle, amount_text="5"))
    assert order.paid_at is not None

    statement = await statements.monthly_statement(session_token=token, month=f"{order.paid_at:%Y-%m}")

    [usd] = statement.currencies
    assert [(line.label, line.description, line.gross) for line in usd.lines] == [
        ("Tip", f"Tip · {order.public_id}", 500)
    ]
    assert usd.sales == 500


# --- The fan's order page --------------------------------------------------------------------------


async def test_the_tip_receipt_needs_the_signed_key(app_server: str) -> None:
    creator, _, _ = await _creator()
    order = await _paid(app_server, _tip(creator.handle))

    receipt = await tips.get_tip_receipt(order_public_id=order.public_id, key=order_access_token(order.public_id))

    assert (receipt.status, receipt.amount_label, receipt.handle, receipt.message) == (
        "paid",
        "$5.00",
        creator.handle,
        "Thank you for the presets!",
    )
    with pytest.raises(Exception, match="couldn't find"):
        await tips.get_tip_receipt(order_public_id=order.public_id, key="wrong")


# --- Through Stripe (localstripe) ----------------------------------------------------------------


@pytest.fixture(scope="module")
def localstripe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.localstripe import running_localstripe

    with running_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log") as url:
        yield url


async def test_a_tip_routed_to_stripe_gets_its_elements_page_and_is_paid_by_the_signed_webhook(
    app_server: str, localstripe_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import SecretStr

    from tests.integration.test_stripe import _card_method, _confirm
    from tests.localstripe import send_webhooks_to

    send_webhooks_to(localstripe_url, f"{app_server}/api/webhooks/stripe", secret="whsec_tips")
    monkeypatch.setattr(settings, "stripe_api_base", localstripe_url)
    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr("sk_test_tips"))
    monkeypatch.setattr(settings, "stripe_publishable_key", "pk_test_tips")
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr("whsec_tips"))
    creator, _, _ = await _creator()
    started = await tips.start_tip(_tip(creator.handle, amount_text="4", message="Via Stripe"))
    order = await _order(started.order_public_id)
    assert order.provider == "stripe" and order.provider_reference is not None

    async with httpx.AsyncClient(timeout=10) as client:
        elements_page = await client.get(started.redirect_url)
    stripe_client = stripe.StripeClient("sk_test_tips", base_addresses={"api": localstripe_url})
    method = await asyncio.to_thread(_card_method, stripe_client, "4242424242424242")
    answer = await asyncio.to_thread(_confirm, app_server, order.provider_reference, method)
    for _ in range(150):
        if (await _order(order.public_id)).status == OrderStatus.PAID:
            break
        await asyncio.sleep(0.1)

    assert elements_page.status_code == 200 and "$4.00" in elements_page.text and "Tip" in elements_page.text
    assert answer.status_code == 200
    assert (await _order(order.public_id)).status == OrderStatus.PAID
    assert await _wall(creator.handle) == [("Ada", "Via Stripe", "$4.00")]
