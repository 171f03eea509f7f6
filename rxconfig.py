"""Reflex configuration: every value comes from creatorly.config.settings; no secrets here."""

import os

import reflex as rx

from creatorly.config import settings

# A backend-only host (`creatorly start --backend-only`: webhooks, API and websockets behind the same Redis) has no
# frontend port; Reflex refuses one.
_is_backend_only = os.environ.get("REFLEX_BACKEND_ONLY", "").lower() in {"1", "true", "yes"}

config = rx.Config(
    app_name="creatorly",
    frontend_port=None if _is_backend_only else settings.port,
    backend_port=settings.port,
    api_url=settings.resolved_public_url,
    deploy_url=settings.resolved_public_url,
    cors_allowed_origins=[settings.resolved_public_url],
    redis_url=settings.redis_url or None,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[],
    disable_plugins=[rx.plugins.SitemapPlugin],  # /sitemap.xml is built from the database
)
