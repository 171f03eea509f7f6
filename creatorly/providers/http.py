"""Outbound HTTP clients with one shared TLS context: building a context (it loads the CA bundle) costs about 20 ms
of CPU, which a client made per call would otherwise pay on every provider request, TLS or not."""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """The context httpx would build for a default client (certifi's CAs, SSL_CERT_FILE / SSL_CERT_DIR honoured)."""
    return httpx.create_ssl_context()


def async_client(*, timeout: float) -> httpx.AsyncClient:
    """A client for one call or a short series of calls (use it as `async with`)."""
    return httpx.AsyncClient(timeout=timeout, verify=tls_context())
