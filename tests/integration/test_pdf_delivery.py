"""Stamped PDF delivery over HTTP: the buyer's email on every page, whole and counted, from local storage and S3."""

from __future__ import annotations

import io
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from pypdf import PdfReader, PdfWriter

from creatorly import db
from creatorly.api.app import api
from creatorly.kit.clock import utc_now
from creatorly.models import Entitlement, Order, Product, ProductFile
from creatorly.providers.registry import get_storage
from creatorly.services.catalog import manage
from creatorly.services.catalog.schemas import ProductInput
from creatorly.services.creators import service as creators
from creatorly.services.creators.schemas import ProfileInput
from creatorly.services.delivery import service as delivery
from tests.accounts import signed_up_and_verified
from tests.factories import make_creator, make_order, new_product

BUYER = "reader+1@example.com"


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


PDF = _pdf(3)


@dataclass(frozen=True)
class Purchase:
    order: Order
    entitlement_id: int
    path: str


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _purchase(
    *, stamp_pdf: bool, data: bytes = PDF, content_type: str = "application/pdf", download_limit: int = 5
) -> Purchase:
    made = await make_creator(products=[new_product(title="Handbook")])
    product = made.products[0]
    assert product.id is not None
    key = f"products/{product.id}/{secrets.token_hex(8)}"
    stored = await get_storage().save(key, _chunks(data), max_bytes=len(data))
    order = await make_order(product=product, buyer_email=BUYER)
    async with db.transaction() as session:
        row = await session.get(Product, product.id)
        assert row is not None
        row.stamp_pdf = stamp_pdf
        session.add(row)
        item = ProductFile(
            product_id=product.id,
            storage_key=key,
            original_name="Handbook.pdf",
            content_type=content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
        )
        session.add(item)
        await session.flush()
        assert item.id is not None and order.id is not None
        entitlement = Entitlement(
            order_id=order.id,
            product_file_id=item.id,
            download_limit=download_limit,
            expires_at=utc_now() + timedelta(days=7),
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


def _page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://test") as http:
        yield http


# --- Local storage ------------------------------------------------------------------------------------


async def test_a_stamped_product_serves_every_page_with_the_buyers_email(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(stamp_pdf=True)

    response = await client.get(purchase.path)

    assert response.status_code == 200
    footer = f"Licensed to {BUYER} · Order {purchase.order.public_id}"
    assert _page_texts(response.content) == [footer, footer, footer]
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["content-type"] == "application/pdf"
    assert (
        response.headers["content-disposition"]
        == "attachment; filename=\"Handbook.pdf\"; filename*=UTF-8''Handbook.pdf"
    )
    assert response.headers["accept-ranges"] == "none"
    assert response.headers["cache-control"] == "private, no-store"
    assert await _download_count(purchase.entitlement_id) == 1


async def test_a_range_request_for_a_stamped_pdf_gets_the_whole_file_and_counts(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(stamp_pdf=True)
    first = await client.get(purchase.path)

    ranged = await client.get(purchase.path, headers={"Range": "bytes=100-"})

    assert ranged.status_code == 200
    assert "content-range" not in ranged.headers
    assert ranged.content == first.content
    assert await _download_count(purchase.entitlement_id) == 2


async def test_without_the_flag_the_bytes_are_exactly_the_stored_ones(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(stamp_pdf=False)

    response = await client.get(purchase.path)

    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["accept-ranges"] == "bytes"
    assert _page_texts(response.content) == ["", "", ""]


async def test_the_flag_leaves_files_that_are_not_pdfs_alone(client: httpx.AsyncClient) -> None:
    archive = b"PK\x03\x04" + bytes(range(256)) * 4
    purchase = await _purchase(stamp_pdf=True, data=archive, content_type="application/zip")

    response = await client.get(purchase.path, headers={"Range": "bytes=4-"})

    assert response.status_code == 206
    assert response.content == archive[4:]


async def test_a_stamped_download_past_the_limit_is_refused_without_counting(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(stamp_pdf=True, download_limit=1)
    assert (await client.get(purchase.path)).status_code == 200

    refused = await client.get(purchase.path)

    assert refused.status_code == 403
    assert await _download_count(purchase.entitlement_id) == 1


# --- The product editor ---------------------------------------------------------------------------------


async def test_the_editor_checkbox_turns_stamping_on_and_a_missing_box_turns_it_off() -> None:
    signed_in = await signed_up_and_verified("maker@example.com")
    token = signed_in.session_token
    await creators.become_creator(session_token=token, profile=ProfileInput(handle="maker", display_name="Maker"))
    product_id = await manage.create_product(session_token=token, values=ProductInput(title="Zine", price="5"))

    await manage.update_product(
        session_token=token, product_id=product_id, values=ProductInput(title="Zine", price="5", stamp_pdf="on")
    )
    ticked = await manage.get_my_product(session_token=token, product_id=product_id)
    await manage.update_product(
        session_token=token, product_id=product_id, values=ProductInput(title="Zine", price="5")
    )
    unticked = await manage.get_my_product(session_token=token, product_id=product_id)

    assert (ticked.values.stamp_pdf, unticked.values.stamp_pdf) == ("on", "")
    async with db.transaction() as session:
        row = await session.get(Product, product_id)
    assert row is not None and row.stamp_pdf is False


# --- S3 -------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("s3_storage")
async def test_on_s3_a_stamped_pdf_is_served_by_us_not_redirected(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(stamp_pdf=True)

    response = await client.get(purchase.path)

    assert response.status_code == 200
    assert "location" not in response.headers
    assert _page_texts(response.content) == [f"Licensed to {BUYER} · Order {purchase.order.public_id}"] * 3
    assert await _download_count(purchase.entitlement_id) == 1


@pytest.mark.usefixtures("s3_storage")
async def test_on_s3_an_unstamped_pdf_still_redirects(client: httpx.AsyncClient) -> None:
    purchase = await _purchase(stamp_pdf=False)

    response = await client.get(purchase.path)

    assert response.status_code == 302
    async with httpx.AsyncClient() as outside:
        fetched = await outside.get(response.headers["location"])
    assert fetched.content == PDF
