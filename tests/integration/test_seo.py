"""Public pages carry their own title and social tags in the HTML; sitemap, robots and public images over HTTP."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import FileResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from creatorly import db
from creatorly.api import seo
from creatorly.api.app import api
from creatorly.api.seo import SeoMetaMiddleware
from creatorly.config import settings
from creatorly.models import Creator, Post, Product
from creatorly.models.enums import PostAudience
from creatorly.providers.registry import get_storage
from creatorly.services.catalog import public
from tests.factories import make_creator, new_product

BASE = settings.resolved_public_url
SHELL = '<html><head><meta charSet="utf-8"/><title>Creatorly</title></head><body><div id="root"></div></body></html>'
PATHSEND = "http.response.pathsend"
# The no-JavaScript content and JSON-LD after <body> are tested in test_seo_storefront_html.py.
_PAGE_CONTENT = re.compile(r'<noscript>.*?</noscript><script type="application/ld\+json">.*?</script>', re.DOTALL)


def _without_page_content(document: str) -> str:
    return _PAGE_CONTENT.sub("", document, count=1)


def _reflex_like_app(shell: Path, seen: list[Scope]) -> ASGIApp:
    """Serves the HTML shell from disk the way Reflex's static files do, or JSON when asked for it."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)
        if scope["query_string"] == b"format=json":
            await JSONResponse({"title": "Creatorly"})(scope, receive, send)
        else:
            await FileResponse(shell, media_type="text/html")(scope, receive, send)

    return app


def _offering_pathsend(app: ASGIApp) -> ASGIApp:
    """What granian does: offer the pathsend extension, with which FileResponse would send no body."""

    async def server(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "extensions": {PATHSEND: {}}}, receive, send)

    return server


@pytest.fixture
def seen() -> list[Scope]:
    return []


@pytest.fixture
async def pages(tmp_path: Path, seen: list[Scope]) -> AsyncIterator[httpx.AsyncClient]:
    shell = tmp_path / "404.html"
    shell.write_text(SHELL, encoding="utf-8")
    app = _offering_pathsend(SeoMetaMiddleware(_reflex_like_app(shell, seen)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
async def site() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=SeoMetaMiddleware(api)), base_url=BASE) as client:
        yield client


async def _update(model: type[Creator] | type[Product], row_id: int | None, **values: Any) -> None:
    async with db.transaction() as session:
        row = await session.get(model, row_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _zine_by_tom_and_jerry(*, is_published: bool = True) -> None:
    made = await make_creator(
        handle="tomjerry",
        products=[
            new_product(
                title="Tom & Jerry's <Zine>",
                summary='Cat & mouse "classics".',
                price_amount=1250,
                currency="USD",
                is_published=is_published,
            )
        ],
    )
    await _update(Creator, made.creator.id, display_name="Tom & Jerry Studio")
    await _update(Product, made.products[0].id, cover_key="media/products/7/cover-ab12.webp")


async def test_a_published_product_page_gets_its_own_title_and_tags(pages: httpx.AsyncClient) -> None:
    await _zine_by_tom_and_jerry()

    response = await pages.get("/tomjerry/tom-jerry-s-zine", headers={"Accept-Encoding": "gzip"})

    title = "Tom &amp; Jerry&#x27;s &lt;Zine&gt; by Tom &amp; Jerry Studio · Creatorly"
    description = "Cat &amp; mouse &quot;classics&quot;."
    url = f"{BASE}/tomjerry/tom-jerry-s-zine"
    image = f"{BASE}/media/products/7/cover-ab12.webp"
    assert response.status_code == 200
    assert _without_page_content(response.text) == (
        f'<html><head><meta charSet="utf-8"/><title>{title}</title>'
        f'<link rel="canonical" href="{url}">'
        f'<meta name="description" content="{description}">'
        '<meta property="og:type" content="product">'
        '<meta property="og:site_name" content="Creatorly">'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="og:description" content="{description}">'
        f'<meta property="og:url" content="{url}">'
        f'<meta property="og:image" content="{image}">'
        '<meta property="product:price:amount" content="12.50">'
        '<meta property="product:price:currency" content="USD">'
        '<meta name="twitter:card" content="summary_large_image">'
        f'<meta name="twitter:title" content="{title}">'
        f'<meta name="twitter:description" content="{description}">'
        f'<meta name="twitter:image" content="{image}">'
        '</head><body><div id="root"></div></body></html>'
    )
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "etag" not in response.headers


async def test_a_storefront_page_gets_the_creator_name_and_bio(pages: httpx.AsyncClient) -> None:
    made = await make_creator(handle="mira", products=[new_product(title="Presets")])
    await _update(Creator, made.creator.id, display_name="Mira Costa", bio_markdown="I shoot **film** & paint.")

    response = await pages.get("/Mira")

    assert _without_page_content(response.text) == (
        '<html><head><meta charSet="utf-8"/><title>Mira Costa · Creatorly</title>'
        f'<link rel="canonical" href="{BASE}/mira">'
        '<meta name="description" content="I shoot film &amp; paint.">'
        '<meta property="og:type" content="profile">'
        '<meta property="og:site_name" content="Creatorly">'
        '<meta property="og:title" content="Mira Costa · Creatorly">'
        '<meta property="og:description" content="I shoot film &amp; paint.">'
        f'<meta property="og:url" content="{BASE}/mira">'
        '<meta name="twitter:card" content="summary">'
        '<meta name="twitter:title" content="Mira Costa · Creatorly">'
        '<meta name="twitter:description" content="I shoot film &amp; paint.">'
        '</head><body><div id="root"></div></body></html>'
    )


async def test_a_shell_without_a_title_gets_one_and_loses_generic_tags() -> None:
    meta = public.PageMeta(
        title="Zine", description="Short.", canonical_url="https://x.test/a/b", image_url=None, og_type="product"
    )
    document = '<html><head><meta content="favicon.ico" property="og:image"/></head><body></body></html>'

    injected = seo.inject_page_meta(document, meta)

    assert injected == (
        '<html><head><title>Zine</title><link rel="canonical" href="https://x.test/a/b">'
        '<meta name="description" content="Short.">'
        '<meta property="og:type" content="product">'
        '<meta property="og:site_name" content="Creatorly">'
        '<meta property="og:title" content="Zine">'
        '<meta property="og:description" content="Short.">'
        '<meta property="og:url" content="https://x.test/a/b">'
        '<meta name="twitter:card" content="summary">'
        '<meta name="twitter:title" content="Zine">'
        '<meta name="twitter:description" content="Short.">'
        "</head><body></body></html>"
    )


async def test_a_draft_product_page_is_left_untouched(pages: httpx.AsyncClient) -> None:
    await _zine_by_tom_and_jerry(is_published=False)

    response = await pages.get("/tomjerry/tom-jerry-s-zine")

    assert response.text == SHELL
    assert response.headers["content-length"] == str(len(SHELL.encode()))


async def test_an_unknown_handle_is_left_untouched(pages: httpx.AsyncClient) -> None:
    response = await pages.get("/nobody-here")

    assert response.status_code == 200
    assert response.text == SHELL


async def test_json_is_left_untouched(pages: httpx.AsyncClient) -> None:
    await _zine_by_tom_and_jerry()

    response = await pages.get("/tomjerry/tom-jerry-s-zine?format=json")

    assert response.json() == {"title": "Creatorly"}
    assert response.headers["content-type"] == "application/json"


async def test_a_failing_lookup_leaves_the_page_untouched(
    pages: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_path: str) -> None:
        raise RuntimeError("database down")

    monkeypatch.setattr(public, "page_meta_for_path", broken)

    response = await pages.get("/tomjerry")

    assert response.status_code == 200
    assert response.text == SHELL


async def test_pathsend_is_withdrawn_only_for_public_pages(pages: httpx.AsyncClient, seen: list[Scope]) -> None:
    await _zine_by_tom_and_jerry()

    page = await pages.get("/tomjerry/tom-jerry-s-zine", headers={"Accept-Encoding": "gzip", "If-None-Match": '"x"'})
    other = await pages.get("/dashboard?format=json", headers={"Accept-Encoding": "gzip"})

    assert page.text.startswith('<html><head><meta charSet="utf-8"/><title>Tom &amp; Jerry')
    assert _without_page_content(page.text).endswith('</head><body><div id="root"></div></body></html>')
    assert PATHSEND not in seen[0]["extensions"]
    assert [name for name, _ in seen[0]["headers"] if name in (b"accept-encoding", b"if-none-match")] == []
    assert other.json() == {"title": "Creatorly"}
    assert PATHSEND in seen[1]["extensions"]
    assert (b"accept-encoding", b"gzip") in seen[1]["headers"]


async def test_head_of_a_product_page_has_no_stale_length(pages: httpx.AsyncClient) -> None:
    await _zine_by_tom_and_jerry()

    response = await pages.head("/tomjerry/tom-jerry-s-zine")

    assert response.status_code == 200
    assert response.content == b""
    assert "content-length" not in response.headers


async def test_sitemap_lists_exactly_the_published_pages(site: httpx.AsyncClient) -> None:
    alice = await make_creator(
        handle="alice", products=[new_product(title="Alice Zine"), new_product(title="Notes", is_published=False)]
    )
    await make_creator(handle="bob", products=[new_product(title="Bob Draft", is_published=False)])
    carol = await make_creator(handle="carol", products=[new_product(title="Beats"), new_product(title="Art Book")])
    await _update(Creator, alice.creator.id, updated_at=datetime(2025, 1, 2, 10, tzinfo=UTC))
    await _update(Product, alice.products[0].id, updated_at=datetime(2025, 2, 3, 23, 59, tzinfo=UTC))
    await _update(Creator, carol.creator.id, updated_at=datetime(2025, 5, 6, tzinfo=UTC))
    await _update(Product, carol.products[0].id, updated_at=datetime(2025, 4, 1, tzinfo=UTC))
    await _update(Product, carol.products[1].id, updated_at=datetime(2025, 3, 1, tzinfo=UTC))

    response = await site.get("/sitemap.xml")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"<url><loc>{BASE}/</loc></url>\n"
        f"<url><loc>{BASE}/discover</loc></url>\n"
        f"<url><loc>{BASE}/legal/terms</loc></url>\n"
        f"<url><loc>{BASE}/legal/privacy</loc></url>\n"
        f"<url><loc>{BASE}/legal/refunds</loc></url>\n"
        f"<url><loc>{BASE}/legal/seller-agreement</loc></url>\n"
        f"<url><loc>{BASE}/legal/content-guidelines</loc></url>\n"
        f"<url><loc>{BASE}/alice</loc><lastmod>2025-02-03</lastmod></url>\n"
        f"<url><loc>{BASE}/alice/alice-zine</loc><lastmod>2025-02-03</lastmod></url>\n"
        f"<url><loc>{BASE}/carol</loc><lastmod>2025-05-06</lastmod></url>\n"
        f"<url><loc>{BASE}/carol/art-book</loc><lastmod>2025-03-01</lastmod></url>\n"
        f"<url><loc>{BASE}/carol/beats</loc><lastmod>2025-04-01</lastmod></url>\n"
        "</urlset>\n"
    )


async def test_sitemap_escapes_its_addresses() -> None:
    urls = [public.SitemapUrl(loc="https://x.test/a?b=1&c='2'")]

    assert seo.render_sitemap(urls) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "<url><loc>https://x.test/a?b=1&amp;c=&#x27;2&#x27;</loc></url>\n"
        "</urlset>\n"
    )


async def test_robots_allows_everything_public_and_points_at_the_sitemap(site: httpx.AsyncClient) -> None:
    response = await site.get("/robots.txt")

    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /api/\n"
        "Disallow: /dev/\n"
        "Disallow: /account$\nDisallow: /account/\nDisallow: /account?\n"
        "Disallow: /dashboard$\nDisallow: /dashboard/\nDisallow: /dashboard?\n"
        "Disallow: /signin$\nDisallow: /signin/\nDisallow: /signin?\n"
        "Disallow: /signup$\nDisallow: /signup/\nDisallow: /signup?\n"
        "Disallow: /reset-password$\nDisallow: /reset-password/\nDisallow: /reset-password?\n"
        "Disallow: /verify-email$\nDisallow: /verify-email/\nDisallow: /verify-email?\n"
        "\n"
        f"Sitemap: {BASE}/sitemap.xml\n"
    )


async def test_a_public_image_is_served_from_storage(site: httpx.AsyncClient) -> None:
    image = b"RIFF\x10\x00\x00\x00WEBPVP8 fake image bytes"
    await get_storage().save("media/creators/3/avatar-0f1e.webp", _chunks(image), max_bytes=1024)

    response = await site.get(public.media_url("media/creators/3/avatar-0f1e.webp"))

    assert response.status_code == 200
    assert response.content == image
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["content-length"] == str(len(image))
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/media/%2E%2E/x",
        "/media/%2E%2E/files/secret.pdf",
        "/media/files/secret.pdf",
        "/media/creators/3/missing.webp",
        "/media/creators/3/drawing.svg",
    ],
)
async def test_anything_but_a_stored_public_image_is_not_found(site: httpx.AsyncClient, path: str) -> None:
    await get_storage().save("files/secret.pdf", _chunks(b"%PDF-1.7 private"), max_bytes=1024)

    response = await site.get(path)

    assert response.status_code == 404
    assert response.text == "Not found."


# --- Posts -------------------------------------------------------------------------------------------


async def _post(
    creator_id: int | None,
    *,
    title: str,
    teaser: str = "",
    body: str = "",
    audience: PostAudience = PostAudience.PUBLIC,
    published_at: datetime | None = datetime(2025, 6, 1, 9, 30, tzinfo=UTC),
    public_at: datetime | None = None,
    updated_at: datetime = datetime(2025, 6, 1, 9, 0, tzinfo=UTC),
    image_key: str | None = None,
) -> None:
    """A post row as the posts service writes them (slug from the title)."""
    assert creator_id is not None
    async with db.transaction() as session:
        session.add(
            Post(
                public_id=f"post_{secrets.token_hex(6)}",
                creator_id=creator_id,
                slug=title.lower().replace(" ", "-"),
                title=title,
                teaser=teaser,
                body_markdown=body,
                audience=audience,
                published_at=published_at,
                public_at=public_at,
                image_key=image_key,
                updated_at=updated_at,
            )
        )


async def _mira_costa() -> int:
    made = await make_creator(handle="mira")
    await _update(Creator, made.creator.id, display_name="Mira Costa", updated_at=datetime(2025, 1, 1, tzinfo=UTC))
    assert made.creator.id is not None
    return made.creator.id


async def test_a_public_post_page_gets_its_title_teaser_and_article_tags(pages: httpx.AsyncClient) -> None:
    creator_id = await _mira_costa()
    await _post(
        creator_id,
        title="Studio notes",
        teaser='What I shot this week & "why".',
        body="The whole **story**.",
        image_key="media/posts/3/image-9f.webp",
    )

    response = await pages.get("/Mira/posts/studio-notes")

    title = "Studio notes by Mira Costa · Creatorly"
    description = "What I shot this week &amp; &quot;why&quot;."
    url = f"{BASE}/mira/posts/studio-notes"
    image = f"{BASE}/media/posts/3/image-9f.webp"
    assert response.status_code == 200
    assert response.text == (
        f'<html><head><meta charSet="utf-8"/><title>{title}</title>'
        f'<link rel="canonical" href="{url}">'
        f'<meta name="description" content="{description}">'
        '<meta property="og:type" content="article">'
        '<meta property="og:site_name" content="Creatorly">'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="og:description" content="{description}">'
        f'<meta property="og:url" content="{url}">'
        f'<meta property="og:image" content="{image}">'
        '<meta property="article:published_time" content="2025-06-01T09:30:00+00:00">'
        '<meta name="twitter:card" content="summary_large_image">'
        f'<meta name="twitter:title" content="{title}">'
        f'<meta name="twitter:description" content="{description}">'
        f'<meta name="twitter:image" content="{image}">'
        '</head><body><div id="root"></div></body></html>'
    )
    assert response.headers["content-length"] == str(len(response.content))


async def test_a_public_post_without_a_teaser_is_described_by_its_body(pages: httpx.AsyncClient) -> None:
    creator_id = await _mira_costa()
    await _post(creator_id, title="Open letter", body="Dear **readers**, thank you.")

    response = await pages.get("/mira/posts/open-letter")

    assert '<meta name="description" content="Dear readers, thank you.">' in response.text


@pytest.mark.parametrize(
    ("audience", "public_at"),
    [
        (PostAudience.MEMBERS, None),
        (PostAudience.TIER, None),
        (PostAudience.MEMBERS, datetime.now(UTC) + timedelta(days=3)),  # early access still running
    ],
)
async def test_a_gated_post_page_shows_the_teaser_and_never_the_body(
    pages: httpx.AsyncClient, audience: PostAudience, public_at: datetime | None
) -> None:
    creator_id = await _mira_costa()
    await _post(creator_id, title="Members only", body="SECRET members text", audience=audience, public_at=public_at)
    await _post(
        creator_id,
        title="Teased",
        teaser="A look behind the scenes.",
        body="SECRET teased text",
        audience=audience,
        public_at=public_at,
    )

    untitled = await pages.get("/mira/posts/members-only")
    teased = await pages.get("/mira/posts/teased")

    assert "<title>Members only by Mira Costa · Creatorly</title>" in untitled.text
    assert '<meta name="description" content="A post by Mira Costa, on Creatorly.">' in untitled.text
    assert '<meta property="og:description" content="A look behind the scenes.">' in teased.text
    assert "SECRET" not in untitled.text + teased.text


async def test_early_access_over_the_post_is_described_by_its_body(pages: httpx.AsyncClient) -> None:
    creator_id = await _mira_costa()
    await _post(
        creator_id,
        title="Now public",
        body="Everyone may read this now.",
        audience=PostAudience.MEMBERS,
        public_at=datetime(2025, 6, 8, tzinfo=UTC),
    )

    response = await pages.get("/mira/posts/now-public")

    assert '<meta name="description" content="Everyone may read this now.">' in response.text


async def test_draft_scheduled_and_unknown_post_pages_are_left_untouched(pages: httpx.AsyncClient) -> None:
    creator_id = await _mira_costa()
    await _post(creator_id, title="Draft", body="Not yet.", published_at=None)
    await _post(creator_id, title="Scheduled", body="Soon.", published_at=datetime.now(UTC) + timedelta(hours=2))

    for path in ("/mira/posts/draft", "/mira/posts/scheduled", "/mira/posts/nothing", "/nobody/posts/draft"):
        response = await pages.get(path)

        assert response.text == SHELL


async def test_sitemap_lists_published_posts_gated_ones_too_but_no_drafts_or_scheduled(
    site: httpx.AsyncClient,
) -> None:
    creator_id = await _mira_costa()
    await _post(creator_id, title="Zeta", updated_at=datetime(2025, 6, 2, tzinfo=UTC))
    await _post(creator_id, title="Gated", audience=PostAudience.MEMBERS)
    await _post(
        creator_id,  # scheduled while being edited, out since: listed from its publication day
        title="Went out",
        updated_at=datetime(2025, 5, 1, tzinfo=UTC),
        published_at=datetime(2025, 7, 1, tzinfo=UTC),
    )
    await _post(creator_id, title="Draft", published_at=None)
    await _post(creator_id, title="Later", published_at=datetime.now(UTC) + timedelta(days=1))
    alice = await make_creator(handle="alice", products=[new_product(title="Alice Zine")])
    await _update(Creator, alice.creator.id, updated_at=datetime(2025, 1, 2, tzinfo=UTC))
    await _update(Product, alice.products[0].id, updated_at=datetime(2025, 2, 3, tzinfo=UTC))
    await _post(alice.creator.id, title="Posts", updated_at=datetime(2025, 3, 4, tzinfo=UTC))

    response = await site.get("/sitemap.xml")

    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"<url><loc>{BASE}/</loc></url>\n"
        f"<url><loc>{BASE}/discover</loc></url>\n"
        f"<url><loc>{BASE}/legal/terms</loc></url>\n"
        f"<url><loc>{BASE}/legal/privacy</loc></url>\n"
        f"<url><loc>{BASE}/legal/refunds</loc></url>\n"
        f"<url><loc>{BASE}/legal/seller-agreement</loc></url>\n"
        f"<url><loc>{BASE}/legal/content-guidelines</loc></url>\n"
        f"<url><loc>{BASE}/alice</loc><lastmod>2025-06-01</lastmod></url>\n"
        f"<url><loc>{BASE}/alice/alice-zine</loc><lastmod>2025-02-03</lastmod></url>\n"
        f"<url><loc>{BASE}/alice/posts/posts</loc><lastmod>2025-06-01</lastmod></url>\n"
        f"<url><loc>{BASE}/mira</loc><lastmod>2025-07-01</lastmod></url>\n"
        f"<url><loc>{BASE}/mira/posts/gated</loc><lastmod>2025-06-01</lastmod></url>\n"
        f"<url><loc>{BASE}/mira/posts/went-out</loc><lastmod>2025-07-01</lastmod></url>\n"
        f"<url><loc>{BASE}/mira/posts/zeta</loc><lastmod>2025-06-02</lastmod></url>\n"
        "</urlset>\n"
    )
