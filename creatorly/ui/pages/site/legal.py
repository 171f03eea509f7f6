"""`/legal/*`: Terms, Privacy, Refunds, Seller Agreement and Content Guidelines, from Markdown files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.layouts.site import site_layout

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content" / "legal"

LEGAL_DOCUMENTS: dict[str, tuple[str, str]] = {
    routes.LEGAL_TERMS: ("terms.md", "Terms of Service"),
    routes.LEGAL_PRIVACY: ("privacy.md", "Privacy Policy"),
    routes.LEGAL_REFUNDS: ("refunds.md", "Refund Policy"),
    routes.LEGAL_SELLER: ("seller-agreement.md", "Seller Agreement"),
    routes.LEGAL_CONTENT: ("content-guidelines.md", "Content Guidelines"),
}


def legal_page(file_name: str) -> Callable[[], rx.Component]:
    text = (CONTENT_DIR / file_name).read_text(encoding="utf-8")

    def page() -> rx.Component:
        return site_layout(
            rx.el.article(
                rx.markdown(text),
                max_width="46rem",
                margin_x="auto",
                class_name="legal-text",
            )
        )

    page.__name__ = f"legal_{Path(file_name).stem.replace('-', '_')}"
    return page
