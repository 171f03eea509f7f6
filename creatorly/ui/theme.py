"""Colours, spacing and shared styles."""

from __future__ import annotations

from typing import Any

import reflex as rx

ACCENT = "violet"
MAX_CONTENT_WIDTH = "72rem"

theme = rx.theme(accent_color=ACCENT, gray_color="mauve", radius="large", scaling="100%")

global_style: dict[str, Any] = {
    "font_family": "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "::selection": {"background_color": rx.color(ACCENT, 5)},
}

card_style: dict[str, Any] = {
    "border": f"1px solid {rx.color('gray', 5)}",
    "border_radius": "var(--radius-4)",
    "background_color": rx.color("gray", 1),
    "transition": "transform 120ms ease, box-shadow 120ms ease",
    "_hover": {"transform": "translateY(-2px)", "box_shadow": "0 8px 24px rgba(0,0,0,0.08)"},
}
