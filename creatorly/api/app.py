"""The Starlette app handed to Reflex as `api_transformer`: our routes win over Reflex's."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from creatorly.api import analytics, audience, auth_google, downloads, pay_pages, sandbox_gateway, seo, webhooks
from creatorly.api.health import health
from creatorly.api.middleware import RequestIdMiddleware

api = Starlette(
    routes=[
        Route("/health", health, methods=["GET", "HEAD"]),
        *analytics.routes,
        *auth_google.routes,
        *audience.routes,
        *downloads.routes,
        *pay_pages.routes,
        *sandbox_gateway.routes,
        *seo.routes,
        *webhooks.routes,
    ],
    middleware=[Middleware(RequestIdMiddleware)],
)
