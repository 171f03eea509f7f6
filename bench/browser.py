"""Storefront in headless Chromium: how soon a visitor sees the demo storefront's product cards, and what it costs.

Creatorly runs as in production (`creatorly start`: CREATORLY_ENV=production, `reflex run --env prod --single-port`,
which compiles the app and builds the frontend once at start — its time is printed — then serves the built bundle
from the backend, granian with one worker) on PostgreSQL with the demo data (`creatorly seed-demo`, storefront
/mira; the database bench_browser is made, migrated and seeded when missing, and reused after). The baseline
(bench/browser_baseline.py) is a bare Starlette app on the same granian serving one static HTML page with the very
same cards: their HTML, the app's stylesheets and the cover images are copied from the running app.

Per round, alternately A B A B: a new browser context (empty cache) opens the page — cold — then a new page in the
same context opens it again — warm. The time is from navigation start until the first frame in which a product
card is visible. The JavaScript of the cold visit is counted from Chrome's network events: bytes as sent
(compressed body, Content-Length) and decoded. Any console error or uncaught page error fails the run. A second
check opens the storefront with JavaScript disabled: its first HTML response must hold every card's title and price.

    python -m bench.browser            (BENCH_BROWSER_ROUNDS=4 rounds; BENCH_BROWSER_FRESH_DB=1 re-seeds)

Needs /usr/bin/chromium (or CREATORLY_TEST_CHROMIUM) and PostgreSQL at CREATORLY_BENCH_POSTGRES_URL.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, WebError, sync_playwright

from bench.common import free_port, load_average, start_server, stop_server

ADMIN_URL = os.environ.get("CREATORLY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_BROWSER_DATABASE", "bench_browser")
ROUNDS = int(os.environ.get("BENCH_BROWSER_ROUNDS", "4"))
IS_FRESH_DATABASE = os.environ.get("BENCH_BROWSER_FRESH_DB", "") == "1"
STOREFRONT_PATH = "/mira"
CARD_SELECTOR = "article.product-card"
APP_START_SECONDS = 600  # a first build on a fresh checkout installs the npm packages
CHROMIUM = os.environ.get("CREATORLY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
GOAL_COLD_SECONDS = 1.0
GOAL_JS_BYTES = 500 * 1024
BENCH_DIR = Path(tempfile.mkdtemp(prefix="creatorly-bench-browser-"))
# The demo's pictures live in the data folder beside the database: both are kept between runs, or made again together.
DATA_DIR = Path(os.environ.get("BENCH_BROWSER_DATA_DIR", Path(tempfile.gettempdir()) / f"creatorly-{DATABASE}-data"))

# Runs before any of the page's own scripts: polls once per frame (rAF does not fire before the first frame may be
# painted, so render-blocking CSS counts) and notes when the first card has a box and is not hidden.
_VISIBLE_PROBE = """
(() => {
  const check = () => {
    const card = document.querySelector(%r);
    if (card) {
      const box = card.getBoundingClientRect();
      if (box.width > 0 && box.height > 0 && getComputedStyle(card).visibility !== "hidden") {
        window.__cardsVisibleAt = performance.now();
        return;
      }
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
""" % (CARD_SELECTOR,)  # noqa: UP031 (JavaScript braces)

# The rendered cards as a static document: the product section inside an empty copy of the Radix theme root (it
# carries the theme's CSS variables), the <html> attributes and the stylesheets the app links.
_CARDS_SNAPSHOT = """
() => {
  const section = document.querySelector(%r).closest("section");
  const theme = section.closest(".radix-themes");
  const shell = theme.cloneNode(false);
  shell.appendChild(section.cloneNode(true));
  const root = document.documentElement;
  return {
    html: shell.outerHTML,
    htmlAttributes: [...root.attributes].map((attribute) => [attribute.name, attribute.value]),
    stylesheets: [...document.querySelectorAll('link[rel="stylesheet"]')].map((link) => link.getAttribute("href")),
    images: [...section.querySelectorAll("img")].map((image) => image.getAttribute("src")),
    cards: [...document.querySelectorAll(%r)].map((card) => ({
      title: card.querySelector("h3").innerText.trim(),
      price: card.querySelector(".rt-Badge").innerText.trim(),
    })),
  };
}
""" % (CARD_SELECTOR, CARD_SELECTOR)  # noqa: UP031


@dataclass
class Visit:
    seconds: float
    js_files: int = 0
    js_wire_bytes: int = 0  # over the wire, headers included (CDP encodedDataLength)
    js_body_bytes: int = 0  # compressed bodies as sent (Content-Length, or the wire bytes of a chunked body)
    js_decoded_bytes: int = 0
    requests: int = 0  # that went to the server (not answered from the browser's cache)
    revalidated: int = 0  # answered 304
    uncompressed_js: list[str] = field(default_factory=list)


@dataclass
class ConsoleProblems:
    problems: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)
        return context

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {message.page.url if message.page else '?'}: {message.text}")

    def _on_web_error(self, error: WebError) -> None:
        self.problems.append(f"uncaught error on {error.page.url if error.page else '?'}: {error.error}")


class NetworkLog:
    """Chrome's own account of one page's requests (Network domain over CDP)."""

    def __init__(self, page: Page) -> None:
        self._responses: dict[str, dict[str, Any]] = {}
        self._decoded: dict[str, int] = {}
        self._finished: dict[str, int] = {}
        self._cached: set[str] = set()
        self._raw_status: dict[str, int] = {}  # the status on the wire: a revalidated file shows its cached 200 above
        session = page.context.new_cdp_session(page)
        session.on("Network.responseReceived", self._on_response)
        session.on("Network.dataReceived", self._on_data)
        session.on("Network.loadingFinished", self._on_finished)
        session.on("Network.requestServedFromCache", lambda event: self._cached.add(event["requestId"]))
        session.on("Network.responseReceivedExtraInfo", self._on_raw_response)
        session.send("Network.enable")

    def _on_response(self, event: dict[str, Any]) -> None:
        self._responses[event["requestId"]] = {"type": event["type"], **event["response"]}

    def _on_raw_response(self, event: dict[str, Any]) -> None:
        self._raw_status[event["requestId"]] = int(event.get("statusCode", 0))

    def _on_data(self, event: dict[str, Any]) -> None:
        self._decoded[event["requestId"]] = self._decoded.get(event["requestId"], 0) + event["dataLength"]

    def _on_finished(self, event: dict[str, Any]) -> None:
        self._finished[event["requestId"]] = int(event["encodedDataLength"])

    def visit(self, seconds: float) -> Visit:
        visit = Visit(seconds=seconds)
        for request_id, response in self._responses.items():
            from_cache = request_id in self._cached or response.get("fromDiskCache") or response.get("fromMemoryCache")
            if not from_cache:
                visit.requests += 1
                visit.revalidated += self._raw_status.get(request_id) == 304
            if response["type"] != "Script" or response.get("status") != 200 or from_cache:
                continue
            headers = {name.lower(): value for name, value in response.get("headers", {}).items()}
            wire = self._finished.get(request_id, 0)
            visit.js_files += 1
            visit.js_wire_bytes += wire
            visit.js_body_bytes += int(headers.get("content-length", wire))
            visit.js_decoded_bytes += self._decoded.get(request_id, 0)
            if not headers.get("content-encoding"):
                visit.uncompressed_js.append(response["url"])
        return visit


def _visit(context: BrowserContext, url: str) -> Visit:
    page = context.new_page()
    network = NetworkLog(page)
    page.goto(url)
    page.wait_for_function("() => window.__cardsVisibleAt !== undefined", timeout=30_000)
    seconds = page.evaluate("() => window.__cardsVisibleAt") / 1000
    page.wait_for_load_state("networkidle")
    page.close()
    return network.visit(seconds)


def _cold_and_warm(browser: Browser, url: str, console: ConsoleProblems) -> tuple[Visit, Visit]:
    context = console.watch(browser.new_context(viewport={"width": 1280, "height": 900}))
    context.add_init_script(_VISIBLE_PROBE)
    try:
        return _visit(context, url), _visit(context, url)
    finally:
        context.close()


# --- the app and its data ------------------------------------------------------------------------------------------


def _database_url() -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{DATABASE}", parts.query, parts.fragment))


async def _ensure_database() -> bool:
    """Create the database when missing (dropped first with BENCH_BROWSER_FRESH_DB=1); True when it was made now."""
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        if IS_FRESH_DATABASE or not DATA_DIR.exists():
            await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            shutil.rmtree(DATA_DIR, ignore_errors=True)
        if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE):
            return False
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
        return True
    finally:
        await admin.close()


def _app_environment(port: int) -> dict[str, str]:
    return {
        "CREATORLY_ENV": "production",
        "CREATORLY_SECRET_KEY": secrets.token_urlsafe(32),
        "CREATORLY_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CREATORLY_PORT": str(port),
        "CREATORLY_DATABASE_URL": _database_url(),
        "CREATORLY_DATA_DIR": str(DATA_DIR),
        "CREATORLY_REDIS_URL": "",
        "CREATORLY_LOG_LEVEL": "WARNING",
        "GRANIAN_WORKERS": "1",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }


def _cli(arguments: list[str], environment: dict[str, str]) -> str:
    full_environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    finished = subprocess.run(
        [sys.executable, "-m", "creatorly.cli", *arguments],
        env={**full_environment, **environment},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if finished.returncode != 0:
        raise SystemExit(f"creatorly {' '.join(arguments)} failed:\n{finished.stdout[-2000:]}{finished.stderr[-2000:]}")
    return finished.stdout.strip().splitlines()[0] if finished.stdout.strip() else ""


def _prepare_data(environment: dict[str, str]) -> None:
    is_new = asyncio.run(_ensure_database())
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    _cli(["migrate"], environment)
    seeded = _cli(["seed-demo"], environment)
    made = "made now" if is_new else "reused"
    print(f"  PostgreSQL database {DATABASE} ({made}): {seeded} ({time.perf_counter() - started:.1f} s)")


def _start_app(port: int, environment: dict[str, str]) -> subprocess.Popen[bytes]:
    started = time.perf_counter()
    process = _started(
        [sys.executable, "-m", "creatorly.cli", "start"], port, BENCH_DIR / "creatorly.log", environment, "/health"
    )
    print(
        f"  creatorly start (compile + production frontend build + server): {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return process


def _started(
    arguments: list[str], port: int, log_path: Path, environment: dict[str, str], health_path: str
) -> subprocess.Popen[bytes]:
    import bench.common

    bench.common.START_SECONDS = APP_START_SECONDS  # the first build installs npm packages
    return start_server(arguments, port=port, log_path=log_path, environment=environment, health_path=health_path)


# --- the JavaScript-disabled check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoScriptCheck:
    passed: bool
    lines: list[str]


def _check_without_javascript(
    browser: Browser, url: str, cards: list[dict[str, str]], console: ConsoleProblems
) -> NoScriptCheck:
    """The first HTML response (as sent, no JavaScript run) holds every card the app renders: title and price; and a
    browser with JavaScript off shows them."""
    document = httpx.get(url, timeout=10).text
    text = unescape(re.sub(r"\s+", " ", document))
    missing = [card for card in cards if card["title"] not in text or card["price"] not in text]
    lines = [f"first HTML response: {len(document)} bytes, {len(cards) - len(missing)}/{len(cards)} cards with price"]
    context = console.watch(browser.new_context(java_script_enabled=False))
    try:
        page = context.new_page()
        page.goto(url)
        shown = page.locator("article.noscript-product")
        visible = [
            {"title": shown.nth(index).locator("h3").inner_text().strip(), "price": shown.nth(index).locator("strong")}
            for index in range(shown.count())
            if shown.nth(index).is_visible()
        ]
        seen = {(entry["title"], entry["price"].inner_text().strip()) for entry in visible}
    finally:
        context.close()
    expected = {(card["title"], card["price"]) for card in cards}
    lines.append(f"JavaScript disabled: {len(seen & expected)}/{len(expected)} cards visible with their price")
    passed = not missing and bool(cards) and expected <= seen
    for card in missing:
        lines.append(f"missing from the HTML: {card['title']} {card['price']}")
    return NoScriptCheck(passed=passed, lines=lines)


# --- the baseline --------------------------------------------------------------------------------------------------


def _write_baseline(app_url: str, snapshot: dict[str, Any], directory: Path) -> None:
    """page.html with the app's cards and stylesheets, plus those files (and the cover images) at the same paths."""
    with httpx.Client(base_url=app_url, timeout=10) as client:
        for path in [*snapshot["stylesheets"], *snapshot["images"], "/favicon.ico"]:
            relative = urlsplit(path).path
            target = directory / relative.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(client.get(relative).raise_for_status().content)
    attributes = " ".join(f'{name}="{value}"' for name, value in snapshot["htmlAttributes"])
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in snapshot["stylesheets"])
    (directory / "page.html").write_text(
        f'<!DOCTYPE html><html {attributes}><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Mira · Creatorly</title>{links}</head><body>{snapshot['html']}</body></html>"
    )


def _start_baseline(port: int, directory: Path) -> subprocess.Popen[bytes]:
    command = "-m granian --interface asgi --workers 1 --host 127.0.0.1 --log-level warning --port"
    return _started(
        [sys.executable, *command.split(), str(port), "bench.browser_baseline:app"],
        port,
        BENCH_DIR / "baseline.log",
        {"BENCH_BROWSER_BASELINE_DIR": str(directory), "BENCH_BROWSER_BASELINE_PAGE": STOREFRONT_PATH},
        "/health",
    )


# --- figures -------------------------------------------------------------------------------------------------------


def _kilobytes(count: float) -> str:
    return f"{count / 1024:.0f} KB"


def _line(kind: str, cold: Visit, warm: Visit) -> str:
    return (
        f"  {kind:<10} cold {cold.seconds * 1000:6.0f} ms  warm {warm.seconds * 1000:6.0f} ms  | cold: "
        f"{cold.requests} requests, JS {cold.js_files} files {_kilobytes(cold.js_body_bytes)} as sent "
        f"({_kilobytes(cold.js_decoded_bytes)} decoded)  | warm: {warm.requests} requests ({warm.revalidated} × 304), "
        f"JS {_kilobytes(warm.js_wire_bytes)} over the wire"
    )


def _median(visits: list[Visit]) -> float:
    return statistics.median(visit.seconds for visit in visits)


def _report(runs: dict[str, dict[str, list[Visit]]], check: NoScriptCheck, problems: list[str]) -> bool:
    cold = {kind: _median(visits["cold"]) for kind, visits in runs.items()}
    warm = {kind: _median(visits["warm"]) for kind, visits in runs.items()}
    first_cold = runs["creatorly"]["cold"][0]
    print(
        f"  median cold: creatorly {cold['creatorly'] * 1000:.0f} ms, baseline {cold['baseline'] * 1000:.0f} ms, "
        f"ratio {cold['creatorly'] / cold['baseline']:.1f}"
    )
    print(
        f"  median warm: creatorly {warm['creatorly'] * 1000:.0f} ms, baseline {warm['baseline'] * 1000:.0f} ms, "
        f"ratio {warm['creatorly'] / warm['baseline']:.1f}"
    )
    print(
        f"  creatorly JS of a cold visit: {first_cold.js_files} files, {first_cold.js_body_bytes:,} bytes as sent "
        f"({first_cold.js_wire_bytes:,} on the wire with headers), {first_cold.js_decoded_bytes:,} decoded"
    )
    if first_cold.uncompressed_js:
        print(f"  sent uncompressed: {', '.join(urlsplit(url).path for url in first_cold.uncompressed_js)}")
    goals = [
        (f"cold < {GOAL_COLD_SECONDS:.1f} s", cold["creatorly"] < GOAL_COLD_SECONDS),
        (f"JS < {_kilobytes(GOAL_JS_BYTES)} compressed", first_cold.js_body_bytes < GOAL_JS_BYTES),
        ("cards and prices in the first HTML", check.passed),
        ("no console errors", not problems),
    ]
    for line in check.lines:
        print(f"  {line}")
    print("  goals: " + "; ".join(f"{name} {'met' if met else 'NOT met'}" for name, met in goals))
    for problem in problems[:20]:
        print(f"  {problem}")
    return all(met for _, met in goals)


def _measure_rounds(
    browser: Browser, urls: dict[str, str], console: ConsoleProblems
) -> dict[str, dict[str, list[Visit]]]:
    runs: dict[str, dict[str, list[Visit]]] = {kind: {"cold": [], "warm": []} for kind in urls}
    for _round in range(ROUNDS):
        for kind in ("creatorly", "baseline"):
            cold, warm = _cold_and_warm(browser, urls[kind], console)
            runs[kind]["cold"].append(cold)
            runs[kind]["warm"].append(warm)
            print(_line(kind, cold, warm), flush=True)
    return runs


def _run() -> bool:
    print(f"Storefront in headless Chromium: {STOREFRONT_PATH} of the demo, {ROUNDS} rounds A B A B, PostgreSQL")
    print(f"  {load_average()} (before)")
    app_port, baseline_port = free_port(), free_port()
    environment = _app_environment(app_port)
    _prepare_data(environment)
    app = _start_app(app_port, environment)
    baseline: subprocess.Popen[bytes] | None = None
    console = ConsoleProblems()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            app_url = f"http://127.0.0.1:{app_port}{STOREFRONT_PATH}"
            context = console.watch(browser.new_context(viewport={"width": 1280, "height": 900}))
            page = context.new_page()
            page.goto(app_url)
            page.locator(CARD_SELECTOR).first.wait_for(state="visible", timeout=60_000)
            page.wait_for_load_state("networkidle")
            snapshot = page.evaluate(_CARDS_SNAPSHOT)
            context.close()
            titles = ", ".join(card["title"] for card in snapshot["cards"])
            print(f"  {len(snapshot['cards'])} product cards: {titles}")
            check = _check_without_javascript(browser, app_url, snapshot["cards"], console)
            baseline_directory = BENCH_DIR / "baseline"
            _write_baseline(f"http://127.0.0.1:{app_port}", snapshot, baseline_directory)
            baseline = _start_baseline(baseline_port, baseline_directory)
            urls = {"creatorly": app_url, "baseline": f"http://127.0.0.1:{baseline_port}{STOREFRONT_PATH}"}
            runs = _measure_rounds(browser, urls, console)
            browser.close()
    finally:
        stop_server(app)
        if baseline is not None:
            stop_server(baseline)
    passed = _report(runs, check, console.problems)
    print(f"  {load_average()} (after); logs in {BENCH_DIR}")
    return passed


def main() -> None:
    sys.exit(0 if _run() else 1)


if __name__ == "__main__":
    main()
