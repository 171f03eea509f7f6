"""Builders for payout tests: a creator with paid sales through the real checkout code, and row counts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import SQLModel, select

from creatorly import db
from creatorly.models import LedgerEntry, LedgerTransaction, Order, Payout, PayoutEvent, Product
from creatorly.models.enums import OrderStatus
from creatorly.services.checkout import service as checkout
from creatorly.services.creators import service as creators
from creatorly.services.ledger import service as ledger
from creatorly.services.payouts import accounts
from creatorly.services.payouts.schemas import PayoutAccountForm, PayoutAccountView
from tests.factories import make_creator, new_product

PROVIDER_FEE = 88
PLATFORM_FEE_PERCENT = Decimal(10)
US_BANK = PayoutAccountForm(
    kind="bank",
    currency="USD",
    country="US",
    holder_name="Ada Lovelace",
    routing_code="110000000",
    account_number="000123456789",
)


def net_of(gross: int) -> int:
    """What the creator earns of a sale: the gross less the provider fee and the 10% platform fee."""
    return gross - PROVIDER_FEE - gross // 10


@dataclass(frozen=True)
class Seller:
    creator_id: int
    handle: str
    product: Product
    email: str


async def make_seller(*, hold_days: int = 0, currency: str = "USD") -> Seller:
    """A creator with one product, a 10% fee and the given hold period."""
    made = await make_creator(products=[new_product(price_amount=2000, currency=currency)])
    creator, product = made.creator, made.products[0]
    assert creator.id is not None
    await creators.set_creator_terms(
        handle=creator.handle, platform_fee_percent=PLATFORM_FEE_PERCENT, hold_period_days=hold_days
    )
    return Seller(creator_id=creator.id, handle=creator.handle, product=product, email=made.email)


async def sell(seller: Seller, gross: int = 2000) -> Order:
    """A pending order of `gross`, fulfilled as the payment webhook does (ledger posting included)."""
    product = seller.product
    assert product.id is not None
    async with db.transaction() as session:
        order = Order(
            public_id=f"ord_{secrets.token_hex(8)}",
            creator_id=product.creator_id,
            product_id=product.id,
            buyer_email="fan@example.com",
            amount=gross,
            currency=product.currency,
            status=OrderStatus.PENDING,
        )
        session.add(order)
        await session.flush()
        assert await checkout.fulfill_paid_order(session, order, provider_fee=PROVIDER_FEE, cause="test payment")
    return order


async def refund(order: Order, amount: int, reference: str = "re_1") -> None:
    assert order.id is not None
    async with db.transaction() as session:
        await ledger.post_refund(session, order_id=order.id, refund_reference=reference, amount=amount)


async def add_us_bank(seller: Seller, **overrides: object) -> PayoutAccountView:
    return await accounts.add_payout_account(seller.creator_id, replace(US_BANK, **overrides))  # type: ignore[arg-type]


async def count(model: type[SQLModel]) -> int:
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def payout_rows() -> tuple[int, int, int, int]:
    """Payouts, payout events, ledger transactions and ledger entries: what a refusal must not change."""
    return (await count(Payout), await count(PayoutEvent), await count(LedgerTransaction), await count(LedgerEntry))


async def trial_balance() -> dict[str, int]:
    async with db.transaction() as session:
        return await ledger.trial_balance(session)
