"""Discount codes: creators manage them; checkout redeems them in the order's transaction, within every limit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import creatorly.api.app
from creatorly import db, queue
from creatorly.config import settings
from creatorly.errors import InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.models import Creator, DiscountCode, Entitlement, Order, OrderEvent, Product, ProductFile, SandboxPayment
from creatorly.models.enums import OrderStatus
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.checkout import service as checkout
from creatorly.services.checkout.schemas import CheckoutStarted
from creatorly.services.delivery.service import order_page_url
from creatorly.services.discounts import service as discounts
from creatorly.services.discounts.service import DiscountInvalid, DiscountNotFound
from tests.accounts import PASSWORD, new_requester
from tests.factories import CreatorWithProducts, make_creator, new_product
from tests.processes import serving

BUYER = "fan@example.com"
UNKNOWN_CODE_MESSAGE = "This discount code isn't valid."


@pytest.fixture(scope="module")
def app_server() -> Iterator[str]:
    """Our own API (with the sandbox gateway's routes) on a free port, as the sandbox provider's base URL."""
    with serving(creatorly.api.app.api) as url:
        yield url


@pytest.fixture(autouse=True)
def _public_url(app_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    queue.huey.flush()
    monkeypatch.setattr(settings, "public_url", app_server)


# --- Given helpers ---------------------------------------------------------------------------------


async def _creator(*products: dict[str, Any]) -> tuple[CreatorWithProducts, str]:
    """A creator with published products (each with one file), and their session token."""
    made = await make_creator(products=[new_product(**overrides) for overrides in products or ({},)])
    async with db.transaction() as session:
        for product in made.products:
            session.add(
                ProductFile(
                    product_id=product.id,
                    storage_key=f"files/{product.id}/0.pdf",
                    original_name="part-0.pdf",
                    content_type="application/pdf",
                    size_bytes=1000,
                    sha256="0" * 64,
                    position=0,
                )
            )
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return made, signed_in.session_token


async def _code(token: str, code: str, kind: str, value: str, **options: Any) -> int:
    return await discounts.create_discount(session_token=token, code=code, kind=kind, value_text=value, **options)


async def _start(product: Product, *, code: str, key: str = "key-00000001") -> CheckoutStarted:
    async with db.transaction() as session:
        creator = await session.get(Creator, product.creator_id)
        assert creator is not None
    return await checkout.start_checkout(
        handle=creator.handle, slug=product.slug, buyer_email=BUYER, checkout_key=key, discount_code=code
    )


async def _order(public_id: str) -> Order:
    async with db.transaction() as session:
        return (await session.exec(select(Order).where(Order.public_id == public_id))).one()


async def _discount(discount_id: int) -> DiscountCode:
    async with db.transaction() as session:
        found = await session.get(DiscountCode, discount_id)
        assert found is not None
        return found


async def _count(model: type[SQLModel], *conditions: Any) -> int:
    async with db.transaction() as session:
        statement = select(func.count()).select_from(model)
        if conditions:
            statement = statement.where(*conditions)
        return int((await session.exec(statement)).one())


async def _assert_refused(product: Product, code: str, message: str) -> None:
    with pytest.raises(DiscountInvalid) as refused:
        await _start(product, code=code)
    assert (refused.value.message, refused.value.field) == (message, "discount_code")
    assert await _count(Order) == 0
    assert await _count(SandboxPayment) == 0


# --- Prices after a discount -------------------------------------------------------------------------


async def test_a_percent_code_takes_its_share_off_and_records_the_list_price() -> None:
    made, token = await _creator({"price_amount": 1999})
    discount_id = await _code(token, "spring10", "percent", "10")

    started = await _start(made.products[0], code=" Spring10 ")

    order = await _order(started.order_public_id)
    # 10 % of 19.99 is 1.999, rounded half up to 2.00.
    assert (order.status, order.amount, order.list_amount, order.discount_code_id) == (
        OrderStatus.PENDING,
        1799,
        1999,
        discount_id,
    )
    [payment] = await _rows(SandboxPayment)
    assert (payment.amount, payment.currency) == (1799, "USD")
    assert (await _discount(discount_id)).redemptions == 1


async def test_a_fixed_code_takes_its_amount_off() -> None:
    made, token = await _creator({"price_amount": 1200})
    discount_id = await _code(token, "FIVE", "fixed", "5.00")

    started = await _start(made.products[0], code="five")

    order = await _order(started.order_public_id)
    assert (order.amount, order.list_amount, order.discount_code_id) == (700, 1200, discount_id)


async def test_a_full_discount_completes_like_a_free_order() -> None:
    made, token = await _creator({"price_amount": 1200})
    discount_id = await _code(token, "GIFT", "percent", "100")

    started = await _start(made.products[0], code="GIFT")

    order = await _order(started.order_public_id)
    assert started.redirect_url == order_page_url(order.public_id)
    assert (order.status, order.amount, order.list_amount, order.provider_fee) == (OrderStatus.PAID, 0, 1200, 0)
    assert order.discount_code_id == discount_id and order.paid_at is not None
    assert await _count(Entitlement, Entitlement.order_id == order.id) == 1
    assert await _count(SandboxPayment) == 0
    events = await _rows(OrderEvent)
    assert [(event.from_status, event.to_status, event.cause) for event in events] == [
        ("created", "pending", "checkout started"),
        ("pending", "paid", "free order"),
    ]


# --- Refusals -----------------------------------------------------------------------------------------


async def test_a_product_code_only_works_for_its_product() -> None:
    made, token = await _creator({"price_amount": 1200}, {"price_amount": 1500})
    scoped, other = made.products
    discount_id = await _code(token, "ONLYONE", "percent", "20", product_slug=scoped.slug)

    await _assert_refused(other, "ONLYONE", "This discount code doesn't apply to this product.")

    assert (await _discount(discount_id)).redemptions == 0
    started = await _start(scoped, code="ONLYONE")
    assert (await _order(started.order_public_id)).amount == 960


async def test_codes_work_only_inside_their_window() -> None:
    made, token = await _creator()
    today = utc_now().date()
    await _code(token, "LATER", "percent", "10", starts_at=(today + timedelta(days=1)).isoformat())
    await _code(token, "OVER", "percent", "10", ends_at=(today - timedelta(days=1)).isoformat())
    current_id = await _code(token, "NOW", "percent", "10", starts_at=today.isoformat(), ends_at=today.isoformat())

    await _assert_refused(made.products[0], "LATER", "This discount code isn't active yet.")
    await _assert_refused(made.products[0], "OVER", "This discount code has expired.")
    started = await _start(made.products[0], code="NOW")

    assert (await _order(started.order_public_id)).discount_code_id == current_id


async def test_a_fixed_code_only_works_in_its_currency_and_a_percent_code_in_any() -> None:
    made, token = await _creator({"price_amount": 1200, "currency": "EUR"})
    await _code(token, "USDOFF", "fixed", "5")  # store-wide: the creator's USD
    await _code(token, "TENPC", "percent", "10")

    await _assert_refused(made.products[0], "USDOFF", "This discount code can't be used with this product's currency.")
    started = await _start(made.products[0], code="TENPC")

    assert ((await _order(started.order_public_id)).amount, (await _order(started.order_public_id)).currency) == (
        1080,
        "EUR",
    )


async def test_another_creators_code_is_refused_like_an_unknown_one() -> None:
    made, _token = await _creator()
    _other, other_token = await _creator()
    other_id = await _code(other_token, "THEIRS", "percent", "50")

    await _assert_refused(made.products[0], "THEIRS", UNKNOWN_CODE_MESSAGE)
    await _assert_refused(made.products[0], "NEVERMADE", UNKNOWN_CODE_MESSAGE)

    assert (await _discount(other_id)).redemptions == 0


async def test_a_deactivated_code_is_refused_and_others_cannot_deactivate_mine() -> None:
    made, token = await _creator()
    _other, other_token = await _creator()
    discount_id = await _code(token, "STOPPED", "percent", "10")

    with pytest.raises(DiscountNotFound):
        await discounts.deactivate_discount(session_token=other_token, discount_id=discount_id)
    assert (await _discount(discount_id)).is_active is True
    await discounts.deactivate_discount(session_token=token, discount_id=discount_id)

    await _assert_refused(made.products[0], "STOPPED", "This discount code is no longer active.")
    [row] = await discounts.list_discounts(session_token=token)
    assert (row.code, row.status_label, row.is_active) == ("STOPPED", "Deactivated", False)
    assert await discounts.list_discounts(session_token=other_token) == []


async def test_ten_racing_checkouts_get_exactly_the_three_redemptions_left() -> None:
    made, token = await _creator({"price_amount": 1000})
    discount_id = await _code(token, "RACE", "percent", "50", max_redemptions="5")
    async with db.transaction() as session:
        row = await session.get(DiscountCode, discount_id)
        assert row is not None
        row.redemptions = 2
        session.add(row)

    results = await asyncio.gather(
        *(_start(made.products[0], code="RACE", key=f"race-key-{n:04d}") for n in range(10)), return_exceptions=True
    )

    started = [result for result in results if isinstance(result, CheckoutStarted)]
    refused = [result for result in results if isinstance(result, DiscountInvalid)]
    assert (len(started), len(refused)) == (3, 7), results
    assert {error.message for error in refused} == {"This discount code has been fully redeemed."}
    assert await _count(Order) == 3
    assert await _count(Order, col(Order.discount_code_id) == discount_id, Order.amount == 500) == 3
    assert (await _discount(discount_id)).redemptions == 5
    [listed] = await discounts.list_discounts(session_token=token)
    assert (listed.redemptions_label, listed.status_label) == ("5 / 5", "Used up")


# --- Management ---------------------------------------------------------------------------------------


async def test_creating_a_code_checks_its_fields_and_lists_it() -> None:
    made, token = await _creator({"title": "Brushes"})
    await _code(token, "brush", "fixed", "2.50", product_slug=made.products[0].slug, max_redemptions="10")

    with pytest.raises(discounts.DiscountCodeTaken):
        await _code(token, "BRUSH", "percent", "10")
    for field, arguments in [
        ("code", {"code": "no spaces"}),
        ("kind", {"kind": "bogus"}),
        ("value", {"value_text": "101"}),
        ("product", {"product_slug": "not-mine"}),
        ("ends_at", {"starts_at": "2030-02-02", "ends_at": "2030-02-01"}),
        ("max_redemptions", {"max_redemptions": "0"}),
    ]:
        values: dict[str, Any] = {"code": "OK1", "kind": "percent", "value_text": "10", **arguments}
        with pytest.raises(InvalidInput) as refused:
            await discounts.create_discount(session_token=token, **values)
        assert refused.value.field == field

    [row] = await discounts.list_discounts(session_token=token)
    assert (row.code, row.value_label, row.scope_label, row.window_label, row.redemptions_label, row.status_label) == (
        "BRUSH",
        "$2.50 off",
        "Brushes",
        "Always",
        "0 / 10",
        "Active",
    )


async def _rows(model: type[Any]) -> list[Any]:
    async with db.transaction() as session:
        return list((await session.exec(select(model).order_by(col(model.id)))).all())


async def test_a_store_wide_cap_holds_when_checkouts_of_different_products_race() -> None:
    # Different products take different row locks, so only the conditional UPDATE stands between them.
    made, token = await _creator(*({"price_amount": 1000} for _ in range(10)))
    discount_id = await _code(token, "EVERYWHERE", "fixed", "1", max_redemptions="3")

    results = await asyncio.gather(
        *(_start(product, code="EVERYWHERE", key=f"wide-key-{n:04d}") for n, product in enumerate(made.products)),
        return_exceptions=True,
    )

    assert sum(isinstance(result, CheckoutStarted) for result in results) == 3, results
    assert sum(isinstance(result, DiscountInvalid) for result in results) == 7, results
    assert await _count(Order, col(Order.discount_code_id) == discount_id, Order.amount == 900) == 3
    assert await _count(Order) == 3
    assert (await _discount(discount_id)).redemptions == 3


async def test_an_abandoned_checkout_gives_its_redemption_back_and_a_late_payment_takes_it_again() -> None:
    made, token = await _creator({"price_amount": 1000})
    discount_id = await _code(token, "ONCE", "percent", "50", max_redemptions="1")
    first = await _start(made.products[0], code="ONCE", key="abandon-key-0001")
    with pytest.raises(DiscountInvalid, match="fully redeemed"):
        await _start(made.products[0], code="ONCE", key="abandon-key-0009")
    async with db.transaction() as session:
        abandoned = (await session.exec(select(Order).where(Order.public_id == first.order_public_id))).one()
        abandoned.expires_at = utc_now() - timedelta(minutes=1)
        session.add(abandoned)

    assert await checkout.expire_abandoned_orders() == 1

    assert (await _order(first.order_public_id)).status == OrderStatus.EXPIRED
    assert (await _discount(discount_id)).redemptions == 0
    second = await _start(made.products[0], code="ONCE", key="abandon-key-0002")
    assert (await _order(second.order_public_id)).amount == 500
    assert (await _discount(discount_id)).redemptions == 1

    # The first buyer's payment arrives after all: it was taken at the discounted price, so it counts.
    async with db.transaction() as session:
        late = (
            await session.exec(select(Order).where(Order.public_id == first.order_public_id).with_for_update())
        ).one()
        assert await checkout.fulfill_paid_order(session, late, provider_fee=0, cause="late payment")
    assert (await _order(first.order_public_id)).status == OrderStatus.PAID
    assert (await _discount(discount_id)).redemptions == 2
