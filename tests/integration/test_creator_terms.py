"""Per-creator platform fee and hold period: set by an admin, applied when a paid order posts to the ledger."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from creatorly import db
from creatorly.cli import main
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import as_utc
from creatorly.models import Creator, Order, Product
from creatorly.models.enums import OrderStatus
from creatorly.services.checkout import service as checkout
from creatorly.services.creators import service as creators
from creatorly.services.creators.service import SaleTerms
from creatorly.services.ledger import service as ledger
from tests.factories import make_creator, new_product

GROSS = 2000
PROVIDER_FEE = 88


async def _product() -> Product:
    made = await make_creator(products=[new_product(price_amount=GROSS)])
    return made.products[0]


async def _handle(product: Product) -> str:
    async with db.transaction() as session:
        creator = await session.get(Creator, product.creator_id)
        assert creator is not None
        return creator.handle


async def _creator(product: Product) -> Creator:
    async with db.transaction() as session:
        creator = await session.get(Creator, product.creator_id)
        assert creator is not None
        return creator


async def _pay(product: Product) -> Order:
    """A pending order for the product, fulfilled as the payment webhook does, inside one transaction."""
    assert product.id is not None
    async with db.transaction() as session:
        order = Order(
            public_id=f"ord_{secrets.token_hex(8)}",
            creator_id=product.creator_id,
            product_id=product.id,
            buyer_email="fan@example.com",
            amount=GROSS,
            currency="USD",
            status=OrderStatus.PENDING,
        )
        session.add(order)
        await session.flush()
        assert await checkout.fulfill_paid_order(session, order, provider_fee=PROVIDER_FEE, cause="test payment")
    return order


async def _entries(order: Order) -> list[tuple[str, int, str]]:
    assert order.id is not None
    async with db.transaction() as session:
        entries = await ledger.entries_of_order(session, order.id)
    return [(entry.account, entry.amount, entry.memo) for entry in entries]


async def _earnings_available_at(order: Order, creator_id: int) -> datetime:
    assert order.id is not None
    async with db.transaction() as session:
        entries = await ledger.entries_of_order(session, order.id)
    [earnings] = [entry for entry in entries if entry.account == f"creator:{creator_id}:earnings"]
    assert earnings.available_at is not None
    return as_utc(earnings.available_at)


async def _paid_at(order: Order) -> datetime:
    async with db.transaction() as session:
        row = (await session.exec(select(Order).where(Order.public_id == order.public_id))).one()
    assert row.paid_at is not None
    return as_utc(row.paid_at)


# --- Applied at sale --------------------------------------------------------------------------------


async def test_a_creator_with_5_percent_and_1_day_hold_pays_5_percent_available_a_day_later() -> None:
    product = await _product()
    await creators.set_creator_terms(handle=await _handle(product), platform_fee_percent=Decimal(5), hold_period_days=1)

    order = await _pay(product)

    creator_id = product.creator_id
    assert await _entries(order) == [
        ("provider:sandbox:clearing", GROSS, "gross"),
        ("provider:sandbox:clearing", -PROVIDER_FEE, "provider fee"),
        ("platform:revenue", -100, "platform fee"),  # 5 % of 2000
        (f"creator:{creator_id}:earnings", -(GROSS - PROVIDER_FEE - 100), "creator earnings"),
    ]
    assert await _earnings_available_at(order, creator_id) == await _paid_at(order) + timedelta(days=1)


async def test_a_fractional_fee_is_rounded_half_up_on_the_gross() -> None:
    product = await _product()
    await creators.set_creator_terms(
        handle=await _handle(product), platform_fee_percent=Decimal("2.25"), hold_period_days=0
    )

    order = await _pay(product)

    assert ("platform:revenue", -45, "platform fee") in await _entries(order)  # 2.25 % of 2000
    assert await _earnings_available_at(order, product.creator_id) == await _paid_at(order)


async def test_without_terms_the_platform_defaults_apply() -> None:
    product = await _product()

    order = await _pay(product)

    expected_fee = int(GROSS * settings.platform_fee_percent / 100)
    assert ("platform:revenue", -expected_fee, "platform fee") in await _entries(order)
    assert await _earnings_available_at(order, product.creator_id) == await _paid_at(order) + timedelta(
        days=settings.hold_period_days
    )


async def test_sale_terms_resolve_each_default_separately() -> None:
    product = await _product()
    handle = await _handle(product)

    await creators.set_creator_terms(handle=handle, platform_fee_percent=Decimal("7.5"), hold_period_days=None)
    async with db.transaction() as session:
        only_fee = await creators.sale_terms(session, product.creator_id)
    await creators.set_creator_terms(handle=handle, platform_fee_percent=None, hold_period_days=30)
    async with db.transaction() as session:
        only_hold = await creators.sale_terms(session, product.creator_id)

    assert only_fee == SaleTerms(platform_fee_percent=Decimal("7.5"), hold_days=settings.hold_period_days)
    assert only_hold == SaleTerms(platform_fee_percent=settings.platform_fee_percent, hold_days=30)
    creator = await _creator(product)
    assert (creator.platform_fee_percent, creator.hold_period_days) == (None, 30)


# --- Refused values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee", "hold", "field"),
    [
        (Decimal("50.01"), 7, "platform_fee_percent"),
        (Decimal(-1), 7, "platform_fee_percent"),
        (Decimal("5.125"), 7, "platform_fee_percent"),
        (Decimal("NaN"), 7, "platform_fee_percent"),
        (Decimal(5), 91, "hold_period_days"),
        (Decimal(5), -1, "hold_period_days"),
    ],
)
async def test_out_of_range_terms_are_refused_and_nothing_changes(fee: Decimal, hold: int, field: str) -> None:
    product = await _product()

    with pytest.raises(InvalidInput) as refused:
        await creators.set_creator_terms(handle=await _handle(product), platform_fee_percent=fee, hold_period_days=hold)

    assert refused.value.field == field
    creator = await _creator(product)
    assert (creator.platform_fee_percent, creator.hold_period_days) == (None, None)


async def test_the_edges_are_allowed() -> None:
    product = await _product()

    await creators.set_creator_terms(
        handle=await _handle(product), platform_fee_percent=Decimal("50.00"), hold_period_days=90
    )

    creator = await _creator(product)
    assert (creator.platform_fee_percent, creator.hold_period_days) == (Decimal(50), 90)


async def test_an_unknown_handle_is_not_found() -> None:
    with pytest.raises(NotFound):
        await creators.set_creator_terms(handle="nobody-here", platform_fee_percent=Decimal(5), hold_period_days=1)


# --- The admin command ------------------------------------------------------------------------------


async def _cli(*arguments: str) -> Result:
    # The command runs its own event loop (asyncio.run): give it a thread of its own.
    return await asyncio.to_thread(CliRunner().invoke, main, ["admin", "set-terms", *arguments])


async def test_the_command_sets_both_terms_and_says_so() -> None:
    product = await _product()
    handle = await _handle(product)

    result = await _cli(handle, "--fee", "5", "--hold-days", "1")

    assert result.exit_code == 0, result.output
    assert result.output == f"Set terms for {handle}: platform fee 5%, hold period 1 days.\n"
    creator = await _creator(product)
    assert (creator.platform_fee_percent, creator.hold_period_days) == (Decimal(5), 1)


async def test_the_command_keeps_what_is_not_given_and_resets_to_defaults() -> None:
    product = await _product()
    handle = await _handle(product)
    assert (await _cli(handle, "--fee", "5.5", "--hold-days", "3")).exit_code == 0

    fee_only = await _cli(handle, "--default-fee")
    after_fee = await _creator(product)
    hold_only = await _cli(handle, "--default-hold")
    after_hold = await _creator(product)

    assert fee_only.exit_code == 0, fee_only.output
    assert (after_fee.platform_fee_percent, after_fee.hold_period_days) == (None, 3)
    assert f"platform fee {settings.platform_fee_percent}% (platform default), hold period 3 days" in fee_only.output
    assert hold_only.exit_code == 0, hold_only.output
    assert (after_hold.platform_fee_percent, after_hold.hold_period_days) == (None, None)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--fee", "60", "--hold-days", "1"], "between 0 and 50"),
        (["--fee", "abc"], "is not a number"),
        (["--fee", "5", "--default-fee"], "not both"),
        (["--hold-days", "1", "--default-hold"], "not both"),
        ([], "Nothing to set"),
    ],
)
async def test_the_command_refuses_bad_options_and_writes_nothing(arguments: list[str], message: str) -> None:
    product = await _product()

    result = await _cli(await _handle(product), *arguments)

    assert result.exit_code != 0
    assert message in result.output
    creator = await _creator(product)
    assert (creator.platform_fee_percent, creator.hold_period_days) == (None, None)


async def test_the_command_reports_an_unknown_handle() -> None:
    result = await _cli("nobody-here", "--fee", "5")

    assert result.exit_code == 1
    assert "No creator has that handle." in result.output
