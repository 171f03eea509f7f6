"""The first HTML of a storefront or product page carries its products and prices, readable without JavaScript."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from creatorly import db
from creatorly.api.seo import SeoMetaMiddleware
from creatorly.api.seo_content import json_ld_script
from creatorly.config import settings
from creatorly.models import Creator, Product
from tests.factories import make_creator, new_product

BASE = settings.resolved_public_url
SHELL = '<html><head><title>Creatorly</title></head><body><div id="root"></div></body></html>'
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
_NOSCRIPT = re.compile(r"<noscript>(.*?)</noscript>", re.DOTALL)


@pytest.fixture
async def pages(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    shell = tmp_path / "404.html"
    shell.write_text(SHELL, encoding="utf-8")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await FileResponse(shell, media_type="text/html")(scope, receive, send)

    transport = httpx.ASGITransport(app=SeoMetaMiddleware(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def _update(model: type[Creator] | type[Product], row_id: int | None, **values: Any) -> None:
    async with db.transaction() as session:
        row = await session.get(model, row_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)


async def _studio() -> None:
    made = await make_creator(
        handle="inkwell",
        products=[
            new_product(title="Brush Pack", summary="Forty brushes.", price_amount=1250, currency="USD"),
            new_product(title="</script><script>alert(1)</script>", summary="<b>bold</b>", price_amount=500),
            new_product(title="Secret Draft", price_amount=999, is_published=False),
        ],
    )
    await _update(Creator, made.creator.id, display_name="Ink & Well", bio_markdown="I draw **comics**.")
    await _update(Product, made.products[0].id, cover_key="media/products/1/cover-aa.webp")
    await _update(Product, made.products[0].id, description_markdown="Hi <script>evil()</script> *there*")
    await make_creator(handle="other", products=[new_product(title="Other Zine", price_amount=700)])


def _json_ld(text: str) -> dict[str, Any]:
    blocks = _JSON_LD.findall(text)
    assert len(blocks) == 1
    data: dict[str, Any] = json.loads(blocks[0])
    return data


async def test_a_storefront_lists_its_published_products_with_prices(pages: httpx.AsyncClient) -> None:
    await _studio()

    response = await pages.get("/inkwell")

    noscript = _NOSCRIPT.findall(response.text)
    assert len(noscript) == 1
    assert "<h1>Ink &amp; Well</h1><p>I draw comics.</p>" in noscript[0]
    assert (
        '<article class="noscript-product"><img src="' + BASE + '/media/products/1/cover-aa.webp" '
        'alt="Brush Pack" width="320"><h3><a href="/inkwell/brush-pack">Brush Pack</a></h3>'
        "<p>Forty brushes.</p><p><strong>$12.50</strong></p></article>"
    ) in noscript[0]
    assert "<strong>$5.00</strong>" in noscript[0]
    assert "Secret Draft" not in response.text
    assert "Other Zine" not in response.text
    assert response.headers["content-length"] == str(len(response.content))


async def test_creator_text_is_escaped_everywhere(pages: httpx.AsyncClient) -> None:
    await _studio()

    response = await pages.get("/inkwell")

    assert "<script>alert(1)" not in response.text
    assert "</script><script>" not in response.text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in response.text


async def test_the_storefront_json_ld_is_a_profile_page_with_product_offers(pages: httpx.AsyncClient) -> None:
    await _studio()

    data = _json_ld((await pages.get("/inkwell")).text)

    assert data["@type"] == "ProfilePage"
    assert data["mainEntity"] == {
        "@type": "Person",
        "name": "Ink & Well",
        "url": f"{BASE}/inkwell",
        "description": "I draw comics.",
    }
    offers = {part["name"]: part["offers"] for part in data["hasPart"]}
    assert set(offers) == {"Brush Pack", "</script><script>alert(1)</script>"}
    assert offers["Brush Pack"] == {
        "@type": "Offer",
        "price": "12.50",
        "priceCurrency": "USD",
        "availability": "https://schema.org/InStock",
        "url": f"{BASE}/inkwell/brush-pack",
    }


async def test_a_product_page_has_price_sanitised_description_and_a_buy_link(pages: httpx.AsyncClient) -> None:
    await _studio()

    response = await pages.get("/inkwell/brush-pack")

    (noscript,) = _NOSCRIPT.findall(response.text)
    assert "<h1>Brush Pack</h1>" in noscript
    assert "<p><strong>$12.50</strong></p><p>Forty brushes.</p>" in noscript
    assert "<em>there</em>" in noscript
    assert "<script>" not in noscript
    assert '<a href="/inkwell/brush-pack?buy=1">Buy</a>' in noscript
    data = _json_ld(response.text)
    assert data["@type"] == "Product"
    assert data["name"] == "Brush Pack"
    assert data["image"] == f"{BASE}/media/products/1/cover-aa.webp"
    assert data["offers"]["price"] == "12.50"
    assert data["offers"]["priceCurrency"] == "USD"


async def test_drafts_unknown_handles_and_other_creators_products_get_no_content(pages: httpx.AsyncClient) -> None:
    await _studio()

    for path in ("/inkwell/secret-draft", "/nobody", "/nobody/brush-pack", "/other/brush-pack"):
        response = await pages.get(path)

        assert response.text == SHELL


def test_json_ld_cannot_close_its_script_element() -> None:
    block = json_ld_script({"name": "</script><script>alert(1)</script>"})

    assert block == (
        '<script type="application/ld+json">{"name":"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"}</script>'
    )
    assert json.loads(_JSON_LD.findall(block)[0]) == {"name": "</script><script>alert(1)</script>"}
