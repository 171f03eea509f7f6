"""The browser side of BrowserActionsState and ToastState: invisible components, mounted once in every layout."""

from __future__ import annotations

import reflex as rx
from reflex_base.event import EventHandler, passthrough_event_spec

from creatorly.ui.states.browser import COLLECT_PATH, BrowserActionsState, ToastState

_LIBRARY = "$/public/browser_actions.jsx"


class HardNavigation(rx.Component):
    library = _LIBRARY
    tag = "HardNavigation"
    to: rx.Var[str]
    request_id: rx.Var[str]


class PageViewBeacon(rx.Component):
    library = _LIBRARY
    tag = "PageViewBeacon"
    kind: rx.Var[str]
    handle: rx.Var[str]
    product: rx.Var[str]
    view_id: rx.Var[str]
    collect_path: rx.Var[str]


class ClearSelectedFiles(rx.Component):
    library = _LIBRARY
    tag = "ClearSelectedFiles"
    upload_id: rx.Var[str]
    request_id: rx.Var[str]


class StateToasts(rx.Component):
    library = _LIBRARY
    tag = "StateToasts"
    toasts: rx.Var[list[dict[str, str]]]


class BrowserTimezone(rx.Component):
    """Calls `on_timezone` once on mount with the browser's IANA timezone name."""

    library = _LIBRARY
    tag = "BrowserTimezone"
    on_timezone: EventHandler[passthrough_event_spec(str)]  # type: ignore[type-arg,valid-type]


def browser_actions() -> rx.Component:
    return rx.fragment(
        StateToasts.create(toasts=ToastState.toasts),
        ClearSelectedFiles.create(
            upload_id=BrowserActionsState.clear_upload_id, request_id=BrowserActionsState.clear_request_id
        ),
        HardNavigation.create(to=BrowserActionsState.navigate_to, request_id=BrowserActionsState.navigation_id),
        PageViewBeacon.create(
            kind=BrowserActionsState.view_kind,
            handle=BrowserActionsState.view_handle,
            product=BrowserActionsState.view_product,
            view_id=BrowserActionsState.view_id,
            collect_path=COLLECT_PATH,
        ),
    )
