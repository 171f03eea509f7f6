"""Admin reads (two-factor admins only): search creators, products and orders, and each one's detail page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from creatorly import db
from creatorly.config import settings
from creatorly.errors import InvalidInput, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.money import format_money
from creatorly.models import Creator, Order, Post, Product, Refund
from creatorly.models.enums import OrderKind, OrderStatus, ProductStatus
from creatorly.services.admin import catalog_repository as repository
from creatorly.services.admin.access import admin_actor
from creatorly.services.admin.catalog_schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AmountLine,
    BalanceLine,
    CreatorDetail,
    CreatorRow,
    OrderDetail,
    OrderRow,
    Page,
    PostLine,
    ProductDetail,
    ProductFileLine,
    ProductRow,
    RefundLine,
)
from creatorly.services.catalog.files import size_label
from creatorly.services.catalog.rules import price_label
from creatorly.services.ledger import service as ledger
from creatorly.services.ledger.rules import MEMO_PLATFORM_FEE
from creatorly.services.orders.status_labels import order_status_label
from creatorly.services.refunds import service as refunds

MAX_SEARCH_LENGTH = 100
RECENT_ORDERS = 10
RECENT_POSTS = 20
RECEIPT_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED})


class AdminTargetNotFound(NotFound):
    code = "admin_target_not_found"
    default_message = "Nothing has that id."


def _size(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(f"A page holds 1 to {MAX_PAGE_SIZE} rows.", field="limit")
    return limit


def _search(text: str) -> str:
    return " ".join(text.split())[:MAX_SEARCH_LENGTH]


def _next_cursor(ids: Sequence[int | None], limit: int) -> int | None:
    """Rows are read one past the page: the extra one says there is more, older than the page's last id."""
    return ids[limit - 1] if len(ids) > limit else None


async def list_creators(
    *, session_token: str, text: str = "", before_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> Page[CreatorRow]:
    await admin_actor(session_token=session_token)
    size = _size(limit)
    async with db.transaction() as session:
        rows = await repository.search_creators(session, text=_search(text), before_id=before_id, limit=size + 1)
    items = [_creator_row(creator, address) for creator, address in rows[:size]]
    return Page(items=items, next_cursor=_next_cursor([creator.id for creator, _ in rows], size))


def _creator_row(creator: Creator, address: str) -> CreatorRow:
    assert creator.id is not None
    return CreatorRow(
        id=creator.id,
        handle=creator.handle,
        display_name=creator.display_name,
        email=address,
        is_suspended=creator.suspended_at is not None,
        created_at=creator.created_at,
    )


async def creator_detail(*, session_token: str, creator_id: int) -> CreatorDetail:
    await admin_actor(session_token=session_token)
    async with db.transaction() as session:
        found = await repository.creator_with_email(session, creator_id)
        if found is None:
            raise AdminTargetNotFound("No creator has that id.")
        creator, address = found
        payout_settings = await repository.payout_settings_of(session, creator_id)
        balances = await ledger.balances_of_creator(session, creator_id, now=utc_now())
        product_count = await repository.product_count(session, creator_id)
        recent = await repository.search_orders(
            session, text="", status=None, creator_id=creator_id, before_id=None, limit=RECENT_ORDERS
        )
        posts = await repository.recent_posts(session, creator_id, limit=RECENT_POSTS)
    return CreatorDetail(
        id=creator_id,
        handle=creator.handle,
        display_name=creator.display_name,
        email=address,
        is_suspended=creator.suspended_at is not None,
        suspended_at=creator.suspended_at,
        suspension_reason=creator.suspension_reason,
        platform_fee_label=_fee_label(creator.platform_fee_percent),
        hold_period_label=_hold_label(creator.hold_period_days),
        platform_fee_percent="" if creator.platform_fee_percent is None else str(creator.platform_fee_percent),
        hold_period_days="" if creator.hold_period_days is None else str(creator.hold_period_days),
        is_payout_under_review=payout_settings is not None and payout_settings.under_review,
        payout_review_note=payout_settings.review_note if payout_settings is not None else "",
        product_count=product_count,
        created_at=creator.created_at,
        balances=[
            BalanceLine(
                currency=balance.currency,
                available_label=format_money(balance.available, balance.currency),
                pending_label=format_money(balance.pending, balance.currency),
                in_payout_label=format_money(balance.in_payout, balance.currency),
                paid_out_label=format_money(balance.paid_out, balance.currency),
            )
            for balance in balances
        ],
        recent_orders=[_order_row(*row) for row in recent],
        recent_posts=[_post_line(post, now=utc_now()) for post in posts],
    )


def _post_line(post: Post, *, now: datetime) -> PostLine:
    assert post.id is not None
    if post.hidden_at is not None:
        state = "Hidden"
    elif post.published_at is None:
        state = "Draft"
    else:
        state = "Published" if post.published_at <= now else "Scheduled"
    return PostLine(id=post.id, title=post.title, state=state)


def _fee_label(percent: Decimal | None) -> str:
    return f"{settings.platform_fee_percent}% (platform default)" if percent is None else f"{percent}%"


def _hold_label(days: int | None) -> str:
    return f"{settings.hold_period_days} days (platform default)" if days is None else f"{days} days"


def _item_label(order: Order, title: str | None) -> str:
    if order.kind == OrderKind.TIP:
        return "Tip"
    if order.kind == OrderKind.MEMBERSHIP:
        return "Membership"
    return title or "Product"


def _order_row(order: Order, handle: str, title: str | None) -> OrderRow:
    assert order.id is not None
    return OrderRow(
        id=order.id,
        public_id=order.public_id,
        created_at=order.created_at,
        creator_handle=handle,
        item_label=_item_label(order, title),
        buyer_email=order.buyer_email,
        amount_label=format_money(order.amount, order.currency),
        status=str(order.status),
        status_label=order_status_label(order.status),
    )


def _checked_status(status: str) -> OrderStatus | None:
    if not status:
        return None
    try:
        return OrderStatus(status)
    except ValueError:
        raise InvalidInput("Choose one of the order statuses.", field="status") from None


async def list_orders(
    *,
    session_token: str,
    text: str = "",
    status: str = "",
    before_id: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> Page[OrderRow]:
    await admin_actor(session_token=session_token)
    size, wanted = _size(limit), _checked_status(status)
    async with db.transaction() as session:
        rows = await repository.search_orders(
            session, text=_search(text), status=wanted, creator_id=None, before_id=before_id, limit=size + 1
        )
    items = [_order_row(*row) for row in rows[:size]]
    return Page(items=items, next_cursor=_next_cursor([order.id for order, _, _ in rows], size))


async def order_detail(*, session_token: str, order_id: int) -> OrderDetail:
    await admin_actor(session_token=session_token)
    async with db.transaction() as session:
        found = await repository.order_with_labels(session, order_id)
        if found is None:
            raise AdminTargetNotFound("No order has that id.")
        order, handle, title = found
        order_refunds = await repository.refunds_of(session, order_id)
        entries = await ledger.entries_of_order(session, order_id)
    platform_fee = -sum(entry.amount for entry in entries if entry.memo == MEMO_PLATFORM_FEE and entry.amount < 0)
    refundable = _refundable(order, order_refunds)
    return OrderDetail(
        id=order_id,
        public_id=order.public_id,
        kind=str(order.kind),
        item_label=_item_label(order, title),
        creator_id=order.creator_id,
        creator_handle=handle,
        buyer_email=order.buyer_email,
        status=str(order.status),
        status_label=order_status_label(order.status),
        provider=str(order.provider),
        provider_reference=order.provider_payment_id or order.provider_reference or "",
        created_at=order.created_at,
        paid_at=order.paid_at,
        refundable_amount_label=format_money(refundable, order.currency) if refundable > 0 else "",
        can_resend_receipt=order.kind == OrderKind.PRODUCT and order.status in RECEIPT_STATUSES,
        amounts=_amount_lines(order, platform_fee),
        refunds=[
            RefundLine(
                created_at=refund.created_at,
                amount_label=format_money(refund.amount, order.currency),
                status=refund.status,
                reason=refund.reason,
            )
            for refund in order_refunds
        ],
    )


def _amount_lines(order: Order, platform_fee: int) -> list[AmountLine]:
    money = order.currency
    lines = []
    if order.list_amount is not None and order.list_amount != order.amount:
        lines.append(AmountLine("List price", format_money(order.list_amount, money)))
    lines += [
        AmountLine("Paid by the buyer", format_money(order.amount, money)),
        AmountLine("Payment provider fee", format_money(order.provider_fee, money)),
        AmountLine("Platform fee", format_money(platform_fee, money)),
        AmountLine("Refunded", format_money(order.refunded_amount, money)),
    ]
    return lines


def _refundable(order: Order, order_refunds: Sequence[Refund]) -> int:
    if order.status not in refunds.REFUNDABLE_STATUSES or order.provider_reference is None:
        return 0
    pending = sum(refund.amount for refund in order_refunds if refund.status == refunds.REQUESTED)
    return max(0, order.amount - order.refunded_amount - pending)


async def list_products(
    *, session_token: str, text: str = "", before_id: int | None = None, limit: int = DEFAULT_PAGE_SIZE
) -> Page[ProductRow]:
    await admin_actor(session_token=session_token)
    size = _size(limit)
    async with db.transaction() as session:
        rows = await repository.search_products(session, text=_search(text), before_id=before_id, limit=size + 1)
    items = [_product_row(product, handle) for product, handle in rows[:size]]
    return Page(items=items, next_cursor=_next_cursor([product.id for product, _ in rows], size))


def _product_row(product: Product, handle: str) -> ProductRow:
    assert product.id is not None
    return ProductRow(
        id=product.id,
        title=product.title,
        creator_handle=handle,
        price_label=price_label(product.pricing, product.price_amount, product.currency),
        status=str(product.status),
        sold_count=product.sold_count,
    )


async def product_detail(*, session_token: str, product_id: int) -> ProductDetail:
    await admin_actor(session_token=session_token)
    async with db.transaction() as session:
        found = await repository.product_with_creator(session, product_id)
        if found is None:
            raise AdminTargetNotFound("No product has that id.")
        product, creator = found
        files = await repository.files_of(session, product_id)
        sales = await repository.paid_sales_count(session, product_id)
    assert creator.id is not None
    is_public = product.status == ProductStatus.PUBLISHED and creator.suspended_at is None
    return ProductDetail(
        id=product_id,
        title=product.title,
        slug=product.slug,
        creator_id=creator.id,
        creator_handle=creator.handle,
        creator_name=creator.display_name,
        price_label=price_label(product.pricing, product.price_amount, product.currency),
        status=str(product.status),
        is_published=product.status == ProductStatus.PUBLISHED,
        public_url=f"/{creator.handle}/{product.slug}" if is_public else "",
        sales_count=sales,
        created_at=product.created_at,
        files=[ProductFileLine(file.original_name, file.content_type, size_label(file.size_bytes)) for file in files],
    )
