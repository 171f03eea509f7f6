"""The production build under its Content-Security-Policy: a fan buys from the demo storefront and the creator
opens the dashboard, with no policy violation on any page; the websocket refuses another site's Origin."""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, Response, expect

from creatorly.services.demo.service import DEMO_EMAIL, DEMO_PASSWORD
from tests.e2e.helpers import buy_with_sandbox_card, open_page

# Runs before any page script: every violation the browser reports is kept for the test to read.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def test_storefront_checkout_and_dashboard_run_under_the_policy_with_no_violation(page: Page, app_url: str) -> None:
    page.add_init_script(_RECORD_VIOLATIONS)
    documents: list[tuple[str, int, str]] = []

    def keep_document(response: Response) -> None:
        if response.request.resource_type == "document":
            documents.append((response.url, response.status, response.headers.get("content-security-policy", "")))

    page.on("response", keep_document)

    open_page(page, f"{app_url}/mira")
    expect(page.get_by_role("heading", name="Mira Costa", exact=True)).to_be_visible()
    assert _violations(page) == []

    # A purchase leaves the app for the payment page (a full page load, not an eval'd script) and comes back.
    page.get_by_role("article", name="Golden Hour Lightroom Presets").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/mira/golden-hour"))
    buy_with_sandbox_card(page, page.url, email="csp-fan@example.com")
    assert _violations(page) == []

    # A refused sign-in answers with a toast (shown through state: Reflex's own toasts evaluate a script)
    open_page(page, f"{app_url}/signin?next=/dashboard")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("listitem").filter(has_text="password")).to_be_visible()
    assert _violations(page) == []
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    expect(page.get_by_role("heading", name="Conversion funnel")).to_be_visible()
    assert _violations(page) == []

    pages = [(url, policy) for url, status, policy in documents if status == 200]
    assert len(pages) >= 4, documents
    for url, policy in pages:
        assert "script-src 'self' 'nonce-" in policy and "unsafe-eval" not in policy, (url, policy)


def test_headers_on_pages_routes_and_assets(app_url: str) -> None:
    with httpx.Client(base_url=app_url) as client:
        page = client.get("/mira", headers={"accept": "text/html"})
        health = client.get("/health")
    for response in (page, health):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"])
    assert nonce and f'nonce="{nonce.group(1)}"' in page.text


def _websocket_handshake(app_url: str, origin: str) -> str:
    """The status line the app answers a socket.io websocket upgrade from `origin` with."""
    parts = urlsplit(app_url)
    request = (
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname or "localhost", parts.port or 80), timeout=10) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_the_websocket_refuses_another_sites_origin(app_url: str) -> None:
    assert " 101 " in _websocket_handshake(app_url, app_url)
    assert " 101 " not in _websocket_handshake(app_url, "https://evil.example")
