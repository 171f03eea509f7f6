"""Reflex configuration: every value comes from creatorly.config.settings; no secrets here."""

import reflex as rx

from creatorly.config import settings

config = rx.Config(
    app_name="creatorly",
    frontend_port=settings.port,
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
