"""Protected delivery over HTTP: signed, counted, ranged downloads (local and S3) and the buyer's order page."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from itsdangerous import URLSafeSerializer

from creatorly import db
from creatorly.api.app import api
from creatorly.api.security import SecurityHeadersMiddleware
from creatorly.api.static_assets import FrontendAssetsMiddleware
from creatorly.config import settings
from creatorly.errors import NotFound
from creatorly.kit.clock import utc_now
from creatorly.models import Entitlement, Order, ProductFile
from creatorly.models.enums import OrderStatus
from creatorly.providers.registry import get_storage
from creatorly.services.delivery import service as delivery
from tests.factories import make_creator, make_order, new_product
from tests.integration.s3 import BUCKET

PATHSEND = "http.response.pathsend"
DATA = bytes(range(256)) * 40  # 10,240 bytes, every byte value, so an offset mistake shows


@dataclass(frozen=True)
class Purchase:
    order: Order
    entitlement_id: int
    path: str


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _purchase(
    *,
    download_limit: int = 5,
    download_count: int = 0,
    expires_in: timedelta = timedelta(days=7),
    file_name: str = "Résumé guide.pdf",
) -> Purchase:
    made = await make_creator(products=[new_product(title="Field Guide")])
    product = made.products[0]
    assert product.id is not None
    key = f"products/{product.id}/{secrets.token_hex(8)}"
    stored = await get_storage().save(key, _chunks(DATA), max_bytes=len(DATA))
    order = await make_order(product=product, buyer_email="buyer@example.com")
    async with db.transaction() as session:
        item = ProductFile(
            product_id=product.id,
            storage_key=key,
            original_name=file_name,
            content_type="application/pdf",
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
        )
        session.add(item)
        await session.flush()
        assert item.id is not None and order.id is not None
        entitlement = Entitlement(
            order_id=order.id,
            product_file_id=item.id,
            download_count=download_count,
            download_limit=download_limit,
            expires_at=utc_now() + expires_in,
        )
        session.add(entitlement)
        await session.flush()
        assert entitlement.id is not None
    return Purchase(
        order=order, entitlement_id=entitlement.id, path=delivery.download_path(entitlement.id, order.public_id)
    )


async def _download_count(entitlement_id: int) -> int:
    async with db.transaction() as session:
        entitlement = await session.get(Entitlement, entitlement_id)
        assert entitlement is not None
        return entitlement.download_count


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as http:
        yield http


async def test_a_download_sends_exactly_the_stored_bytes_with_safe_headers(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()

    response = await client.get(purchase.path)

    assert response.status_code == 200
    assert response.content == DATA
    assert response.headers["content-length"] == str(len(DATA))
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"Resume guide.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20guide.pdf"
    )
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert await _download_count(purchase.entitlement_id) == 1


async def test_a_range_continuing_a_download_gets_206_and_is_not_counted_again(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()
    assert (await client.get(purchase.path)).status_code == 200

    response = await client.get(purchase.path, headers={"Range": "bytes=10-19"})

    assert response.status_code == 206
    assert response.content == DATA[10:20]
    assert response.headers["content-range"] == f"bytes 10-19/{len(DATA)}"
    assert response.headers["content-length"] == "10"
    assert await _download_count(purchase.entitlement_id) == 1


async def test_a_range_from_byte_zero_counts_as_a_download(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()

    response = await client.get(purchase.path, headers={"Range": "bytes=0-99"})

    assert response.status_code == 206
    assert response.content == DATA[:100]
    assert await _download_count(purchase.entitlement_id) == 1


async def test_a_suffix_range_sends_the_last_bytes(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(download_count=1)

    response = await client.get(purchase.path, headers={"Range": "bytes=-16"})

    assert response.status_code == 206
    assert response.content == DATA[-16:]
    assert response.headers["content-range"] == f"bytes {len(DATA) - 16}-{len(DATA) - 1}/{len(DATA)}"


async def test_an_unsatisfiable_range_gets_416_and_is_not_counted(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()

    response = await client.get(purchase.path, headers={"Range": f"bytes={len(DATA)}-"})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(DATA)}"
    assert await _download_count(purchase.entitlement_id) == 0


async def test_a_tampered_token_gets_404_and_nothing_is_counted(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()
    tampered = purchase.path[:-2] + ("AA" if not purchase.path.endswith("AA") else "BB")

    response = await client.get(tampered)

    assert response.status_code == 404
    assert response.text == "This download link isn't valid."
    assert await _download_count(purchase.entitlement_id) == 0


async def test_a_token_forged_with_another_salt_gets_404(client: httpx.AsyncClient) -> None:
    mine = await _purchase()
    theirs = await _purchase()
    forged = URLSafeSerializer(settings.resolved_secret_key, salt="creatorly-order-page").dumps(
        {"e": theirs.entitlement_id, "o": theirs.order.public_id}
    )

    response = await client.get(f"/api/downloads/{forged}")

    assert response.status_code == 404
    assert await _download_count(theirs.entitlement_id) == 0
    assert await _download_count(mine.entitlement_id) == 0


async def test_a_token_naming_another_orders_entitlement_gets_404(client: httpx.AsyncClient) -> None:
    mine = await _purchase()
    theirs = await _purchase()

    response = await client.get(delivery.download_path(theirs.entitlement_id, mine.order.public_id))

    assert response.status_code == 404
    assert await _download_count(theirs.entitlement_id) == 0


async def test_an_expired_entitlement_gets_410(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(expires_in=timedelta(minutes=-1))

    response = await client.get(purchase.path)

    assert response.status_code == 410
    assert response.text == "This download link is no longer available."
    assert await _download_count(purchase.entitlement_id) == 0


async def test_a_revoked_entitlement_of_a_refunded_order_gets_410(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()
    async with db.transaction() as session:
        entitlement = await session.get(Entitlement, purchase.entitlement_id)
        order = await session.get(Order, purchase.order.id)
        assert entitlement is not None and order is not None
        entitlement.revoked_at, order.status = utc_now(), OrderStatus.REFUNDED

    response = await client.get(purchase.path)

    assert response.status_code == 410
    assert await _download_count(purchase.entitlement_id) == 0


async def test_past_the_limit_gets_403_and_the_count_stays_at_the_limit(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(download_limit=3, download_count=3)

    response = await client.get(purchase.path)

    assert response.status_code == 403
    assert response.text == "You've used all 3 downloads for this file."
    assert await _download_count(purchase.entitlement_id) == 3


async def test_five_concurrent_downloads_with_three_left_let_exactly_three_through(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(download_limit=5, download_count=2)

    responses = await asyncio.gather(*[client.get(purchase.path) for _ in range(5)])

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 200, 200, 403, 403]
    assert all(response.content == DATA for response in responses if response.status_code == 200)
    assert await _download_count(purchase.entitlement_id) == 5


async def test_a_head_request_is_refused_without_counting(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()

    response = await client.head(purchase.path)

    assert response.status_code == 405
    assert await _download_count(purchase.entitlement_id) == 0


async def test_the_order_page_needs_its_key_and_answers_unknown_orders_the_same(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()
    other = await _purchase()

    with pytest.raises(NotFound) as wrong_key:
        await delivery.get_order_page(
            order_public_id=purchase.order.public_id, key=delivery.order_access_token(other.order.public_id)
        )
    with pytest.raises(NotFound) as unknown:
        await delivery.get_order_page(order_public_id="ord_missing", key=delivery.order_access_token("ord_missing"))

    assert wrong_key.value.message == unknown.value.message


async def test_the_order_page_lists_files_with_working_links_and_downloads_left(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(download_limit=5, download_count=1)
    query = parse_qs(urlsplit(delivery.order_page_url(purchase.order.public_id)).query)

    page = await delivery.get_order_page(order_public_id=purchase.order.public_id, key=query["key"][0])

    assert (page.status, page.status_label, page.product_title, page.amount_label) == (
        "paid",
        "Paid",
        "Field Guide",
        "$12.00",
    )
    assert page.creator_name.startswith("Creator ")
    [link] = page.downloads
    assert (link.file_name, link.size_label, link.downloads_left, link.is_available) == (
        "Résumé guide.pdf",
        "10.0 KB",
        4,
        True,
    )
    assert link.expires_label.startswith("Available until ")
    response = await client.get(link.url)
    assert response.status_code == 200
    assert response.content == DATA


async def test_the_order_page_link_is_absolute_and_keyed_to_its_order() -> None:
    url = delivery.order_page_url("ord_abc")

    assert url.startswith(f"{settings.resolved_public_url}/orders/ord_abc?key=")
    assert url.endswith(delivery.order_access_token("ord_abc"))


async def test_a_pending_order_page_waits_for_payment_without_downloads() -> None:
    purchase = await _purchase()
    async with db.transaction() as session:
        order = await session.get(Order, purchase.order.id)
        assert order is not None
        order.status = OrderStatus.PENDING
        entitlement = await session.get(Entitlement, purchase.entitlement_id)
        await session.delete(entitlement)

    page = await delivery.get_order_page(
        order_public_id=purchase.order.public_id, key=delivery.order_access_token(purchase.order.public_id)
    )

    assert (page.status, page.status_label, page.downloads) == ("pending", "Waiting for your payment…", [])
    assert page.is_waiting_for_payment


def _lifetime_seconds(presigned_url: str) -> float:
    """How long a presigned link lives, from SigV4's X-Amz-Expires or SigV2's absolute Expires."""
    query = parse_qs(urlsplit(presigned_url).query)
    if "X-Amz-Expires" in query:
        return float(query["X-Amz-Expires"][0])
    return float(query["Expires"][0]) - time.time()


@pytest.mark.usefixtures("s3_storage")
async def test_on_s3_a_download_redirects_to_a_presigned_link_that_serves_the_bytes(client: httpx.AsyncClient) -> None:
    purchase = await _purchase()

    response = await client.get(purchase.path)

    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(f"{settings.s3_endpoint_url}/{BUCKET}/products/")
    assert _lifetime_seconds(location) == pytest.approx(60, abs=5)
    assert response.headers["cache-control"] == "private, no-store"
    assert await _download_count(purchase.entitlement_id) == 1
    async with httpx.AsyncClient() as outside:
        fetched = await outside.get(location)
    assert fetched.status_code == 200
    assert fetched.content == DATA
    assert fetched.headers["content-disposition"] == 'attachment; filename="Resume guide.pdf"'


async def _call_offering_pathsend(
    path: str, headers: dict[str, str] | None = None, *, app: Any = api
) -> list[dict[str, Any]]:
    """GET `path` through the app as granian calls it, offering pathsend; the messages the app sends back."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"test"),
            *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
        "extensions": {PATHSEND: {}},
    }

    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_a_whole_local_file_is_handed_to_the_server_to_send_and_counted_once() -> None:
    purchase = await _purchase()

    sent = await _call_offering_pathsend(purchase.path)

    start, body = sent
    headers = dict(start["headers"])
    assert start["status"] == 200
    assert headers[b"content-length"] == str(len(DATA)).encode()
    assert headers[b"accept-ranges"] == b"bytes"
    assert headers[b"cache-control"] == b"private, no-store"
    assert body["type"] == PATHSEND
    assert Path(body["path"]).read_bytes() == DATA
    assert await _download_count(purchase.entitlement_id) == 1


async def test_the_whole_middleware_stack_lets_the_server_send_a_download_itself() -> None:
    """As creatorly.py assembles it: the page layers (security headers, frontend assets) leave /api/ alone."""
    purchase = await _purchase()
    stack = SecurityHeadersMiddleware(FrontendAssetsMiddleware(api))

    sent = await _call_offering_pathsend(purchase.path, app=stack)

    assert [message["type"] for message in sent] == ["http.response.start", PATHSEND]
    assert await _download_count(purchase.entitlement_id) == 1


async def test_a_range_is_still_streamed_when_pathsend_is_offered() -> None:
    purchase = await _purchase()

    sent = await _call_offering_pathsend(purchase.path, {"Range": "bytes=5-9"})

    assert sent[0]["status"] == 206
    assert all(message["type"] != PATHSEND for message in sent)
    assert b"".join(message.get("body", b"") for message in sent[1:]) == DATA[5:10]


async def test_a_refused_download_sends_no_file_even_with_pathsend() -> None:
    purchase = await _purchase(download_limit=1, download_count=1)

    sent = await _call_offering_pathsend(purchase.path)

    assert sent[0]["status"] == 403
    assert all(message["type"] != PATHSEND for message in sent)
    assert await _download_count(purchase.entitlement_id) == 1
