"""SEO over HTTP: page meta written into Reflex's HTML, /sitemap.xml, /robots.txt and public images."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from html import escape

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creatorly.api.seo_content import render_page_content
from creatorly.config import settings
from creatorly.observability import get_logger
from creatorly.services.catalog import page_versions, public, public_content
from creatorly.services.catalog.public import PageMeta, PublicPath, SitemapUrl

logger = get_logger(__name__)

# granian offers pathsend and Starlette's FileResponse then sends no body we could rewrite.
_DROPPED_EXTENSIONS = ("http.response.pathsend", "http.response.zerocopysend")
# The whole, uncompressed, current document is what we rewrite: no gzip sidecar, no 304, no byte range.
_DROPPED_REQUEST_HEADERS = frozenset(
    {b"accept-encoding", b"if-none-match", b"if-modified-since", b"range", b"if-range"}
)
_MAX_BUFFERED_BYTES = 2 * 1024 * 1024
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_BODY_START = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(r"<title\b[^>]*>.*?</title\s*>", re.IGNORECASE | re.DOTALL)
_REPLACED_TAGS = re.compile(
    r"""<meta\b[^>]*\b(?:name|property)\s*=\s*["'](?:description|og:[^"']*|twitter:[^"']*|product:[^"']*|article:[^"']*)["'][^>]*>"""
    r"""|<link\b[^>]*\brel\s*=\s*["']canonical["'][^>]*>""",
    re.IGNORECASE,
)
DISALLOWED_PREFIXES = ("/api/", "/dev/")
# Exact pages, not prefixes: a plain "Disallow: /account" would also hide a storefront such as /accountant.
DISALLOWED_PAGES = ("/account", "/dashboard", "/signin", "/signup", "/reset-password", "/verify-email")


def _escape(value: str) -> str:
    return escape(value, quote=True)


def render_meta_tags(meta: PageMeta) -> str:
    """The canonical link and description, Open Graph, product price, article time and Twitter tags, escaped."""
    tags = [("name", "description", meta.description)]
    tags += [("property", "og:type", meta.og_type), ("property", "og:site_name", public.SITE_NAME)]
    tags += [("property", "og:title", meta.title), ("property", "og:description", meta.description)]
    tags += [("property", "og:url", meta.canonical_url)]
    if meta.image_url:
        tags.append(("property", "og:image", meta.image_url))
    if meta.price_amount is not None and meta.price_currency is not None:
        tags += [("property", "product:price:amount", meta.price_amount)]
        tags += [("property", "product:price:currency", meta.price_currency)]
    if meta.published_time is not None:
        tags.append(("property", "article:published_time", meta.published_time))
    tags.append(("name", "twitter:card", "summary_large_image" if meta.image_url else "summary"))
    tags += [("name", "twitter:title", meta.title), ("name", "twitter:description", meta.description)]
    if meta.image_url:
        tags.append(("name", "twitter:image", meta.image_url))
    canonical = f'<link rel="canonical" href="{_escape(meta.canonical_url)}">'
    return canonical + "".join(f'<meta {kind}="{name}" content="{_escape(value)}">' for kind, name, value in tags)


def inject_page_meta(document: str, meta: PageMeta) -> str | None:
    """The document with its title replaced (or added) and the meta tags before </head>; None without a head."""
    head_end = _HEAD_END.search(document)
    if head_end is None:
        return None
    head, rest = _REPLACED_TAGS.sub("", document[: head_end.start()]), document[head_end.start() :]
    title = f"<title>{_escape(meta.title)}</title>"
    head, replaced = _TITLE.subn(lambda _match: title, head, count=1)
    return head + ("" if replaced else title) + render_meta_tags(meta) + rest


def inject_body_content(document: str, content_html: str) -> str:
    """The document with `content_html` right after <body> (unchanged without a body)."""
    body = _BODY_START.search(document)
    if body is None or not content_html:
        return document
    return document[: body.end()] + content_html + document[body.end() :]


def _page_path(scope: Scope) -> PublicPath | None:
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    return public.public_page_path(scope["path"])


def _prepared_scope(scope: Scope) -> Scope:
    extensions = dict(scope.get("extensions") or {})
    for name in _DROPPED_EXTENSIONS:
        extensions.pop(name, None)
    headers = [(name, value) for name, value in scope["headers"] if name.lower() not in _DROPPED_REQUEST_HEADERS]
    return {**scope, "extensions": extensions, "headers": headers}


@dataclass(frozen=True, slots=True)
class _CachedPage:
    generation: int
    expires_at: float
    headers: tuple[tuple[bytes, bytes], ...]  # of the GET answer, its content-length included
    body: bytes


class PageCache:
    """Rewritten storefront and product pages by address (public URL, path, query), as sent to the last visitor.

    An entry is served while nothing it shows has changed in this process (`page_versions`) and for at most
    `settings.page_cache_seconds` (changes made by other processes); 0 turns the cache off. Post pages are never
    kept: what they show changes with the clock (scheduled and early-access posts).
    """

    MAX_ENTRIES = 1024

    def __init__(self) -> None:
        self._pages: dict[tuple[str, str, bytes], _CachedPage] = {}

    def get(self, key: tuple[str, str, bytes]) -> _CachedPage | None:
        page = self._pages.get(key)
        if page is None:
            return None
        if page.generation != page_versions.current() or time.monotonic() >= page.expires_at:
            del self._pages[key]
            return None
        return page

    def put(self, key: tuple[str, str, bytes], page: _CachedPage) -> None:
        if page.generation != page_versions.current():
            return  # changed while it was being rendered
        if len(self._pages) >= self.MAX_ENTRIES:
            del self._pages[next(iter(self._pages))]  # the oldest
        self._pages[key] = page

    def clear(self) -> None:
        self._pages.clear()
        _sitemaps.clear()


page_cache = PageCache()


def _has_origin(scope: Scope) -> bool:
    return any(name == b"origin" for name, _ in scope["headers"])


def _cache_key(scope: Scope) -> tuple[str, str, bytes]:
    return (settings.resolved_public_url, scope["path"], scope.get("query_string", b""))


class SeoMetaMiddleware:
    """Wraps the whole ASGI app: storefront, product and post HTML gets its own title, description and social tags.

    Prod builds prerender only static routes, so `/{handle}`, `/{handle}/{slug}` and posts are served a generic
    shell; crawlers and link previews read the tags written here. Anything else streams through untouched.
    Rewritten storefront and product pages are kept in `page_cache` and answered from it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _page_path(scope)
        if path is None:
            await self.app(scope, receive, send)
            return
        # A cross-origin request's answer carries CORS headers for that origin only: never kept, never from the cache.
        is_cacheable = path.post_slug is None and settings.page_cache_seconds > 0 and not _has_origin(scope)
        key = _cache_key(scope)
        cached = page_cache.get(key) if is_cacheable else None
        if cached is not None:
            await _send_cached(cached, send, is_head=scope["method"] == "HEAD")
            return
        generation = page_versions.current()  # before any of the page's reads
        responder = _MetaResponder(scope, send)
        await self.app(_prepared_scope(scope), receive, responder.send)
        if is_cacheable and responder.rewritten is not None:
            headers, body = responder.rewritten
            expires_at = time.monotonic() + settings.page_cache_seconds
            page_cache.put(key, _CachedPage(generation, expires_at, headers, body))


async def _send_cached(page: _CachedPage, send: Send, *, is_head: bool) -> None:
    headers = [(name, value) for name, value in page.headers if not (is_head and name == b"content-length")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if is_head else page.body, "more_body": False})


class _MetaResponder:
    """Passes messages through, except a 200 text/html page with meta: buffered, rewritten, sent once."""

    def __init__(self, scope: Scope, send: Send) -> None:
        self._path: str = scope["path"]
        self._is_head = scope["method"] == "HEAD"
        self._send = send
        self._meta: PageMeta | None = None
        self._content_html = ""
        self._start: Message | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self.rewritten: tuple[tuple[tuple[bytes, bytes], ...], bytes] | None = None  # a GET's headers and body

    async def send(self, message: Message) -> None:
        if self._start is not None:
            await self._buffer(message)
        elif message["type"] == "http.response.start" and await self._has_meta(message):
            self._start = message
        else:
            await self._send(message)

    async def _has_meta(self, start: Message) -> bool:
        headers = Headers(raw=start.get("headers", []))
        is_html = headers.get("content-type", "").lower().startswith("text/html")
        if start["status"] != 200 or not is_html or "content-encoding" in headers:
            return False
        try:
            self._meta = await public.page_meta_for_path(self._path)
        except Exception:
            logger.exception("seo_meta_lookup_failed", path=self._path)
            return False
        if self._meta is not None:
            await self._load_content()
        return self._meta is not None

    async def _load_content(self) -> None:
        try:
            content = await public_content.public_content_for_path(self._path)
        except Exception:
            logger.exception("seo_content_lookup_failed", path=self._path)
            return
        self._content_html = "" if content is None else render_page_content(content)

    async def _buffer(self, message: Message) -> None:
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        self._chunks.append(message.get("body", b""))
        self._size += len(self._chunks[-1])
        if self._size > _MAX_BUFFERED_BYTES:
            await self._flush_unchanged(more_body=message.get("more_body", False))
        elif not message.get("more_body", False):
            await self._send_rewritten()

    async def _flush_unchanged(self, *, more_body: bool) -> None:
        assert self._start is not None
        start, self._start = self._start, None
        await self._send(start)
        await self._send({"type": "http.response.body", "body": b"".join(self._chunks), "more_body": more_body})

    async def _send_rewritten(self) -> None:
        assert self._start is not None and self._meta is not None
        document = _decoded(b"".join(self._chunks))
        rewritten = None if document is None else inject_page_meta(document, self._meta)
        if rewritten is not None:
            rewritten = inject_body_content(rewritten, self._content_html)
        if rewritten is None and not self._is_head:
            await self._flush_unchanged(more_body=False)
            return
        body = b"" if rewritten is None else rewritten.encode("utf-8")
        headers = MutableHeaders(raw=list(self._start.get("headers", [])))
        for name in ("etag", "last-modified", "content-length"):
            del headers[name]
        if not self._is_head:
            # A HEAD answer has no body to measure; its length would be the rewritten GET's, so leave it out.
            headers["content-length"] = str(len(body))
            self.rewritten = (tuple(headers.raw), body)
        await self._send({**self._start, "headers": headers.raw})
        await self._send({"type": "http.response.body", "body": body, "more_body": False})


def _decoded(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def render_sitemap(urls: list[SitemapUrl]) -> str:
    entries = "".join(
        f"<url><loc>{_escape(url.loc)}</loc>"
        + (f"<lastmod>{url.lastmod.isoformat()}</lastmod>" if url.lastmod else "")
        + "</url>\n"
        for url in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )


def render_robots() -> str:
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}" for prefix in DISALLOWED_PREFIXES]
    for page in DISALLOWED_PAGES:
        lines += [f"Disallow: {page}$", f"Disallow: {page}/", f"Disallow: {page}?"]
    return "\n".join([*lines, "", f"Sitemap: {settings.resolved_public_url}/sitemap.xml", ""])


@dataclass(frozen=True, slots=True)
class _CachedSitemap:
    public_url: str
    generation: int
    expires_at: float
    body: bytes


_sitemaps: list[_CachedSitemap] = []  # the latest one, kept like pages (see PageCache)


async def _sitemap_body() -> bytes:
    kept = _sitemaps[0] if _sitemaps else None
    now = time.monotonic()
    if (
        kept is not None
        and kept.public_url == settings.resolved_public_url
        and kept.generation == page_versions.current()
        and now < kept.expires_at
    ):
        return kept.body
    generation = page_versions.current()  # before the reads
    body = render_sitemap(await public.sitemap_urls()).encode("utf-8")
    if settings.page_cache_seconds > 0 and generation == page_versions.current():
        expires_at = time.monotonic() + settings.page_cache_seconds
        _sitemaps[:] = [_CachedSitemap(settings.resolved_public_url, generation, expires_at, body)]
    return body


async def sitemap(_request: Request) -> Response:
    return Response(
        await _sitemap_body(), media_type="application/xml", headers={"Cache-Control": "public, max-age=3600"}
    )


async def robots(_request: Request) -> Response:
    return PlainTextResponse(render_robots(), headers={"Cache-Control": "public, max-age=3600"})


async def media(request: Request) -> Response:
    """GET /media/{key}: a public image (storage key media/{key}); everything else is 404."""
    image = await public.open_public_image(request.path_params["key"])
    if image is None:
        return PlainTextResponse("Not found.", status_code=404)
    headers = {
        "Content-Length": str(image.size_bytes),
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
    }
    if request.method == "HEAD":
        return Response(headers=headers, media_type=image.content_type)
    return StreamingResponse(image.chunks, headers=headers, media_type=image.content_type)


routes = [
    Route("/sitemap.xml", sitemap, methods=["GET", "HEAD"]),
    Route("/robots.txt", robots, methods=["GET", "HEAD"]),
    Route("/media/{key:path}", media, methods=["GET", "HEAD"]),
]
