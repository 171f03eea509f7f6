"""The local-routes baseline: a bare Starlette app serving, as plain static files, the exact bytes Creatorly sent once
for each benchmarked route (storefront and product HTML, /sitemap.xml, /health) and the same 1 MB product file as a
`FileResponse` (granian's pathsend). Served by granian with one worker, as `bench.routes` runs it beside Creatorly.

BENCH_ROUTES_STATIC_DIR holds one file per route (see `bench.routes`): `storefront.html`, `product.html`,
`sitemap.xml`, `health.json` and `download.bin`.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

STATIC_DIR = Path(os.environ.get("BENCH_ROUTES_STATIC_DIR", "."))
_TYPES = {
    "storefront.html": "text/html; charset=utf-8",
    "product.html": "text/html; charset=utf-8",
    "sitemap.xml": "application/xml",
    "health.json": "application/json",
}


def _static(name: str) -> Callable[[Request], Awaitable[Response]]:
    path = STATIC_DIR / name

    async def serve(_request: Request) -> Response:
        return FileResponse(path, media_type=_TYPES[name])

    return serve


async def download(_request: Request) -> Response:
    return FileResponse(
        STATIC_DIR / "download.bin",
        media_type="application/zip",
        headers={"Cache-Control": "private, no-store"},
        content_disposition_type="attachment",
        filename="bench.zip",
    )


app = Starlette(
    routes=[
        Route("/health", _static("health.json")),
        Route("/sitemap.xml", _static("sitemap.xml")),
        Route("/api/downloads/{token}", download),
        Route("/{handle}/{slug}", _static("product.html")),
        Route("/{handle}", _static("storefront.html")),
    ]
)
