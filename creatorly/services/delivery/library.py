"""The buyer's library: every order a person made, for a signed-in buyer or through an emailed, timed link.

Asking for a link answers the same whether or not the address has purchases, and the link only ever
lists the orders of the address it was signed for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import CreatorlyError
from creatorly.kit.money import format_money
from creatorly.models import Creator, Order, Product
from creatorly.models.enums import OrderStatus
from creatorly.services.accounts import authorization, limits
from creatorly.services.accounts.rules import validated_email
from creatorly.services.accounts.schemas import Requester
from creatorly.services.delivery.service import DownloadLink, download_links_of_orders, order_page_url
from creatorly.services.email import service as email

LIBRARY_PATH = "/library"
LINK_LIFETIME_SECONDS = 3600
_LIBRARY_SALT = "creatorly-library"
_STATUS_LABELS = {
    OrderStatus.CREATED: "Waiting for payment",
    OrderStatus.PENDING: "Waiting for payment",
    OrderStatus.PAID: "Paid",
    OrderStatus.PARTIALLY_REFUNDED: "Paid (partly refunded)",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.FAILED: "Payment failed",
    OrderStatus.EXPIRED: "Checkout expired",
}


class LibraryLinkInvalid(CreatorlyError):
    code = "library_link_invalid"
    status = 400
    default_message = "This library link is invalid or has expired. Enter your email to get a new one."


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    order_public_id: str
    product_title: str
    creator_name: str
    amount_label: str
    status: str  # an OrderStatus value
    status_label: str
    ordered_at: datetime
    order_url: str
    downloads: list[DownloadLink] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Library:
    email: str
    entries: list[LibraryEntry]


# --- Signed-in buyers ------------------------------------------------------------------------------------


async def list_my_library(*, session_token: str) -> Library:
    """The signed-in person's orders: made while signed in, or to their email once it is verified."""
    user = await authorization.require_user(session_token)
    async with db.transaction() as session:
        entries = await _entries(session, user_id=user.id, email=user.email if user.is_email_verified else None)
    return Library(email=user.email, entries=entries)


# --- Emailed links ------------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.resolved_secret_key, salt=_LIBRARY_SALT)


def library_url(address: str) -> str:
    return f"{settings.resolved_public_url}{LIBRARY_PATH}?key={_serializer().dumps(address)}"


async def request_library_link(*, email_address: str, requester: Requester) -> None:
    """Email a one-hour link to the address's orders; unknown addresses get the same answer (and no mail)."""
    address = validated_email(email_address)
    await limits.count_account_email(kind="library-link", email=address, ip=requester.ip)
    async with db.transaction() as session:
        rows = await _orders_with_products(session, user_id=None, email=address)
        if rows:
            await email.queue_email(
                session,
                to_address=address,
                subject="Your purchases",
                text_body=(
                    "Here is the link to every purchase made with this email address:\n\n"
                    f"{library_url(address)}\n\n"
                    "It works for one hour. If you didn't ask for it, you can ignore this email.\n"
                ),
            )


async def library_from_key(*, key: str) -> Library:
    """The orders of the address the link was signed for; a tampered or expired key is refused."""
    try:
        address = _serializer().loads(key.strip(), max_age=LINK_LIFETIME_SECONDS)
    except BadSignature:  # includes SignatureExpired
        raise LibraryLinkInvalid() from None
    if not isinstance(address, str) or not address:
        raise LibraryLinkInvalid()
    async with db.transaction() as session:
        entries = await _entries(session, user_id=None, email=address)
    return Library(email=address, entries=entries)


async def _entries(session: AsyncSession, *, user_id: int | None, email: str | None) -> list[LibraryEntry]:
    rows = await _orders_with_products(session, user_id=user_id, email=email)
    downloads = await download_links_of_orders(session, [order for order, _product, _creator in rows])
    return [_entry(order, product, creator, downloads.get(order.id or 0, [])) for order, product, creator in rows]


def _entry(order: Order, product: Product, creator: Creator, downloads: list[DownloadLink]) -> LibraryEntry:
    status = OrderStatus(order.status)
    return LibraryEntry(
        order_public_id=order.public_id,
        product_title=product.title,
        creator_name=creator.display_name,
        amount_label="Free" if order.amount == 0 else format_money(order.amount, order.currency),
        status=status.value,
        status_label=_STATUS_LABELS.get(status, status.value.capitalize()),
        ordered_at=order.created_at,
        order_url=order_page_url(order.public_id),
        downloads=downloads,
    )


# --- Queries -----------------------------------------------------------------------------------------------
# Kept here rather than in delivery/repository.py only because that file is owned by another change in flight.


def _of_buyer(user_id: int | None, address: str | None) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if user_id is not None:
        conditions.append(col(Order.buyer_user_id) == user_id)
    if address:
        conditions.append(col(Order.buyer_email) == address)
    return or_(*conditions) if conditions else col(Order.id).is_(None)


async def _orders_with_products(
    session: AsyncSession, *, user_id: int | None, email: str | None
) -> Sequence[tuple[Order, Product, Creator]]:
    statement = (
        select(Order, Product, Creator)
        .join(Product, col(Product.id) == col(Order.product_id))
        .join(Creator, col(Creator.id) == col(Order.creator_id))
        .where(_of_buyer(user_id, email))
        .order_by(col(Order.created_at).desc(), col(Order.id).desc())
    )
    return [(order, product, creator) for order, product, creator in (await session.exec(statement)).all()]
