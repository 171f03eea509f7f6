"""Monthly statements and CSV exports, read from the ledger a real checkout and refund wrote."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import col, select, update

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.kit.clock import utc_now
from creatorly.models import LedgerTransaction, Order, Payout, PayoutAccount
from creatorly.models.enums import OrderStatus, PaymentProviderName
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.checkout import service as checkout
from creatorly.services.ledger import service as ledger
from creatorly.services.statements import service as statements
from tests.accounts import PASSWORD, new_requester
from tests.factories import make_creator, new_product


async def _creator_with_sale(amount: int = 2000) -> tuple[int, str, Order]:
    made = await make_creator(products=[new_product(price_amount=amount)])
    [product] = made.products
    assert product.id is not None and made.creator.id is not None
    async with db.transaction() as session:
        order = Order(
            public_id=f"ord_{secrets.token_hex(10)}",
            creator_id=made.creator.id,
            product_id=product.id,
            buyer_email="fan@example.com",
            amount=amount,
            currency="USD",
            status=OrderStatus.PENDING,
            provider=PaymentProviderName.SANDBOX,
            provider_reference=f"sbx_{secrets.token_hex(6)}",
        )
        session.add(order)
        await session.flush()
        await checkout.fulfill_paid_order(session, order, provider_fee=88, cause="test payment")
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return made.creator.id, signed_in.session_token, order


def _this_month() -> str:
    return utc_now().strftime("%Y-%m")


async def test_a_month_with_a_sale_and_a_refund_adds_up_to_the_ledger() -> None:
    creator_id, token, order = await _creator_with_sale()
    assert order.id is not None
    async with db.transaction() as session:
        await ledger.post_refund(session, order_id=order.id, refund_reference="r1", amount=500)

    statement = await statements.monthly_statement(session_token=token, month=_this_month())

    [usd] = statement.currencies
    # 20.00 gross, 0.88 provider fee, 2.00 platform fee (10 %) → 17.12; a 5.00 refund takes back 4.50 net.
    assert (usd.opening, usd.sales, usd.refunds, usd.payouts) == (0, 2000, 500, 0)
    assert usd.fees == 288 - 50
    assert usd.closing == 1712 - 450
    async with db.transaction() as session:
        assert usd.closing == -await ledger.balance(session, f"creator:{creator_id}:earnings", "USD")
    assert [line.label for line in usd.lines] == ["Sale", "Refund"]
    assert usd.lines[0].description == usd.lines[1].description
    assert usd.lines[0].description.endswith(f" · {order.public_id}")
    assert usd.labels["closing"] == "$12.62"


async def test_last_months_earnings_are_this_months_opening_balance() -> None:
    creator_id, token, _ = await _creator_with_sale()
    async with db.transaction() as session:
        await session.exec(
            update(LedgerTransaction)
            .where(col(LedgerTransaction.creator_id) == creator_id)
            .values(created_at=utc_now() - timedelta(days=40))
        )

    statement = await statements.monthly_statement(session_token=token, month=_this_month())

    [usd] = statement.currencies
    assert (usd.opening, usd.closing, usd.lines) == (1712, 1712, [])
    assert _this_month() in await statements.statement_months(session_token=token)


async def test_the_pdf_statement_carries_the_same_figures() -> None:
    _, token, _ = await _creator_with_sale()

    document = await statements.statement_pdf(session_token=token, month=_this_month())

    assert document.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert "Creatorly earnings statement" in text
    assert "20.00" in text and "17.12 USD" in text


async def test_exports_list_only_the_creators_own_entries_and_payouts() -> None:
    creator_id, token, _ = await _creator_with_sale()
    other_id, other_token, _ = await _creator_with_sale(amount=3000)
    async with db.transaction() as session:
        account = PayoutAccount(
            public_id=f"pa_{secrets.token_hex(6)}",
            creator_id=creator_id,
            kind="bank",
            currency="USD",
            holder_name="Mira",
            account_last4="6789",
            account_number_encrypted="x",
            is_default=True,
        )
        session.add(account)
        await session.flush()
        assert account.id is not None
        session.add(
            Payout(
                public_id=f"po_{secrets.token_hex(6)}",
                creator_id=creator_id,
                payout_account_id=account.id,
                amount=1500,
                currency="USD",
                provider="sandbox",
            )
        )

    ledger_rows = list(csv.DictReader(io.StringIO(await statements.ledger_csv(session_token=token))))
    payout_rows = list(csv.DictReader(io.StringIO(await statements.payouts_csv(session_token=token))))
    other_payouts = list(csv.DictReader(io.StringIO(await statements.payouts_csv(session_token=other_token))))

    assert [(row["kind"], row["account"], row["amount"]) for row in ledger_rows] == [("sale", "earnings", "17.12")]
    assert [(row["amount"], row["account"], row["status"]) for row in payout_rows] == [
        ("15.00", "Bank ····6789", "pending")
    ]
    assert other_payouts == []
    async with db.transaction() as session:
        assert (await session.exec(select(Payout).where(Payout.creator_id == other_id))).all() == []


@pytest.mark.parametrize("month", ["2026-13", "26-01", "1999-01", "x"])
async def test_a_bad_month_is_refused(month: str) -> None:
    _, token, _ = await _creator_with_sale()
    with pytest.raises(InvalidInput):
        await statements.monthly_statement(session_token=token, month=month)
