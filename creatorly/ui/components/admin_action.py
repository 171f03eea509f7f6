"""An admin action's form: what it does, the reason it requires (for the audit log and those affected), a button."""

from __future__ import annotations

from typing import Any

import reflex as rx

from creatorly.ui.components.forms import text_area_field


def admin_action_form(
    *,
    title: str,
    description: str,
    button_label: str,
    on_submit: Any,
    target_id: rx.Var[int] | rx.Var[str] | int | str,
    form_id: str,
    is_loading: rx.Var[bool] | bool = False,
    extra_fields: tuple[rx.Component, ...] = (),
    color_scheme: str = "red",
) -> rx.Component:
    """A card holding one action; the handler receives {"target_id", "reason", *extra fields} as its form data.

    `form_id` keeps element ids unique when a page holds several actions (every one asks for a reason).
    """
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(title, as_="h3", size="3"),
                rx.text(description, size="2", color_scheme="gray"),
                rx.el.input(type="hidden", name="target_id", value=target_id),
                *extra_fields,
                text_area_field(
                    "Reason",
                    name="reason",
                    form_id=form_id,
                    placeholder="Why: recorded in the audit log and shown to the people affected",
                    required=True,
                    min_length=3,
                    max_length=500,
                ),
                rx.button(
                    button_label,
                    type="submit",
                    color_scheme=color_scheme,
                    loading=is_loading,
                    disabled=~rx.State.is_hydrated,
                ),
                spacing="2",
                align="start",
                width="100%",
            ),
            on_submit=on_submit,
            reset_on_submit=True,
            aria_label=title,
            width="100%",
        ),
        width="100%",
    )
