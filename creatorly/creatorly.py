"""The Reflex app: API routes mounted first, then every page registered. Nothing else."""

from __future__ import annotations

import reflex as rx

import creatorly.jobs  # noqa: F401  (registers job names so services can enqueue)
from creatorly.api.app import api
from creatorly.observability import configure_logging
from creatorly.ui import routes, theme
from creatorly.ui.pages.site.landing import landing_page
from creatorly.ui.pages.site.legal import LEGAL_DOCUMENTS, legal_page
from creatorly.ui.pages.site.not_found import not_found_page
from creatorly.ui.pages.storefront.storefront import storefront_page
from creatorly.ui.states.storefront.storefront import StorefrontState

configure_logging()

app = rx.App(
    theme=theme.theme,
    style=theme.global_style,
    stylesheets=["/styles.css"],
    api_transformer=api,
    head_components=[rx.el.meta(name="theme-color", content="#6E56CF")],
)

app.add_page(
    landing_page,
    route=routes.LANDING,
    title="Creatorly — sell what you make",
    description="Storefronts, digital products, memberships and tips for creators, with payouts you can trust.",
)
app.add_page(
    storefront_page,
    route=routes.STOREFRONT,
    title="Storefront · Creatorly",
    on_load=StorefrontState.load,
)
for route, (file_name, title) in LEGAL_DOCUMENTS.items():
    app.add_page(legal_page(file_name), route=route, title=f"{title} · Creatorly")
app.add_page(not_found_page, route=routes.NOT_FOUND, title="Page not found · Creatorly")
