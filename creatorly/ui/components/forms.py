"""Form pieces: labelled fields with their error, submit buttons that show progress."""

from __future__ import annotations

from typing import Any

import reflex as rx


def field(
    label: str | rx.Var[str],
    *,
    name: str,
    error: rx.Var[str] | str = "",
    input_type: str = "text",
    hint: rx.Var[str] | str = "",
    form_id: str = "",
    **input_props: Any,
) -> rx.Component:
    """A label bound to its input by id, an optional hint, and the field's error announced to readers.

    `form_id` prefixes the element ids: pages that hold several forms with the same field name (a storefront's
    sign-up card, tip jar and membership dialog all ask for an email) stay valid HTML with every label bound.
    """
    has_hint = isinstance(hint, rx.Var) or bool(hint)
    field_id = field_element_id(name, form_id=form_id)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.input(
            id=field_id,
            name=name,
            type=input_type,
            size="3",
            width="100%",
            aria_describedby=f"{field_id}-error",
            **input_props,
        ),
        *([rx.text(hint, size="1", color_scheme="gray")] if has_hint else []),
        rx.text(error, id=f"{field_id}-error", size="2", color_scheme="red", role="alert"),
        spacing="1",
        width="100%",
        align="start",
    )


def field_element_id(name: str, *, form_id: str = "") -> str:
    return f"field-{form_id}-{name}" if form_id else f"field-{name}"


def submit_button(label: str, *, is_loading: rx.Var[bool] | bool = False, **props: Any) -> rx.Component:
    """Disabled until the page is live, so an early click never falls back to a plain HTML form post."""
    return rx.button(
        label, type="submit", size="3", width="100%", loading=is_loading, disabled=~rx.State.is_hydrated, **props
    )


def form_error(message: rx.Var[str]) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="circle-alert", color_scheme="red", role="alert", width="100%"),
    )


def select_field(
    label: str,
    *,
    name: str,
    options: rx.Var[list[str]] | list[str],
    default: rx.Var[str] | str = "",
    error: rx.Var[str] | str = "",
) -> rx.Component:
    """A native <select> (keyboard- and screen-reader-friendly) with its label and error.

    React applies `defaultValue` only when the select mounts: options or a default that arrive later (state loaded
    after hydration) would leave the browser on the first option, and a save would silently store it. The key
    remounts the select whenever the default or the number of options changes.
    """
    field_id = f"field-{name}"
    remount_key = rx.Var.create(default).to(str) + "|" + rx.Var.create(options).to(list).length().to_string()
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.el.select(
            rx.foreach(options, lambda option: rx.el.option(option, value=option)),
            id=field_id,
            name=name,
            default_value=default,
            key=remount_key,
            class_name="native-select",
        ),
        rx.text(error, size="2", color_scheme="red", role="alert"),
        spacing="1",
        width="100%",
        align="start",
    )


def text_area_field(
    label: str,
    *,
    name: str,
    default: rx.Var[str] | str = "",
    error: rx.Var[str] | str = "",
    hint: str = "",
    form_id: str = "",
    **props: Any,
) -> rx.Component:
    field_id = field_element_id(name, form_id=form_id)
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.text_area(id=field_id, name=name, default_value=default, width="100%", size="3", **props),
        *([rx.text(hint, size="1", color_scheme="gray")] if hint else []),
        rx.text(error, size="2", color_scheme="red", role="alert"),
        spacing="1",
        width="100%",
        align="start",
    )


def file_drop(*children: rx.Component, label: str, **upload_props: Any) -> rx.Component:
    """`rx.upload` whose hidden file input is named too: Reflex gives the drop zone our `aria-label` but renders the
    `<input type="file">` inside it bare, which screen readers (and axe's `label` rule) meet as an unnamed field."""
    upload = rx.upload(*children, aria_label=label, **upload_props)
    file_input = _first_file_input(upload)
    if file_input is None:  # pragma: no cover - guards a change in how Reflex builds rx.upload
        raise RuntimeError("rx.upload no longer renders an <input type=file> child")
    file_input.custom_attrs["aria-label"] = label
    return upload


def _first_file_input(component: rx.Component) -> rx.Component | None:
    for child in component.children:
        if not isinstance(child, rx.Component):
            continue
        if child.tag == "input":
            return child
        found = _first_file_input(child)
        if found is not None:
            return found
    return None
