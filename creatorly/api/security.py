"""Security headers on every response and the cross-site check on state-changing routes.

`SecurityHeadersMiddleware` wraps the whole app (the outermost `api_transformer`), so Reflex's pages, our API
routes and static files all get the same headers:

- a Content-Security-Policy with a fresh nonce per HTML document: every `<script>` in the page gets that nonce
  (Reflex's build has inline bootstrap scripts), so no `'unsafe-inline'` and no `'unsafe-eval'` for scripts;
  styles keep `'unsafe-inline'`, which Radix and Emotion need for their runtime styles. The hosted payment pages
  (`/pay/...`) also allow their provider's script, API and frames (Stripe, Razorpay, or a local stand-in);
- HSTS when the public URL is https, `X-Content-Type-Options`, `Referrer-Policy`, `frame-ancestors 'none'` (and
  `X-Frame-Options` for older browsers), `Permissions-Policy`, `Cross-Origin-Opener-Policy`;
- POST/PUT/PATCH/DELETE from another site are refused with 403 (Fetch Metadata, then Origin), except where
  other sites must reach us: provider webhooks and Razorpay's checkout callback (each verified by signature).
"""

from __future__ import annotations

import re
import secrets
import struct
import zlib
from functools import cache
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from creatorly.config import settings

CSP_HEADER = "content-security-policy"
_SCRIPT_TAG = re.compile(rb"<script\b", re.IGNORECASE)
_MAX_BUFFERED_BYTES = 4 * 1024 * 1024
# Pathsend hands the file to the server and leaves no body to rewrite; compressed bodies can't be rewritten.
_DROPPED_EXTENSIONS = ("http.response.pathsend", "http.response.zerocopysend")
_DROPPED_DOCUMENT_HEADERS = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since", b"range"})
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Reached by other sites on purpose; each request is verified by the provider's signature instead.
CROSS_SITE_ALLOWED_PREFIXES = ("/api/webhooks/",)
CROSS_SITE_ALLOWED_PATTERNS = (re.compile(r"^/api/pay/razorpay/[^/]+/callback$"),)

_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), usb=(), "
    "interest-cohort=(), payment=(self)"
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@cache
def _public_origin() -> str:
    return _origin(settings.resolved_public_url)


def _is_https() -> bool:
    return settings.resolved_public_url.startswith("https://")


@cache
def _payment_sources() -> tuple[str, str, str]:
    """(script, connect, frame) sources a hosted payment page needs for the configured providers."""
    scripts: list[str] = []
    connects: list[str] = []
    frames: list[str] = []
    if settings.stripe_api_base:
        scripts.append(_origin(settings.stripe_api_base))
        connects.append(_origin(settings.stripe_api_base))
    else:
        scripts.append("https://js.stripe.com")
        connects += ["https://api.stripe.com", "https://m.stripe.network"]
        frames += ["https://js.stripe.com", "https://hooks.stripe.com"]
    if settings.razorpay_api_base:
        origin = _origin(settings.razorpay_api_base)
        scripts.append(origin)
        connects.append(origin)
        frames.append(origin)
    else:
        scripts.append("https://checkout.razorpay.com")
        connects += ["https://api.razorpay.com", "https://lumberjack.razorpay.com"]
        frames += ["https://api.razorpay.com", "https://checkout.razorpay.com"]
    return " ".join(scripts), " ".join(connects), " ".join(frames)


def content_security_policy(nonce: str, path: str) -> str:
    script = f"'self' 'nonce-{nonce}'"
    connect = "'self'"
    frame = "'none'"
    form_action = "'self'"
    if path.startswith("/pay/"):
        scripts, connects, frames = _payment_sources()
        script, connect = f"{script} {scripts}", f"{connect} {connects}"
        frame = frames or "'none'"
        form_action = f"'self' {frames}".strip()
    directives = [
        "default-src 'self'",
        f"script-src {script}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "font-src 'self' data:",
        f"connect-src {connect}",
        "media-src 'self' blob: https:",
        f"frame-src {frame}",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {form_action}",
    ]
    if _is_https():
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


_COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", _PERMISSIONS_POLICY.encode()),
    (b"cross-origin-opener-policy", b"same-origin-allow-popups"),
)
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_NOT_FRAMED = (CSP_HEADER.encode(), b"frame-ancestors 'none'")


def _common_headers(headers: MutableHeaders) -> None:
    _add_missing(headers.raw, with_policy=False)


def _add_missing(raw: list[tuple[bytes, bytes]], *, with_policy: bool) -> None:
    """Append each protective header the answer doesn't set itself (and, asked to, the not-framed policy)."""
    present = {name.lower() for name, _ in raw}
    raw.extend(header for header in _COMMON_HEADERS if header[0] not in present)
    if _is_https() and _HSTS[0] not in present:
        raw.append(_HSTS)
    if with_policy and _NOT_FRAMED[0] not in present:
        # Not an HTML document we stamped (JSON, a file, a script): it may not be framed.
        raw.append(_NOT_FRAMED)


def is_cross_site(scope: Scope) -> bool:
    """A browser request sent by another site: Fetch Metadata says so, or (older browsers) the Origin differs."""
    headers = Headers(scope=scope)
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin == "null"
    return origin != _public_origin() and origin != _request_origin(scope, headers)


def _request_origin(scope: Scope, headers: Headers) -> str:
    host = headers.get("host", "")
    return f"{scope.get('scheme', 'http')}://{host}" if host else ""


def _may_cross_site(path: str) -> bool:
    return path.startswith(CROSS_SITE_ALLOWED_PREFIXES) or any(p.match(path) for p in CROSS_SITE_ALLOWED_PATTERNS)


def _wants_document(scope: Scope) -> bool:
    if scope["method"] not in ("GET", "HEAD"):
        return False
    for name, value in scope["headers"]:
        if (name == b"sec-fetch-dest" and value == b"document") or (name == b"accept" and b"text/html" in value):
            return True
    return False


def _accepts_gzip(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            for entry in value.decode("latin-1").lower().split(","):
                coding, _, parameters = entry.partition(";")
                if coding.strip() in ("gzip", "*"):
                    quality = parameters.strip().removeprefix("q=").strip()
                    return not quality or _quality(quality) > 0
    return False


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if scope["method"] in _UNSAFE_METHODS and not _may_cross_site(path) and is_cross_site(scope):
            refusal = JSONResponse(
                {"error": "cross_site_request", "message": "This request came from another site and was refused."},
                status_code=403,
            )
            await refusal(scope, receive, _with_headers(send, nonce=None, path=path))
            return
        if _wants_document(scope):
            is_head = scope["method"] == "HEAD"
            responder = _DocumentResponder(send, path, is_head=is_head, may_gzip=not is_head and _accepts_gzip(scope))
            await self.app(_document_scope(scope), receive, responder.send)
            return
        await self.app(scope, receive, _with_headers(send, nonce=None, path=path))


def _document_scope(scope: Scope) -> Scope:
    extensions = {k: v for k, v in (scope.get("extensions") or {}).items() if k not in _DROPPED_EXTENSIONS}
    headers = [(name, value) for name, value in scope["headers"] if name.lower() not in _DROPPED_DOCUMENT_HEADERS]
    return {**scope, "extensions": extensions, "headers": headers}


def _with_headers(send: Send, *, nonce: str | None, path: str) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            if nonce:
                headers = MutableHeaders(scope=message)
                _common_headers(headers)
                if CSP_HEADER not in headers:
                    headers[CSP_HEADER] = content_security_policy(nonce, path)
            else:
                raw = message.setdefault("headers", [])
                if not isinstance(raw, list):
                    raw = message["headers"] = list(raw)
                _add_missing(raw, with_policy=True)
        await send(message)

    return sender


# Bodies this process stamped before (Reflex's pages are files: the same few bytes again and again), split where
# each `<script` starts and, for gzip, each part deflated once; a visit then only joins them around a new nonce.
_MAX_KNOWN_DOCUMENTS = 64
_GZIP_FROM_BYTES = 1024
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS
_LAST_BLOCK = b"\x03\x00"  # an empty final block with fixed codes


class _KnownDocument:
    __slots__ = ("_deflated", "parts")

    def __init__(self, body: bytes) -> None:
        self.parts = _SCRIPT_TAG.split(body)
        self._deflated: list[bytes] | None = None

    def stamped(self, tag: bytes) -> bytes:
        return tag.join(self.parts)

    def gzipped(self, tag: bytes, plain: bytes) -> bytes:
        """`plain` (this document stamped with `tag`) as gzip: the parts' deflate blocks, cut at byte boundaries
        (sync flush), with the tag between them as stored blocks, then the checksum of `plain`."""
        if self._deflated is None:
            self._deflated = [_deflated(part) for part in self.parts]
        stored_tag = b"\x00" + struct.pack("<HH", len(tag), len(tag) ^ 0xFFFF) + tag
        trailer = struct.pack("<II", zlib.crc32(plain), len(plain) & 0xFFFFFFFF)
        return b"".join([_GZIP_HEADER, stored_tag.join(self._deflated), _LAST_BLOCK, trailer])


def _deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


_known_documents: dict[bytes, _KnownDocument] = {}


def _known(body: bytes) -> _KnownDocument:
    document = _known_documents.get(body)
    if document is None:
        if len(_known_documents) >= _MAX_KNOWN_DOCUMENTS:
            del _known_documents[next(iter(_known_documents))]
        document = _known_documents[body] = _KnownDocument(body)
    return document


class _DocumentResponder:
    """An HTML document is buffered, every `<script` gets the nonce, and it is sent once with the CSP naming it."""

    def __init__(self, send: Send, path: str, *, is_head: bool, may_gzip: bool = False) -> None:
        self._send = send
        self._path = path
        self._is_head = is_head
        self._may_gzip = may_gzip
        self._nonce = secrets.token_urlsafe(18)
        self._start: Message | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._passthrough: Send | None = None

    async def send(self, message: Message) -> None:
        if self._passthrough is not None:
            await self._passthrough(message)
            return
        if self._start is None:
            if message["type"] != "http.response.start":
                await self._send(message)
                return
            headers = Headers(raw=message.get("headers", []))
            is_html = headers.get("content-type", "").lower().startswith("text/html")
            if not is_html or "content-encoding" in headers:
                self._passthrough = _with_headers(self._send, nonce=None, path=self._path)
                await self._passthrough(message)
                return
            self._start = message
            return
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        self._chunks.append(message.get("body", b""))
        self._size += len(self._chunks[-1])
        if self._size > _MAX_BUFFERED_BYTES:
            raise RuntimeError(f"HTML document over {_MAX_BUFFERED_BYTES} bytes at {self._path}")
        if not message.get("more_body", False):
            await self._finish()

    async def _finish(self) -> None:
        assert self._start is not None
        document = _known(b"".join(self._chunks))
        body = document.stamped(b'<script nonce="' + self._nonce.encode() + b'"')
        start = dict(self._start)
        headers = MutableHeaders(raw=list(self._start.get("headers", [])))
        if self._may_gzip and len(body) >= _GZIP_FROM_BYTES:
            body = document.gzipped(b'<script nonce="' + self._nonce.encode() + b'"', body)
            headers["content-encoding"] = "gzip"
        if not self._is_head:
            headers["content-length"] = str(len(body))
        if "accept-encoding" not in headers.get("vary", "").lower():
            headers.append("vary", "Accept-Encoding")
        headers["cache-control"] = "private, no-cache"  # each copy carries its own nonce
        headers[CSP_HEADER] = content_security_policy(self._nonce, self._path)
        _common_headers(headers)
        start["headers"] = headers.raw
        await self._send(start)
        await self._send({"type": "http.response.body", "body": body, "more_body": False})
