"""The creator's side of orders: a filtered, paged list, one order's history, and a CSV export."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.errors import InvalidInput
from creatorly.kit.clock import as_utc, utc_now
from creatorly.kit.csvfile import csv_text, decimal_text, iso_utc
from creatorly.kit.money import format_money
from creatorly.models import Order, OrderEvent, PaymentAttempt, Refund
from creatorly.models.enums import OrderStatus
from creatorly.services.accounts.authorization import require_user
from creatorly.services.creators import service as creators
from creatorly.services.orders import dashboard_repository as repository
from creatorly.services.orders import service as orders
from creatorly.services.orders.status_labels import order_status_label, shown_status
from creatorly.services.refunds import service as refunds

MAX_PAGE_SIZE = 200
MAX_SEARCH_LENGTH = 320
CSV_HEADER = ("order", "created_at", "product", "buyer_email", "amount", "refunded", "currency", "status")
_ACTION_LABELS = {
    "create_payment": "Payment started at the provider",
    "payment.succeeded": "Payment succeeded",
    "payment.failed": "Payment failed",
    refunds.REFUND_ACTION: "Refund sent to the provider",
    "refund.succeeded": "Refund confirmed by the provider",
}


@dataclass(frozen=True, slots=True)
class OrderRow:
    public_id: str
    created_at: datetime
    product_title: str
    buyer_email: str
    amount_label: str
    refunded_label: str
    status: str
    status_label: str


@dataclass(frozen=True, slots=True)
class OrderPage:
    items: list[OrderRow]
    total: int
    page: int
    page_count: int


@dataclass(frozen=True, slots=True)
class TimelineItem:
    at: datetime
    label: str


@dataclass(frozen=True, slots=True)
class DownloadUse:
    file_name: str
    used: int
    limit: int
    is_revoked: bool


@dataclass(frozen=True, slots=True)
class OrderDetail:
    public_id: str
    status: str
    status_label: str
    product_title: str
    buyer_email: str
    amount_label: str
    refunded_label: str
    refundable_amount: int
    refundable_amount_label: str
    currency: str
    created_at: datetime
    paid_at: datetime | None
    timeline: list[TimelineItem] = field(default_factory=list)
    downloads: list[DownloadUse] = field(default_factory=list)


async def list_orders(
    *, session_token: str, status: str | None, text: str = "", page: int = 1, page_size: int = 50
) -> OrderPage:
    """One page of the signed-in creator's orders, newest first, by status and by buyer email or order id."""
    user = await require_user(session_token)
    wanted = _checked_status(status)
    search = text.strip()[:MAX_SEARCH_LENGTH]
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"Pages start at 1 and hold 1 to {MAX_PAGE_SIZE} orders.", field="page")
    async with db.transaction() as session:
        creator_id = await _creator_id_of(session, user.id)
        now = utc_now()
        total = await repository.count_of_creator(session, creator_id, status=wanted, text=search, now=now)
        rows = await repository.page_of_creator(
            session, creator_id, now=now, status=wanted, text=search, offset=(page - 1) * page_size, limit=page_size
        )
    return OrderPage(
        items=[_row(order, title, now) for order, title in rows],
        total=total,
        page=page,
        page_count=max(1, math.ceil(total / page_size)),
    )


async def order_detail(*, session_token: str, order_public_id: str) -> OrderDetail:
    """One of the creator's orders with its history and download use; anyone else's order is not found."""
    user = await require_user(session_token)
    async with db.transaction() as session:
        creator_id = await _creator_id_of(session, user.id)
        found = await repository.order_of_creator(session, creator_id, order_public_id.strip())
        if found is None:
            raise orders.OrderNotFound()
        order, title = found
        assert order.id is not None
        events = await orders.events_of(session, order.id)
        attempts = await repository.attempts_of(session, order.id)
        order_refunds = await refunds.refunds_of(session, order.id)
        entitlements = await repository.entitlements_with_file_names(session, order.id)
    refundable = _refundable(order, order_refunds)
    status = shown_status(order.status, order.expires_at, utc_now())
    return OrderDetail(
        public_id=order.public_id,
        status=str(status),
        status_label=order_status_label(status),
        product_title=title,
        buyer_email=order.buyer_email,
        amount_label=format_money(order.amount, order.currency),
        refunded_label=format_money(order.refunded_amount, order.currency),
        refundable_amount=refundable,
        refundable_amount_label=format_money(refundable, order.currency),
        currency=order.currency,
        created_at=order.created_at,
        paid_at=order.paid_at,
        timeline=_timeline(order, events, attempts, order_refunds),
        downloads=[
            DownloadUse(
                file_name=name,
                used=entitlement.download_count,
                limit=entitlement.download_limit,
                is_revoked=entitlement.revoked_at is not None,
            )
            for entitlement, name in entitlements
        ],
    )


async def export_orders_csv(*, session_token: str) -> str:
    """Every order of the signed-in creator as CSV, newest first, safe to open in a spreadsheet."""
    user = await require_user(session_token)
    async with db.transaction() as session:
        now = utc_now()
        rows = await repository.page_of_creator(session, await _creator_id_of(session, user.id), now=now)
    return csv_text(CSV_HEADER, (_csv_row(order, title, now) for order, title in rows))


async def _creator_id_of(session: AsyncSession, user_id: int) -> int:
    creator = await creators.creator_of(session, user_id)
    assert creator.id is not None
    return creator.id


def _checked_status(status: str | None) -> OrderStatus | None:
    if status is None or status == "":
        return None
    try:
        return OrderStatus(status)
    except ValueError:
        raise InvalidInput("Choose one of the order statuses.", field="status") from None


def _row(order: Order, title: str, now: datetime) -> OrderRow:
    status = shown_status(order.status, order.expires_at, now)
    return OrderRow(
        public_id=order.public_id,
        created_at=as_utc(order.created_at),
        product_title=title,
        buyer_email=order.buyer_email,
        amount_label=format_money(order.amount, order.currency),
        refunded_label=format_money(order.refunded_amount, order.currency) if order.refunded_amount else "",
        status=str(status),
        status_label=order_status_label(status),
    )


def _refundable(order: Order, order_refunds: Sequence[Refund]) -> int:
    if order.status not in refunds.REFUNDABLE_STATUSES or order.provider_reference is None:
        return 0
    pending = sum(refund.amount for refund in order_refunds if refund.status == refunds.REQUESTED)
    return max(0, order.amount - order.refunded_amount - pending)


def _timeline(
    order: Order, events: Sequence[OrderEvent], attempts: Sequence[PaymentAttempt], order_refunds: Sequence[Refund]
) -> list[TimelineItem]:
    """Status changes, provider calls and refunds of the order, oldest first."""
    items = [TimelineItem(at=as_utc(order.created_at), label="Order created")]
    items += [_event_item(event) for event in events]
    items += [_attempt_item(attempt) for attempt in attempts]
    for refund in order_refunds:
        amount = format_money(refund.amount, order.currency)
        items.append(TimelineItem(at=as_utc(refund.created_at), label=f"Refund of {amount} requested"))
        if refund.status != refunds.REQUESTED:
            items.append(TimelineItem(at=as_utc(refund.updated_at), label=f"Refund of {amount} {refund.status}"))
    return sorted(items, key=lambda item: item.at)


def _event_item(event: OrderEvent) -> TimelineItem:
    return TimelineItem(
        at=as_utc(event.created_at),
        label=f"{order_status_label(event.from_status)} → {order_status_label(event.to_status)} ({event.cause})",
    )


def _attempt_item(attempt: PaymentAttempt) -> TimelineItem:
    label = _ACTION_LABELS.get(attempt.action, attempt.action)
    return TimelineItem(at=as_utc(attempt.created_at), label=f"{label}: {attempt.outcome}")


def _csv_row(order: Order, title: str, now: datetime) -> list[str]:
    return [
        order.public_id,
        iso_utc(order.created_at),
        title,
        order.buyer_email,
        decimal_text(order.amount, order.currency),
        decimal_text(order.refunded_amount, order.currency),
        order.currency,
        str(shown_status(order.status, order.expires_at, now)),
    ]
