"""The built frontend over HTTP: hashed bundle files cached for a year, and each page's route modules preloaded.

Reflex's production server sends the Vite bundle (`/assets/<name>-<hash>.<ext>`, gzip sidecars) with an ETag but
no Cache-Control, so a returning visitor's browser asks again for each of ~70 files, or guesses. Their names change
with their content: they are immutable.

Prerendered pages link their route's modules; a dynamic page (`/{handle}`, `/{handle}/{slug}`, …) is served the
SPA fallback, which links only the root's, so the browser learns of the route module (and the ~50 files it
imports) only once React Router runs, and the page's first state event waits for them. The route table of the
build (React Router's manifest, `window.__reactRouterManifest` in `/assets/manifest-<hash>.js`) names them: each
HTML page gets `<link rel="modulepreload">` for its route's files that it does not link yet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creatorly.observability import get_logger

logger = get_logger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
# Vite names every file it emits `<name>-<8 character hash>.<ext>`; React Router's manifest `manifest-<8 hex>.js`.
_HASHED_ASSET = re.compile(r"/assets/[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+")
_MANIFEST_LINK = re.compile(rb'href="(/assets/manifest-[0-9a-f]{8}\.js)"')
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_MAX_BUFFERED_BYTES = 2 * 1024 * 1024
_DROPPED_EXTENSIONS = ("http.response.pathsend", "http.response.zerocopysend")
_NOT_PAGES = ("/api/", "/_")


def is_hashed_asset(path: str) -> bool:
    return _HASHED_ASSET.fullmatch(path) is not None


@dataclass(frozen=True, slots=True)
class RouteModules:
    """One page route of the build: its path pattern split into segments (":name" for a parameter), its files."""

    segments: tuple[str, ...]
    files: tuple[str, ...]

    def static_segments(self) -> int:
        return sum(not segment.startswith(":") for segment in self.segments)

    def matches(self, segments: list[str]) -> bool:
        if len(segments) != len(self.segments):
            return False
        return all(
            pattern == segment or (pattern.startswith(":") and segment != "")
            for pattern, segment in zip(self.segments, segments, strict=True)
        )


def parse_manifest(text: str) -> list[RouteModules]:
    """The page routes of React Router's `window.__reactRouterManifest={…}` (the root and catch-all left out)."""
    manifest = json.loads(text[text.index("{") : text.rindex("}") + 1])
    routes = []
    for route in manifest["routes"].values():
        path = route.get("path")
        if route.get("id") == "root" or path == "*":
            continue
        segments = tuple(segment for segment in (path or "").split("/") if segment)
        routes.append(RouteModules(segments=segments, files=(route["module"], *route.get("imports", []))))
    return routes


def route_files(routes: list[RouteModules], path: str) -> tuple[str, ...]:
    """The files of the route React Router picks for `path` (static segments beat parameters); () for none."""
    segments = [segment for segment in path.split("/") if segment]
    candidates = [route for route in routes if route.matches(segments)]
    if not candidates:
        return ()
    return max(candidates, key=RouteModules.static_segments).files


def with_preloads(document: bytes, files: tuple[str, ...]) -> bytes:
    """`document` with a modulepreload link before </head> for each file it does not mention yet."""
    head_end = _HEAD_END.search(document)
    if head_end is None:
        return document
    links = b"".join(
        b'<link rel="modulepreload" href="' + name.encode() + b'"/>'
        for name in dict.fromkeys(files)
        if b'"' + name.encode() + b'"' not in document
    )
    return document[: head_end.start()] + links + document[head_end.start() :]


@lru_cache(maxsize=4)
def _routes_of_manifest(static_dir: Path, manifest_path: str) -> list[RouteModules]:
    return parse_manifest((static_dir / manifest_path.lstrip("/")).read_text(encoding="utf-8"))


class FrontendAssetsMiddleware:
    """Wraps the app: `Cache-Control: immutable` on hashed bundle files, route preloads written into HTML pages."""

    def __init__(self, app: ASGIApp, *, static_dir: Path | None = None) -> None:
        self.app = app
        self._static_dir = static_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if is_hashed_asset(scope["path"]):
            await self.app(scope, receive, _immutable(send))
            return
        if scope["method"] == "HEAD" or scope["path"].startswith(_NOT_PAGES):
            # HEAD: no document to add to, and its length must stay the GET's. Our API and Reflex's own endpoints
            # are never pages: they keep the server's file sending (pathsend) for downloads.
            await self.app(scope, receive, send)
            return
        responder = _PreloadResponder(send, scope["path"], self._resolved_static_dir())
        extensions = {k: v for k, v in (scope.get("extensions") or {}).items() if k not in _DROPPED_EXTENSIONS}
        await self.app({**scope, "extensions": extensions}, receive, responder.send)

    def _resolved_static_dir(self) -> Path:
        if self._static_dir is None:
            from reflex.utils.prerequisites import get_web_dir
            from reflex_base import constants

            self._static_dir = (get_web_dir() / constants.Dirs.STATIC).resolve()
        return self._static_dir


def _immutable(send: Send) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] in (200, 304):
            headers = MutableHeaders(scope=message)
            headers["cache-control"] = IMMUTABLE
        await send(message)

    return sender


class _PreloadResponder:
    """A 200 uncompressed HTML page is buffered and sent once with its route's preloads; anything else streams."""

    def __init__(self, send: Send, path: str, static_dir: Path) -> None:
        self._send = send
        self._path = path
        self._static_dir = static_dir
        self._start: Message | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._is_passthrough = False

    async def send(self, message: Message) -> None:
        if self._is_passthrough:
            await self._send(message)
        elif message["type"] == "http.response.start":
            headers = Headers(raw=message.get("headers", []))
            is_html = headers.get("content-type", "").lower().startswith("text/html")
            self._is_passthrough = message["status"] != 200 or not is_html or "content-encoding" in headers
            if self._is_passthrough:
                await self._send(message)
            else:
                self._start = message
        elif message["type"] != "http.response.body":
            await self._send(message)
        else:
            await self._buffer(message)

    async def _buffer(self, message: Message) -> None:
        self._chunks.append(message.get("body", b""))
        self._size += len(self._chunks[-1])
        more_body = message.get("more_body", False)
        if more_body and self._size <= _MAX_BUFFERED_BYTES:
            return
        body = b"".join(self._chunks)
        if not more_body:
            body = self._preloaded(body)
        assert self._start is not None
        headers = MutableHeaders(raw=list(self._start.get("headers", [])))
        if not more_body and "content-length" in headers:
            headers["content-length"] = str(len(body))
        self._is_passthrough = True
        await self._send({**self._start, "headers": headers.raw})
        await self._send({"type": "http.response.body", "body": body, "more_body": more_body})

    def _preloaded(self, document: bytes) -> bytes:
        manifest = _MANIFEST_LINK.search(document)
        if manifest is None:
            return document
        try:
            routes = _routes_of_manifest(self._static_dir, manifest.group(1).decode())
        except (OSError, ValueError, KeyError):
            logger.warning("route_manifest_unreadable", manifest=manifest.group(1).decode())
            return document
        return with_preloads(document, route_files(routes, self._path))
