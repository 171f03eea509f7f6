"""The built frontend over HTTP: Reflex's own production static files (gzip sidecars) behind FrontendAssetsMiddleware
and the security headers, as `creatorly start` assembles them, on a small build written to a temporary folder."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creatorly.api.security import SecurityHeadersMiddleware
from creatorly.api.static_assets import (
    IMMUTABLE,
    FrontendAssetsMiddleware,
    is_hashed_asset,
    parse_manifest,
    route_files,
    with_preloads,
)

BASE = "http://localhost"
ENTRY = "/assets/entry.client-BnEMFK12.js"
MANIFEST = "/assets/manifest-80ab60d6.js"
STOREFRONT_MODULE = "/assets/__store_handle_._index-lKHvgTs5.js"
PRODUCT_MODULE = "/assets/__store_handle_.__product_slug_._index-BCyhzj4f.js"
DISCOVER_MODULE = "/assets/_discover_._index-Q1w2e3r4.js"
ICON = "/assets/sparkles-B6YAjd7-.js"
ROUTES = {
    "entry": {"module": ENTRY, "imports": [], "css": []},
    "routes": {
        "root": {"id": "root", "path": "", "module": "/assets/root-CM_9isSL.js", "imports": [ENTRY]},
        "routes/[discover]._index": {"id": "routes/[discover]._index", "path": "discover", "module": DISCOVER_MODULE},
        "routes/$[store_handle]._index": {
            "id": "routes/$[store_handle]._index",
            "path": ":store_handle",
            "module": STOREFRONT_MODULE,
            "imports": [ENTRY, ICON],
        },
        "routes/$[store_handle].$[product_slug]._index": {
            "id": "routes/$[store_handle].$[product_slug]._index",
            "path": ":store_handle/:product_slug",
            "module": PRODUCT_MODULE,
            "imports": [ICON],
        },
        "routes/[404]._index": {"id": "routes/[404]._index", "path": "*", "module": "/assets/_404_._index-AbCdEf12.js"},
    },
}
SHELL = (
    '<!DOCTYPE html><html><head><link rel="modulepreload" href="' + MANIFEST + '"/>'
    '<link rel="modulepreload" href="' + ENTRY + '"/><script type="module">import "' + ENTRY + '";</script>'
    "</head><body><div id=root></div></body></html>"
)
DOCUMENT = {"accept": "text/html", "sec-fetch-dest": "document", "accept-encoding": "gzip, deflate"}


def _build(static_dir: Path) -> None:
    """What `reflex export` leaves in .web/build/client: the bundle with gzip sidecars, the SPA fallback."""
    assets = static_dir / "assets"
    assets.mkdir(parents=True)
    (assets / Path(MANIFEST).name).write_text("window.__reactRouterManifest=" + json.dumps(ROUTES) + ";")
    script = b"export const x = 1;\n" * 200
    (assets / Path(ENTRY).name).write_bytes(script)
    (assets / (Path(ENTRY).name + ".gz")).write_bytes(gzip.compress(script))
    (static_dir / "styles.css").write_text("body { margin: 0 }")
    (static_dir / "404.html").write_text(SHELL)
    (static_dir / "discover.html").write_text(
        SHELL.replace("</head>", f'<link rel="modulepreload" href="{DISCOVER_MODULE}"/></head>')
    )


def _served(static_dir: Path) -> ASGIApp:
    files = PrecompressedStaticFiles(directory=static_dir, html=True, encodings=["gzip"], router=_routable)
    app = Starlette(routes=[Mount("/", app=files)])
    return SecurityHeadersMiddleware(FrontendAssetsMiddleware(app, static_dir=static_dir))


def _offering_pathsend(app: ASGIApp) -> ASGIApp:
    """As granian does: pathsend is offered (Starlette's FileResponse then names the file instead of sending its
    bytes, which a middleware could not add to) and a file so named is sent whole."""

    async def server(scope: Scope, receive: Receive, send: Send) -> None:
        async def sender(message: Message) -> None:
            if message["type"] == "http.response.pathsend":
                message = {"type": "http.response.body", "body": Path(message["path"]).read_bytes()}
            await send(message)

        await app({**scope, "extensions": {"http.response.pathsend": {}}}, receive, sender)

    return server


def _routable(path: str) -> str | None:
    """Like the app's router: up to two segments can be a page (a storefront, a product), deeper ones not."""
    return path if len(path.strip("/").split("/")) <= 2 else None


@pytest.fixture
async def frontend(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    _build(tmp_path)
    app = _offering_pathsend(_served(tmp_path))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


def _preloads(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<link rel="modulepreload" href="')[1:]]


async def test_a_hashed_bundle_file_is_sent_compressed_and_cached_as_immutable(frontend: httpx.AsyncClient) -> None:
    response = await frontend.get(ENTRY, headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    assert response.headers["cache-control"] == IMMUTABLE
    assert int(response.headers["content-length"]) < len(b"export const x = 1;\n" * 200)
    assert response.content == b"export const x = 1;\n" * 200  # httpx decodes it


async def test_without_gzip_the_same_file_is_sent_plain_and_still_immutable(frontend: httpx.AsyncClient) -> None:
    response = await frontend.get(ENTRY, headers={"accept-encoding": "identity"})

    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(b"export const x = 1;\n" * 200))
    assert response.headers["cache-control"] == IMMUTABLE


async def test_a_revalidation_of_a_hashed_file_is_immutable_too(frontend: httpx.AsyncClient) -> None:
    first = await frontend.get(ENTRY, headers={"accept-encoding": "gzip"})

    again = await frontend.get(ENTRY, headers={"accept-encoding": "gzip", "if-none-match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.headers["cache-control"] == IMMUTABLE


async def test_an_unhashed_file_gets_no_long_cache(frontend: httpx.AsyncClient) -> None:
    response = await frontend.get("/styles.css")

    assert response.status_code == 200
    assert "cache-control" not in response.headers


async def test_a_dynamic_page_preloads_its_route_module_and_imports_once(frontend: httpx.AsyncClient) -> None:
    response = await frontend.get("/mira", headers=DOCUMENT)

    assert response.status_code == 200
    assert _preloads(response.text) == [MANIFEST, ENTRY, STOREFRONT_MODULE, ICON]
    assert response.headers["content-length"] == str(len(response.content))
    assert response.headers["cache-control"] == "private, no-cache"  # the page itself stays fresh (security.py)
    assert "content-encoding" not in response.headers


async def test_a_product_page_preloads_the_product_route(frontend: httpx.AsyncClient) -> None:
    response = await frontend.get("/mira/golden-hour", headers=DOCUMENT)

    assert _preloads(response.text) == [MANIFEST, ENTRY, PRODUCT_MODULE, ICON]


async def test_a_static_route_wins_over_a_parameter_and_its_links_are_not_repeated(
    frontend: httpx.AsyncClient,
) -> None:
    response = await frontend.get("/discover", headers=DOCUMENT)

    assert _preloads(response.text) == [MANIFEST, ENTRY, DISCOVER_MODULE]


async def test_a_path_no_route_matches_gets_nothing_added(frontend: httpx.AsyncClient) -> None:
    response = await frontend.get("/a/b/c/d", headers=DOCUMENT)

    assert response.status_code == 404
    assert _preloads(response.text) == [MANIFEST, ENTRY]


async def test_a_head_request_is_answered_without_a_body(frontend: httpx.AsyncClient) -> None:
    response = await frontend.head("/mira", headers=DOCUMENT)

    assert response.status_code == 200
    assert response.content == b""


def test_hashed_names_are_the_ones_vite_and_react_router_write() -> None:
    assert is_hashed_asset(ENTRY)
    assert is_hashed_asset(MANIFEST)
    assert is_hashed_asset("/assets/KaTeX_AMS-Regular-DRggAlZN.ttf")
    assert not is_hashed_asset("/styles.css")
    assert not is_hashed_asset("/assets/entry.js")
    assert not is_hashed_asset("/media/products/1/cover-4d4229e1549751cb.webp")


def test_the_manifest_leaves_out_the_root_and_the_catch_all() -> None:
    routes = parse_manifest("window.__reactRouterManifest=" + json.dumps(ROUTES) + ";")

    assert sorted(route.segments for route in routes) == [
        (":store_handle",),
        (":store_handle", ":product_slug"),
        ("discover",),
    ]
    assert route_files(routes, "/") == ()
    assert route_files(routes, "/discover/") == (DISCOVER_MODULE,)


def test_a_document_without_a_head_is_left_alone() -> None:
    assert with_preloads(b"<p>no head</p>", (ENTRY,)) == b"<p>no head</p>"
