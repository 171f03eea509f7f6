"""Links the browser itself must follow: files, API routes and provider pages served by the server, not the app."""

from __future__ import annotations

from typing import Any

import reflex as rx


def document_link(*children: rx.Component | rx.Var[Any] | str, href: str | rx.Var[Any], **props: Any) -> rx.Component:
    """An anchor that loads its target as a document.

    In Reflex 0.10 `rx.el.a` and `rx.link` are React Router links: a click on a server route such as
    `/api/downloads/…` is routed inside the single-page app and shows its 404 page. `reloadDocument` makes
    the click a normal browser navigation (a file download, a server page, a sign-in redirect).
    """
    return rx.el.a(*children, href=href, reload_document=True, **props)
