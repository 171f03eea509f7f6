"""What the server asks the browser to do outside the app's router: a full page load of a provider's page or a
server route, the page-view beacon, and toasts. Each request gets a fresh id, which the browser acts on once
(assets/browser_actions.jsx); no script is sent to be evaluated, so the Content-Security-Policy needs no
'unsafe-eval'."""

from __future__ import annotations

import secrets
from typing import Any

import reflex as rx

COLLECT_PATH = "/api/analytics/collect"


class BrowserActionsState(rx.State):
    navigate_to: str = ""
    navigation_id: str = ""
    view_kind: str = ""
    view_handle: str = ""
    view_product: str = ""
    view_id: str = ""
    clear_upload_id: str = ""
    clear_request_id: str = ""


async def leave_for(state: rx.State, url: str) -> None:
    """Load `url` as a whole page (Stripe's or Razorpay's page, our sandbox payment page or an order page)."""
    actions = await state.get_state(BrowserActionsState)
    actions.navigate_to, actions.navigation_id = url, secrets.token_urlsafe(12)


async def clear_selected_files(state: rx.State, upload_id: str) -> None:
    """Empty an upload field's list of chosen files (after its upload went through)."""
    actions = await state.get_state(BrowserActionsState)
    actions.clear_upload_id, actions.clear_request_id = upload_id, secrets.token_urlsafe(12)


async def count_page_view(state: rx.State, kind: str, handle: str, product: str = "") -> None:
    """Report a storefront or product view: {kind, handle, product, url, referrer}, by sendBeacon."""
    actions = await state.get_state(BrowserActionsState)
    actions.view_kind, actions.view_handle, actions.view_product = kind, handle, product
    actions.view_id = secrets.token_urlsafe(12)


MAX_KEPT_TOASTS = 5


class ToastState(rx.State):
    """Toasts shown through state (the sonner toaster Reflex mounts), not rx.toast's eval'd script."""

    toasts: list[dict[str, str]] = []

    @rx.event
    def show(self, kind: str, message: str) -> None:
        shown = {"id": secrets.token_urlsafe(9), "kind": kind, "message": message}
        self.toasts = [*self.toasts[-(MAX_KEPT_TOASTS - 1) :], shown]


class _Toasts:
    """`yield toast.error("…")` from any event handler, where one would write Reflex's `rx.toast.error("…")`."""

    @staticmethod
    def error(message: str) -> Any:
        return ToastState.show("error", message)

    @staticmethod
    def success(message: str) -> Any:
        return ToastState.show("success", message)

    @staticmethod
    def info(message: str) -> Any:
        return ToastState.show("info", message)

    @staticmethod
    def warning(message: str) -> Any:
        return ToastState.show("warning", message)


toast = _Toasts()
