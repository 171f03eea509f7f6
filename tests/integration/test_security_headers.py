"""Security headers on every response and the cross-site refusal, through the real middleware over our routes."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.responses import FileResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from creatorly.api.app import api
from creatorly.api.security import SecurityHeadersMiddleware, content_security_policy
from creatorly.api.seo import SeoMetaMiddleware
from creatorly.config import settings

BASE = settings.resolved_public_url
SHELL = (
    "<!DOCTYPE html><html><head><title>Creatorly</title>"
    '<script type="module">import "/assets/entry.js";</script>'
    "<SCRIPT>window.__reactRouterContext = {};</SCRIPT></head><body><div id=root></div></body></html>"
)
PATHSEND = "http.response.pathsend"
DOCUMENT = {"accept": "text/html,application/xhtml+xml", "sec-fetch-dest": "document", "accept-encoding": "gzip"}


def _static_app(shell: Path, seen: list[Scope]) -> ASGIApp:
    """The Reflex side, as its static files serve it: HTML from disk (pathsend if offered), JSON elsewhere."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)
        if scope["path"].startswith("/data"):
            await JSONResponse({"ok": True})(scope, receive, send)
        else:
            await FileResponse(shell, media_type="text/html")(scope, receive, send)

    return app


def _offering_pathsend(app: ASGIApp) -> ASGIApp:
    async def server(scope: Scope, receive: Receive, send: Send) -> None:
        await app({**scope, "extensions": {PATHSEND: {}}}, receive, send)

    return server


@pytest.fixture
def seen() -> list[Scope]:
    return []


@pytest.fixture
async def pages(tmp_path: Path, seen: list[Scope]) -> AsyncIterator[httpx.AsyncClient]:
    shell = tmp_path / "index.html"
    shell.write_text(SHELL, encoding="utf-8")
    app = _offering_pathsend(SecurityHeadersMiddleware(SeoMetaMiddleware(_static_app(shell, seen))))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@pytest.fixture
async def routes() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=SecurityHeadersMiddleware(api))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def _nonce(policy: str) -> str:
    found = re.search(r"'nonce-([A-Za-z0-9_-]+)'", policy)
    assert found, policy
    return found.group(1)


async def test_every_script_of_a_page_carries_the_nonce_its_policy_names(
    pages: httpx.AsyncClient, seen: list[Scope]
) -> None:
    first = await pages.get("/somewhere", headers=DOCUMENT)
    second = await pages.get("/somewhere", headers=DOCUMENT)

    assert first.status_code == 200
    policy = first.headers["content-security-policy"]
    nonce = _nonce(policy)
    assert first.text.count(f'<script nonce="{nonce}"') == 2
    assert "unsafe-eval" not in policy and "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert int(first.headers["content-length"]) == len(first.content)
    assert _nonce(second.headers["content-security-policy"]) != nonce  # a fresh nonce per document
    # The page was read as a body (no pathsend) and uncompressed, so it could be stamped
    assert PATHSEND not in seen[0]["extensions"]
    assert b"accept-encoding" not in dict(seen[0]["headers"])


async def test_pages_and_routes_carry_the_protective_headers(
    pages: httpx.AsyncClient, routes: httpx.AsyncClient
) -> None:
    for response in (await pages.get("/", headers=DOCUMENT), await pages.get("/data"), await routes.get("/health")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert response.headers["x-frame-options"] == "DENY"
        assert "camera=()" in response.headers["permissions-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # http: HSTS would be ignored, and wrong


async def test_https_sites_get_hsts_and_upgrade_insecure_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "public_url", "https://shop.example")
    transport = httpx.ASGITransport(app=SecurityHeadersMiddleware(api))
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.example") as client:
        response = await client.get("/health")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "upgrade-insecure-requests" in content_security_policy("n", "/")


async def test_hosted_payment_pages_may_load_their_provider_and_nothing_else_may() -> None:
    payment = content_security_policy("n", "/pay/stripe/pi_1")
    elsewhere = content_security_policy("n", "/mira")
    stripe_origin = "https://js.stripe.com"
    if settings.stripe_api_base:
        stripe_origin = re.sub(r"(https?://[^/]+).*", r"\1", settings.stripe_api_base)
    assert stripe_origin in payment and stripe_origin not in elsewhere
    assert "frame-src 'none'" in elsewhere


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "origin": "https://evil.example"},
        {"sec-fetch-site": "same-site", "origin": "https://sub.example"},
        {"origin": "https://evil.example"},  # an older browser: no Fetch Metadata, the Origin tells
        {"origin": "null"},  # a sandboxed frame or a data: page
    ],
)
async def test_a_cross_site_post_is_refused_before_it_reaches_the_route(
    routes: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await routes.post("/api/analytics/collect", json={"kind": "storefront_view"}, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"] == "cross_site_request"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_same_site_posts_and_provider_webhooks_pass_the_check(routes: httpx.AsyncClient) -> None:
    same_origin = await routes.post(
        "/api/analytics/collect", json={}, headers={"sec-fetch-site": "same-origin", "origin": BASE}
    )
    old_browser_same_origin = await routes.post("/api/analytics/collect", json={}, headers={"origin": BASE})
    no_browser = await routes.post("/api/analytics/collect", json={})
    webhook = await routes.post(
        "/api/webhooks/sandbox", content=b"{}", headers={"sec-fetch-site": "cross-site", "origin": "https://x.example"}
    )
    for response in (same_origin, old_browser_same_origin, no_browser):
        assert response.status_code != 403
    # The webhook reaches its route, which refuses the unsigned body on its own terms (not as cross-site)
    assert webhook.status_code in (400, 401)
    assert webhook.json().get("error") != "cross_site_request"


async def test_a_page_is_gzipped_for_clients_that_accept_it_with_every_script_stamped(tmp_path: Path) -> None:
    shell = tmp_path / "index.html"
    shell.write_text(SHELL.replace("<div id=root>", "<div id=root>" + "<p>Long page.</p>" * 200), encoding="utf-8")
    app = _offering_pathsend(SecurityHeadersMiddleware(_static_app(shell, [])))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        async with client.stream("GET", "/somewhere", headers=DOCUMENT) as zipped:
            raw = b"".join([chunk async for chunk in zipped.aiter_raw()])
        plain = await client.get("/somewhere", headers={**DOCUMENT, "accept-encoding": "identity"})
        refused = await client.get("/somewhere", headers={**DOCUMENT, "accept-encoding": "gzip;q=0"})

    document = gzip.decompress(raw).decode()
    nonce = _nonce(zipped.headers["content-security-policy"])
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) == len(raw) < len(document)
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert document.count(f'<script nonce="{nonce}"') == 2 and document.count("<script") == 2
    assert document.endswith("</body></html>") and document.count("<p>Long page.</p>") == 200
    for answer in (plain, refused):
        assert "content-encoding" not in answer.headers
        assert answer.text.count(f'<script nonce="{_nonce(answer.headers["content-security-policy"])}"') == 2
        assert answer.text.replace(_nonce(answer.headers["content-security-policy"]), nonce) == document
