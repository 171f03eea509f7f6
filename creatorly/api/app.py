"""The Starlette app handed to Reflex as `api_transformer`: our routes win over Reflex's."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from creatorly.api import (
    analytics,
    audience,
    auth_google,
    downloads,
    metrics,
    pay_pages,
    paypal_return,
    sandbox_gateway,
    seo,
    webhooks,
)
from creatorly.api.health import health
from creatorly.api.metrics import RequestMetricsMiddleware
from creatorly.api.middleware import RequestIdMiddleware
from creatorly.api.seo import SeoMetaMiddleware
from creatorly.api.unavailable import EXCEPTION_HANDLERS

_routes: list[BaseRoute] = [
    Route("/health", health, methods=["GET", "HEAD"]),
    *analytics.routes,
    *auth_google.routes,
    *audience.routes,
    *downloads.routes,
    *metrics.routes,
    *pay_pages.routes,
    *paypal_return.routes,
    *sandbox_gateway.routes,
    *seo.routes,
    *webhooks.routes,
]

api = Starlette(
    routes=_routes,
    # Reflex mounts itself after these routes; the middleware wraps its pages, files and uploads too. The SEO rewrite
    # is innermost, so a page it answers from its cache still gets a request id and is timed.
    middleware=[
        Middleware(RequestIdMiddleware),
        Middleware(RequestMetricsMiddleware, routes=_routes),
        Middleware(SeoMetaMiddleware),
    ],
    # A database, storage or Redis outage answers 503 naming the part (creatorly/api/unavailable.py).
    exception_handlers=EXCEPTION_HANDLERS,
)
