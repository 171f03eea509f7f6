"""Delivery use cases: the signed order page link, the buyer's order page and counted, ranged downloads."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel.ext.asyncio.session import AsyncSession

from creatorly import db
from creatorly.config import settings
from creatorly.errors import CreatorlyError, Forbidden, NotFound
from creatorly.kit.clock import utc_now
from creatorly.kit.filetypes import content_disposition
from creatorly.kit.money import format_money
from creatorly.kit.pdf_stamp import MAX_STAMPED_BYTES, stamp_pdf
from creatorly.models import Entitlement, Order, ProductFile
from creatorly.models.enums import OrderStatus
from creatorly.providers.registry import get_storage
from creatorly.providers.storage.base import ObjectMissing
from creatorly.services.analytics import tracking
from creatorly.services.catalog import scanning
from creatorly.services.catalog.files import size_label
from creatorly.services.delivery import repository

logger = logging.getLogger(__name__)

_ORDER_PAGE_SALT = "creatorly-order-page"
_DOWNLOAD_SALT = "creatorly-download"
PRESIGNED_LINK_SECONDS = 60
_BYTE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_WAITING_STATUSES = frozenset({OrderStatus.CREATED, OrderStatus.PENDING})
_STATUS_LABELS = {
    OrderStatus.CREATED: "Waiting for your payment…",
    OrderStatus.PENDING: "Waiting for your payment…",
    OrderStatus.PAID: "Paid",
    OrderStatus.PARTIALLY_REFUNDED: "Paid (partly refunded)",
    OrderStatus.REFUNDED: "Refunded",
    OrderStatus.FAILED: "Payment failed",
    OrderStatus.EXPIRED: "Checkout expired",
}


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = "We couldn't find that order. Please use the link from your receipt email."


class DownloadNotFound(NotFound):
    code = "download_not_found"
    default_message = "This download link isn't valid."


class DownloadGone(CreatorlyError):
    code = "download_gone"
    status = 410
    default_message = "This download link is no longer available."


class DownloadLimitReached(Forbidden):
    code = "download_limit_reached"
    default_message = "You've used all the downloads for this file."


class DownloadRangeNotSatisfiable(CreatorlyError):
    """The requested bytes lie outside the file; `size_bytes` goes into `Content-Range: bytes */size`."""

    code = "download_range_not_satisfiable"
    status = 416
    default_message = "The requested range is outside the file."

    def __init__(self, size_bytes: int) -> None:
        super().__init__()
        self.size_bytes = size_bytes


@dataclass(frozen=True, slots=True)
class DownloadLink:
    file_name: str
    size_label: str
    url: str  # empty when the file can no longer be downloaded
    downloads_left: int
    expires_label: str
    is_available: bool


@dataclass(frozen=True, slots=True)
class OrderPage:
    order_public_id: str
    status: str  # an OrderStatus value
    status_label: str
    product_title: str
    creator_name: str
    amount_label: str
    paid_at: datetime | None
    downloads: list[DownloadLink] = field(default_factory=list)

    @property
    def is_waiting_for_payment(self) -> bool:
        return self.status in _WAITING_STATUSES


@dataclass(frozen=True, slots=True)
class DownloadResponse:
    """What to send: a redirect (`redirect_url`), the whole `body` (a stamped PDF, made per download),
    or bytes `start`..`end` (inclusive) of `storage_key`."""

    status: int  # 200, 206 or 302
    file_name: str
    content_type: str
    content_disposition: str
    storage_key: str = ""
    start: int = 0
    end: int = -1
    total_size: int = 0
    redirect_url: str = ""
    body: bytes | None = None
    # Where the stored file lies on this host's disk (local storage), so the server can send it itself; else "".
    local_path: str = ""

    @property
    def content_length(self) -> int:
        return self.end - self.start + 1

    @property
    def content_range(self) -> str | None:
        return f"bytes {self.start}-{self.end}/{self.total_size}" if self.status == 206 else None


@runtime_checkable
class _SignsDownloadLinks(Protocol):
    def presigned_url(self, key: str, *, expires_in_seconds: int, download_name: str) -> str: ...


@runtime_checkable
class _KeepsFilesOnDisk(Protocol):
    def local_path(self, key: str) -> str: ...


# --- Signed links ------------------------------------------------------------------------------------


def _order_page_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(settings.resolved_secret_key, salt=_ORDER_PAGE_SALT)


def _download_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(settings.resolved_secret_key, salt=_DOWNLOAD_SALT)


def order_access_token(order_public_id: str) -> str:
    """The key to the buyer's order page. It never expires: each file carries its own limits."""
    return _order_page_serializer().dumps(order_public_id)


def order_page_url(order_public_id: str) -> str:
    """The absolute link to the buyer's order page, as sent in receipt emails."""
    return f"{settings.resolved_public_url}/orders/{order_public_id}?key={order_access_token(order_public_id)}"


def _is_order_key_valid(order_public_id: str, key: str) -> bool:
    try:
        signed_for = _order_page_serializer().loads(key)
    except BadSignature:
        return False
    return isinstance(signed_for, str) and signed_for == order_public_id


def download_path(entitlement_id: int, order_public_id: str) -> str:
    return f"/api/downloads/{_download_serializer().dumps({'e': entitlement_id, 'o': order_public_id})}"


def _read_download_token(token: str) -> tuple[int, str]:
    try:
        payload = _download_serializer().loads(token)
    except BadSignature:
        raise DownloadNotFound() from None
    if not isinstance(payload, dict):
        raise DownloadNotFound()
    entitlement_id, order_public_id = payload.get("e"), payload.get("o")
    if type(entitlement_id) is not int or not isinstance(order_public_id, str):
        raise DownloadNotFound()
    return entitlement_id, order_public_id


# --- The order page ------------------------------------------------------------------------------------


async def get_order_page(*, order_public_id: str, key: str) -> OrderPage:
    """The buyer's view of one order; a wrong key and an unknown order get the same NotFound."""
    if not _is_order_key_valid(order_public_id, key):
        raise OrderNotFound()
    async with db.transaction() as session:
        found = await repository.get_order_with_product(session, order_public_id)
        if found is None:
            raise OrderNotFound()
        order, product, creator = found
        entitlements = await repository.list_entitlements_with_files(session, order.id or 0)
    now = utc_now()
    return OrderPage(
        order_public_id=order.public_id,
        status=str(order.status),
        status_label=_STATUS_LABELS.get(OrderStatus(order.status), str(order.status).capitalize()),
        product_title=product.title,
        creator_name=creator.display_name,
        amount_label=format_money(order.amount, order.currency),
        paid_at=order.paid_at,
        downloads=[_download_link(order, entitlement, item, now=now) for entitlement, item in entitlements],
    )


async def download_links_of_orders(session: AsyncSession, orders: Sequence[Order]) -> dict[int, list[DownloadLink]]:
    """Each order's download links by order id, in one query (orders without files have none)."""
    by_id = {order.id: order for order in orders if order.id is not None}
    links: dict[int, list[DownloadLink]] = {order_id: [] for order_id in by_id}
    now = utc_now()
    for entitlement, item in await repository.list_entitlements_of_orders(session, list(by_id)):
        order = by_id[entitlement.order_id]
        links[entitlement.order_id].append(_download_link(order, entitlement, item, now=now))
    return links


def _download_link(order: Order, entitlement: Entitlement, item: ProductFile, *, now: datetime) -> DownloadLink:
    downloads_left = max(0, entitlement.download_limit - entitlement.download_count)
    scan_note = scanning.buyer_note(item)  # "This file is being checked…" until its virus check passes
    is_available = _unavailable_reason(order, entitlement, now=now) is None and downloads_left > 0 and scan_note is None
    return DownloadLink(
        file_name=item.original_name,
        size_label=size_label(item.size_bytes),
        url=download_path(entitlement.id or 0, order.public_id) if is_available else "",
        downloads_left=downloads_left,
        expires_label=scan_note or _expires_label(order, entitlement, now=now),
        is_available=is_available,
    )


def _expires_label(order: Order, entitlement: Entitlement, *, now: datetime) -> str:
    reason = _unavailable_reason(order, entitlement, now=now)
    if reason == "revoked":
        return "No longer available: this order was refunded."
    moment = f"{entitlement.expires_at:%d %b %Y, %H:%M} UTC"
    return f"Expired on {moment}" if reason == "expired" else f"Available until {moment}"


def _unavailable_reason(order: Order, entitlement: Entitlement, *, now: datetime) -> str | None:
    if entitlement.revoked_at is not None or order.status == OrderStatus.REFUNDED:
        return "revoked"
    if entitlement.expires_at <= now:
        return "expired"
    return None


# --- Downloads --------------------------------------------------------------------------------------------


async def open_download(*, token: str, range_header: str | None) -> DownloadResponse:
    """Check the token and the entitlement's limits, count the download and say what to send.

    Only requests that start at byte 0 count; a later range continues a counted download for free.
    An unsatisfiable range is refused before anything is counted.
    """
    entitlement_id, order_public_id = _read_download_token(token)
    async with db.reads() as session:  # one SELECT of all four: no transaction round trips
        found = await repository.get_download_facts(session, entitlement_id)
    if found is None or found[1].public_id != order_public_id:
        raise DownloadNotFound()
    entitlement, order, item, product = found
    if _unavailable_reason(order, entitlement, now=utc_now()) is not None:
        raise DownloadGone()
    if (refusal := scanning.download_refusal(item)) is not None:
        raise refusal  # never served before its virus check passes; never once infected
    if product.stamp_pdf and item.content_type == "application/pdf":
        stamped = await _stamped_download(entitlement, order, item)
        if stamped is not None:
            return stamped
    storage = get_storage()
    if isinstance(storage, _SignsDownloadLinks):
        start = _requested_start(range_header)
        await _count_if_starting(entitlement, order, starts_at=start)
        url = storage.presigned_url(
            item.storage_key, expires_in_seconds=PRESIGNED_LINK_SECONDS, download_name=_ascii_name(item.original_name)
        )
        return _redirect(item, url)
    total_size = await _stored_size(item)
    byte_range = _parse_range(range_header, total_size)
    await _count_if_starting(entitlement, order, starts_at=0 if byte_range is None else byte_range[0])
    local_path = storage.local_path(item.storage_key) if isinstance(storage, _KeepsFilesOnDisk) else ""
    return _stream(item, byte_range=byte_range, total_size=total_size, local_path=local_path)


async def _stamped_download(entitlement: Entitlement, order: Order, item: ProductFile) -> DownloadResponse | None:
    """The whole PDF stamped for this buyer, counted as a download; None when too big to stamp.

    Stamped bytes differ per buyer, so a Range request gets the whole file (200) and always counts.
    The file is read through the storage interface, so S3 files are stamped too (not redirected).
    """
    total_size = await _stored_size(item)
    if total_size > MAX_STAMPED_BYTES:
        return None  # delivered unstamped: see creatorly.kit.pdf_stamp
    if entitlement.download_count >= entitlement.download_limit:
        raise _limit_reached(entitlement)  # before the expensive read and stamp
    data = b"".join([chunk async for chunk in get_storage().read(item.storage_key)])
    body = await asyncio.to_thread(stamp_pdf, data, text=f"Licensed to {order.buyer_email} · Order {order.public_id}")
    await _count_if_starting(entitlement, order, starts_at=0)
    return DownloadResponse(
        status=200,
        file_name=item.original_name,
        content_type=item.content_type,
        content_disposition=content_disposition(item.original_name),
        storage_key=item.storage_key,
        start=0,
        end=len(body) - 1,
        total_size=len(body),
        body=body,
    )


async def _count_if_starting(entitlement: Entitlement, order: Order, *, starts_at: int) -> None:
    # A range past byte 0 resumes a counted download; with nothing counted yet it is a new download.
    if starts_at > 0 and entitlement.download_count > 0:
        return
    if entitlement.download_count >= entitlement.download_limit:
        raise _limit_reached(entitlement)
    async with db.transaction() as session:
        is_counted = await repository.count_download(session, entitlement.id or 0, now=utc_now())
        if is_counted:
            await tracking.record_download(session, creator_id=order.creator_id, product_id=order.product_id)
    if not is_counted:
        raise _limit_reached(entitlement)


def _limit_reached(entitlement: Entitlement) -> DownloadLimitReached:
    limit = entitlement.download_limit
    noun = "download" if limit == 1 else "downloads"
    return DownloadLimitReached(f"You've used all {limit} {noun} for this file.")


async def _stored_size(item: ProductFile) -> int:
    try:
        return await get_storage().size(item.storage_key)
    except ObjectMissing:
        logger.error("product file %s is missing from storage (key %s)", item.id, item.storage_key)
        raise DownloadNotFound() from None


def _requested_start(range_header: str | None) -> int:
    match = _BYTE_RANGE.match(range_header or "")
    return int(match.group(1)) if match and match.group(1) else 0


def _parse_range(range_header: str | None, total_size: int) -> tuple[int, int] | None:
    """The single `bytes=` range to send (inclusive ends), None for the whole file.

    Malformed and multi-range headers are ignored (the whole file is sent), as RFC 9110 allows;
    a well-formed range that starts past the end raises DownloadRangeNotSatisfiable.
    """
    match = _BYTE_RANGE.match(range_header or "")
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first:
        if not last:
            return None
        if int(last) == 0 or total_size == 0:
            raise DownloadRangeNotSatisfiable(total_size)
        return max(0, total_size - int(last)), total_size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= total_size:
        raise DownloadRangeNotSatisfiable(total_size)
    return start, min(int(last), total_size - 1) if last else total_size - 1


def _stream(
    item: ProductFile, *, byte_range: tuple[int, int] | None, total_size: int, local_path: str = ""
) -> DownloadResponse:
    start, end = byte_range or (0, total_size - 1)
    return DownloadResponse(
        status=200 if byte_range is None else 206,
        file_name=item.original_name,
        content_type=item.content_type,
        content_disposition=content_disposition(item.original_name),
        storage_key=item.storage_key,
        start=start,
        end=end,
        total_size=total_size,
        local_path=local_path,
    )


def _redirect(item: ProductFile, url: str) -> DownloadResponse:
    return DownloadResponse(
        status=302,
        file_name=item.original_name,
        content_type=item.content_type,
        content_disposition=content_disposition(item.original_name),
        storage_key=item.storage_key,
        redirect_url=url,
    )


def _ascii_name(original_name: str) -> str:
    # The S3 provider wraps the name in `filename="…"`: reuse the quote-free ASCII fallback we send ourselves.
    match = re.search(r'filename="([^"]*)"', content_disposition(original_name))
    return match.group(1) if match else "file"
