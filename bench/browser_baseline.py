"""The baseline of bench/browser.py: a bare Starlette app on granian serving one static, server-rendered HTML page
with the storefront's product cards (their HTML, stylesheets and cover images copied from the running app into
BENCH_BROWSER_BASELINE_DIR), gzip on the fly, hashed assets cached as immutable, the page itself `no-cache`.

    BENCH_BROWSER_BASELINE_DIR=… python -m granian --interface asgi bench.browser_baseline:app
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DIRECTORY = Path(os.environ.get("BENCH_BROWSER_BASELINE_DIR", "."))
PAGE_PATH = os.environ.get("BENCH_BROWSER_BASELINE_PAGE", "/mira")
IMMUTABLE = b"public, max-age=31536000, immutable"


async def page(_request: Request) -> Response:
    return FileResponse(DIRECTORY / "page.html", media_type="text/html", headers={"Cache-Control": "no-cache"})


async def health(_request: Request) -> Response:
    return PlainTextResponse("ok")


class ImmutableAssets:
    """Every file under /assets/ and /media/ carries a content hash in its name: cache it for a year. Also drops
    granian's pathsend extension, with which Starlette's FileResponse bypasses GZipMiddleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extensions = {name: value for name, value in (scope.get("extensions") or {}).items() if "pathsend" not in name}
        scope = {**scope, "extensions": extensions}
        if not scope["path"].startswith(("/assets/", "/media/")):
            await self.app(scope, receive, send)
            return

        async def send_with_cache(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message = {**message, "headers": [*message.get("headers", []), (b"cache-control", IMMUTABLE)]}
            await send(message)

        await self.app(scope, receive, send_with_cache)


app = Starlette(
    routes=[
        Route("/health", health),
        Route(PAGE_PATH, page),
        Mount("/", StaticFiles(directory=DIRECTORY, check_dir=False)),
    ],
    middleware=[Middleware(GZipMiddleware, minimum_size=500), Middleware(ImmutableAssets)],
)
