"""The creator's orders dashboard: filtered pages, one order's timeline, the CSV export, and isolation."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.models import Entitlement, Order, OrderEvent, PaymentAttempt, Product, ProductFile, Refund
from creatorly.models.enums import OrderStatus
from creatorly.services.accounts import service as accounts
from creatorly.services.accounts.schemas import SignedIn
from creatorly.services.creators.service import NotACreator
from creatorly.services.orders import dashboard
from creatorly.services.orders.dashboard import DownloadUse, OrderRow, TimelineItem
from creatorly.services.orders.service import OrderNotFound
from creatorly.services.orders.status_labels import order_status_label
from tests.accounts import PASSWORD, new_requester, signed_up_and_verified
from tests.factories import make_creator, new_product

HOUR = timedelta(hours=1)


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)


async def _creator(title: str = "Field Notes") -> tuple[Product, str]:
    made = await make_creator(products=[new_product(title=title)])
    signed_in = await accounts.sign_in(email=made.email, password=PASSWORD, requester=new_requester())
    assert isinstance(signed_in, SignedIn)
    return made.products[0], signed_in.session_token


async def _order(
    product: Product,
    public_id: str,
    *,
    email: str,
    status: OrderStatus,
    day: int,
    amount: int = 1200,
    refunded: int = 0,
    expires_at: datetime | None = None,
) -> Order:
    assert product.id is not None
    async with db.transaction() as session:
        order = Order(
            public_id=public_id,
            creator_id=product.creator_id,
            product_id=product.id,
            buyer_email=email,
            amount=amount,
            refunded_amount=refunded,
            currency="USD",
            status=status,
            provider_reference=f"pay_{public_id}",
            created_at=_at(day),
            paid_at=_at(day, 13) if status != OrderStatus.PENDING else None,
            expires_at=expires_at,
        )
        session.add(order)
    return order


def _row(order: Order, title: str, amount: str, refunded: str = "") -> OrderRow:
    return OrderRow(
        public_id=order.public_id,
        created_at=order.created_at,
        product_title=title,
        buyer_email=order.buyer_email,
        amount_label=amount,
        refunded_label=refunded,
        status=str(order.status),
        status_label=order_status_label(order.status),
    )


async def test_the_list_filters_by_status_and_by_buyer_or_order_id_newest_first() -> None:
    product, token = await _creator()
    paid = await _order(product, "ord_paid0001", email="ada@example.com", status=OrderStatus.PAID, day=1)
    refunded = await _order(
        product, "ord_refd0002", email="Bob@Example.com", status=OrderStatus.REFUNDED, day=2, refunded=1200
    )
    pending = await _order(product, "ord_pend0003", email="cy@example.com", status=OrderStatus.PENDING, day=3)

    everything = await dashboard.list_orders(session_token=token, status=None)
    only_paid = await dashboard.list_orders(session_token=token, status="paid")
    by_email = await dashboard.list_orders(session_token=token, status=None, text="  bob@EXAMPLE ")
    by_id = await dashboard.list_orders(session_token=token, status=None, text="pend00")
    second_page = await dashboard.list_orders(session_token=token, status=None, page=2, page_size=2)

    assert everything.items == [
        _row(pending, "Field Notes", "$12.00"),
        _row(refunded, "Field Notes", "$12.00", "$12.00"),
        _row(paid, "Field Notes", "$12.00"),
    ]
    assert (everything.total, everything.page, everything.page_count) == (3, 1, 1)
    assert [item.public_id for item in only_paid.items] == ["ord_paid0001"]
    assert [item.public_id for item in by_email.items] == ["ord_refd0002"]
    assert [item.public_id for item in by_id.items] == ["ord_pend0003"]
    assert [item.public_id for item in second_page.items] == ["ord_paid0001"]
    assert (second_page.total, second_page.page, second_page.page_count) == (3, 2, 2)


async def test_an_unpaid_checkout_past_its_expiry_reads_as_abandoned_before_any_sweep() -> None:
    product, token = await _creator()
    now = datetime.now(UTC)
    waiting = await _order(
        product, "ord_wait0001", email="ada@example.com", status=OrderStatus.PENDING, day=1, expires_at=now + HOUR
    )
    await _order(
        product, "ord_late0002", email="bob@example.com", status=OrderStatus.PENDING, day=2, expires_at=now - HOUR
    )

    everything = await dashboard.list_orders(session_token=token, status=None)
    awaiting = await dashboard.list_orders(session_token=token, status="pending")
    abandoned = await dashboard.list_orders(session_token=token, status="expired")
    detail = await dashboard.order_detail(session_token=token, order_public_id="ord_late0002")
    text = await dashboard.export_orders_csv(session_token=token)

    assert [(item.public_id, item.status_label) for item in everything.items] == [
        ("ord_late0002", "Abandoned"),
        ("ord_wait0001", "Awaiting payment"),
    ]
    assert ([item.public_id for item in awaiting.items], awaiting.total) == ([waiting.public_id], 1)
    assert ([item.public_id for item in abandoned.items], abandoned.total) == (["ord_late0002"], 1)
    assert (detail.status, detail.status_label) == ("expired", "Abandoned")
    assert [line.rsplit(",", 1)[1] for line in text.splitlines()[1:]] == ["expired", "pending"]


async def test_an_unknown_status_filter_is_refused() -> None:
    _, token = await _creator()

    with pytest.raises(InvalidInput):
        await dashboard.list_orders(session_token=token, status="stolen")


async def test_the_detail_shows_a_timeline_downloads_and_what_is_left_to_refund() -> None:
    product, token = await _creator()
    order = await _order(
        product, "ord_detail01", email="ada@example.com", status=OrderStatus.PARTIALLY_REFUNDED, day=5, refunded=300
    )
    async with db.transaction() as session:
        item = ProductFile(
            product_id=product.id,
            storage_key="files/x.pdf",
            original_name="guide.pdf",
            content_type="application/pdf",
            size_bytes=10,
            sha256="0" * 64,
        )
        session.add(item)
        await session.flush()
        assert order.id is not None and item.id is not None
        session.add_all(
            [
                OrderEvent(
                    order_id=order.id,
                    from_status="created",
                    to_status="pending",
                    cause="checkout started",
                    created_at=_at(5, 12),
                ),
                PaymentAttempt(
                    order_id=order.id, provider="sandbox", action="create_payment", outcome="ok", created_at=_at(5, 13)
                ),
                OrderEvent(
                    order_id=order.id,
                    from_status="pending",
                    to_status="paid",
                    cause="payment.succeeded evt_1",
                    created_at=_at(5, 14),
                ),
                Refund(
                    order_id=order.id,
                    amount=300,
                    status="succeeded",
                    idempotency_key="refund-ord_detail01-1",
                    created_at=_at(5, 15),
                    updated_at=_at(5, 16),
                ),
                Refund(
                    order_id=order.id,
                    amount=200,
                    status="requested",
                    idempotency_key="refund-ord_detail01-2",
                    created_at=_at(5, 17),
                    updated_at=_at(5, 17),
                ),
                Entitlement(
                    order_id=order.id, product_file_id=item.id, download_count=2, download_limit=5, expires_at=_at(30)
                ),
            ]
        )

    detail = await dashboard.order_detail(session_token=token, order_public_id=" ord_detail01 ")

    assert (detail.public_id, detail.status, detail.product_title, detail.buyer_email) == (
        "ord_detail01",
        "partially_refunded",
        "Field Notes",
        "ada@example.com",
    )
    assert (detail.amount_label, detail.refunded_label) == ("$12.00", "$3.00")
    assert (detail.refundable_amount, detail.refundable_amount_label) == (700, "$7.00")
    assert detail.timeline == [
        TimelineItem(_at(5, 12), "Order created"),
        TimelineItem(_at(5, 12), "Checkout started → Awaiting payment (checkout started)"),
        TimelineItem(_at(5, 13), "Payment started at the provider: ok"),
        TimelineItem(_at(5, 14), "Awaiting payment → Paid (payment.succeeded evt_1)"),
        TimelineItem(_at(5, 15), "Refund of $3.00 requested"),
        TimelineItem(_at(5, 16), "Refund of $3.00 succeeded"),
        TimelineItem(_at(5, 17), "Refund of $2.00 requested"),
    ]
    assert detail.downloads == [DownloadUse(file_name="guide.pdf", used=2, limit=5, is_revoked=False)]


async def test_the_csv_export_is_exact_and_safe_in_a_spreadsheet() -> None:
    product, token = await _creator(title='=HYPERLINK("http://x")')
    await _order(product, "ord_csv00001", email="ada@example.com", status=OrderStatus.PAID, day=1, amount=999)
    await _order(
        product, "ord_csv00002", email="bob@example.com", status=OrderStatus.PARTIALLY_REFUNDED, day=2, refunded=250
    )

    text = await dashboard.export_orders_csv(session_token=token)

    assert text == (
        "order,created_at,product,buyer_email,amount,refunded,currency,status\r\n"
        'ord_csv00002,2026-03-02T12:00:00Z,"\'=HYPERLINK(""http://x"")",bob@example.com,12.00,2.50,USD,'
        "partially_refunded\r\n"
        'ord_csv00001,2026-03-01T12:00:00Z,"\'=HYPERLINK(""http://x"")",ada@example.com,9.99,0.00,USD,paid\r\n'
    )


async def test_a_creator_sees_only_their_own_orders() -> None:
    product, token = await _creator()
    other_product, other_token = await _creator()
    await _order(product, "ord_mine0001", email="ada@example.com", status=OrderStatus.PAID, day=1)
    await _order(other_product, "ord_them0001", email="bob@example.com", status=OrderStatus.PAID, day=1)

    mine = await dashboard.list_orders(session_token=token, status=None)
    searched = await dashboard.list_orders(session_token=token, status=None, text="ord_them")
    exported = await dashboard.export_orders_csv(session_token=token)

    assert [item.public_id for item in mine.items] == ["ord_mine0001"]
    assert searched.items == [] and searched.total == 0
    assert "ord_them0001" not in exported and "bob@example.com" not in exported
    with pytest.raises(OrderNotFound):
        await dashboard.order_detail(session_token=token, order_public_id="ord_them0001")
    with pytest.raises(OrderNotFound):
        await dashboard.order_detail(session_token=other_token, order_public_id="ord_mine0001")


async def test_a_user_without_a_storefront_has_no_orders_page() -> None:
    fan = await signed_up_and_verified(f"fan-{secrets.token_hex(3)}@example.com")

    with pytest.raises(NotACreator):
        await dashboard.list_orders(session_token=fan.session_token, status=None)
