"""Rewritten storefront and product pages are answered from memory until something they show changes: at once for
a change written by this process (any statement on creators, products or posts), within `page_cache_seconds` for
one written elsewhere (another worker, the job worker, a command)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update
from sqlmodel import col
from starlette.responses import FileResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from creatorly import db
from creatorly.api.app import api
from creatorly.api.seo import SeoMetaMiddleware, page_cache
from creatorly.config import settings
from creatorly.models import Creator, Post, Product
from creatorly.models.enums import PostAudience
from creatorly.services.catalog import service as catalog
from creatorly.services.catalog.page_versions import writes_public_pages
from tests.factories import make_creator, new_product

SHELL = '<html><head><meta charSet="utf-8"/><title>Creatorly</title></head><body><div id="root"></div></body></html>'


def _shell_app(shell: Path, seen: list[str]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["path"])
        await FileResponse(shell, media_type="text/html")(scope, receive, send)

    return app


@pytest.fixture
def seen() -> list[str]:
    return []


@pytest.fixture
async def pages(tmp_path: Path, seen: list[str]) -> AsyncIterator[httpx.AsyncClient]:
    shell = tmp_path / "404.html"
    shell.write_text(SHELL, encoding="utf-8")
    page_cache.clear()
    transport = httpx.ASGITransport(app=SeoMetaMiddleware(_shell_app(shell, seen)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    page_cache.clear()


async def _shop() -> tuple[Creator, Product]:
    made = await make_creator(handle="inkwell", products=[new_product(title="Brush Pack", price_amount=900)])
    return made.creator, made.products[0]


async def _update(model: type[Creator] | type[Product], row_id: int | None, **values: Any) -> None:
    async with db.transaction() as session:
        row = await session.get(model, row_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)


async def _write_unseen(sql_text: str, *values: object) -> None:
    """Write on the driver's own connection, below SQLAlchemy, as another process would: no hook sees it."""
    async with db.get_engine().connect() as connection:
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        if connection.dialect.name == "postgresql":
            numbered = sql_text
            for number in range(1, len(values) + 1):
                numbered = numbered.replace("?", f"${number}", 1)
            await driver.execute(numbered, *values)
        else:
            await driver.execute(sql_text, values)
            await driver.commit()


async def test_a_second_visit_is_answered_from_the_cache_with_the_same_page(
    pages: httpx.AsyncClient, seen: list[str]
) -> None:
    await _shop()

    first = await pages.get("/inkwell")
    second = await pages.get("/inkwell")
    head = await pages.head("/inkwell")

    assert seen == ["/inkwell"]
    assert "Brush Pack" in first.text
    assert second.text == first.text
    assert second.headers["content-length"] == str(len(first.content))
    assert second.headers["content-type"] == first.headers["content-type"]
    assert head.status_code == 200
    assert head.content == b""
    assert "content-length" not in head.headers


async def test_a_creator_edit_in_this_process_shows_at_once(pages: httpx.AsyncClient, seen: list[str]) -> None:
    creator, _product = await _shop()
    assert "<title>Creator" in (await pages.get("/inkwell")).text

    await _update(Creator, creator.id, display_name="Inkwell Studio")
    page = await pages.get("/inkwell")

    assert "<title>Inkwell Studio · Creatorly</title>" in page.text
    assert seen == ["/inkwell", "/inkwell"]


async def test_a_product_edit_shows_on_its_page_and_the_storefront(pages: httpx.AsyncClient) -> None:
    _creator, product = await _shop()
    assert "Brush Pack" in (await pages.get("/inkwell")).text
    assert "Brush Pack" in (await pages.get(f"/inkwell/{product.slug}")).text

    await _update(Product, product.id, title="Brush Pack II", price_amount=1500)
    storefront = await pages.get("/inkwell")
    product_page = await pages.get(f"/inkwell/{product.slug}")

    assert "Brush Pack II" in storefront.text
    assert '<meta property="product:price:amount" content="15.00">' in product_page.text


async def test_a_sale_that_sells_out_a_product_shows_at_once(pages: httpx.AsyncClient) -> None:
    _creator, product = await _shop()
    await _update(Product, product.id, quantity_limit=1)
    assert "Sold out" not in (await pages.get(f"/inkwell/{product.slug}")).text

    async with db.transaction() as session:
        assert product.id is not None
        await catalog.count_sale(session, product.id)
    page = await pages.get(f"/inkwell/{product.slug}")

    assert "<p>Sold out</p>" in page.text


async def test_bulk_and_raw_sql_writes_are_seen_too(pages: httpx.AsyncClient) -> None:
    _creator, product = await _shop()
    await pages.get(f"/inkwell/{product.slug}")

    async with db.transaction() as session:
        await session.exec(update(Product).where(col(Product.id) == product.id).values(title="Bulk Title"))
    after_bulk = await pages.get(f"/inkwell/{product.slug}")
    async with db.transaction() as session:
        await session.exec(text("UPDATE products SET title = 'Raw Title' WHERE id = :id"), params={"id": product.id})
    after_raw = await pages.get(f"/inkwell/{product.slug}")

    assert "<h1>Bulk Title</h1>" in after_bulk.text
    assert "<h1>Raw Title</h1>" in after_raw.text


async def test_an_unpublished_product_leaves_its_cached_page_at_once(pages: httpx.AsyncClient) -> None:
    _creator, product = await _shop()
    assert "<h1>Brush Pack</h1>" in (await pages.get(f"/inkwell/{product.slug}")).text

    await _update(Product, product.id, status="draft")
    page = await pages.get(f"/inkwell/{product.slug}")

    assert page.text == SHELL


async def test_a_change_made_by_another_process_shows_within_the_cache_time(
    pages: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "page_cache_seconds", 0.5)
    creator, _product = await _shop()
    await pages.get("/inkwell")

    await _write_unseen("UPDATE creators SET display_name = ? WHERE id = ?", "Elsewhere Name", creator.id)
    soon = await pages.get("/inkwell")
    await asyncio.sleep(0.6)
    later = await pages.get("/inkwell")

    assert "Elsewhere Name" not in soon.text  # the stated bound: up to page_cache_seconds
    assert "<title>Elsewhere Name · Creatorly</title>" in later.text


async def test_post_pages_cross_origin_requests_and_unknown_pages_are_never_cached(
    pages: httpx.AsyncClient, seen: list[str]
) -> None:
    creator, _product = await _shop()
    async with db.transaction() as session:
        assert creator.id is not None
        session.add(
            Post(
                public_id="pst_hello",
                creator_id=creator.id,
                title="Hello",
                slug="hello",
                body_markdown="Body.",
                audience=PostAudience.PUBLIC,
                published_at=creator.created_at,
            )
        )

    for _ in range(2):
        await pages.get("/inkwell/posts/hello")
        await pages.get("/inkwell", headers={"Origin": "https://elsewhere.example"})
        await pages.get("/nobody-here")

    assert seen == ["/inkwell/posts/hello", "/inkwell", "/nobody-here"] * 2


async def test_a_zero_cache_time_renders_every_visit(
    pages: httpx.AsyncClient, seen: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "page_cache_seconds", 0)
    await _shop()

    await pages.get("/inkwell")
    await pages.get("/inkwell")

    assert seen == ["/inkwell", "/inkwell"]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ('UPDATE products SET title="x"', True),
        ("INSERT INTO creators (handle) VALUES ('a')", True),
        ('DELETE FROM "posts" WHERE id = 1', True),
        ("TRUNCATE users, creators, orders RESTART IDENTITY CASCADE", True),
        ("  update Products set title = 'x'", True),
        ("UPDATE entitlements SET download_count = download_count + 1", False),
        ("INSERT INTO product_files (product_id) VALUES (1)", False),
        ("INSERT INTO orders (product_id, creator_id) VALUES (1, 2)", False),
        ("SELECT * FROM products", False),
        ("UPDATE products_archive SET x = 1", False),
    ],
)
def test_which_statements_change_public_pages(statement: str, expected: bool) -> None:
    assert writes_public_pages(statement) is expected


async def test_the_sitemap_is_kept_until_a_product_is_published() -> None:
    page_cache.clear()
    _creator, product = await _shop()
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url=settings.resolved_public_url) as client:
        before = await client.get("/sitemap.xml")
        again = await client.get("/sitemap.xml")
        added = await make_creator(handle="lateshop", products=[new_product(title="Late Zine", is_published=False)])
        unchanged = await client.get("/sitemap.xml")
        await _update(Product, added.products[0].id, status="published")
        after = await client.get("/sitemap.xml")

    assert f"/inkwell/{product.slug}</loc>" in before.text
    assert again.text == before.text == unchanged.text
    assert "/lateshop/late-zine</loc>" in after.text
