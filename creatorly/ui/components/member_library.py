"""The library's memberships and sent tips: a card per membership with its actions and history, a tip row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx


@dataclass(frozen=True)
class MembershipHandlers:
    """The state's events and vars a membership card binds to."""

    on_act: Any  # (subscription public id, "cancel" | "resume" | "pause" | "unpause")
    on_change_tier: Any  # the change-tier form's submit
    on_toggle_tier_dialog: Any  # (subscription public id, is open)
    tier_dialog_for: rx.Var[str]
    busy_id: rx.Var[str]


_STATUS_COLORS = (
    ("trialing", "blue"),
    ("active", "green"),
    ("past_due", "red"),
    ("canceling", "amber"),
    ("paused", "gray"),
)


def _status_badge(membership: Any) -> rx.Component:
    return rx.badge(
        membership.status_label,
        color_scheme=rx.match(membership.status, *_STATUS_COLORS, "gray"),
        variant="soft",
        size="2",
        data_testid="membership-status",
    )


def _confirm(
    *, trigger_label: str, title: str, text: rx.Var[str] | str, confirm_label: str, on_confirm: Any
) -> rx.Component:
    """A button that asks before doing something the member may regret."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(trigger_label, variant="outline", color_scheme="red", size="2")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text, size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm_label, color_scheme="red", on_click=on_confirm)),
                spacing="3",
                justify="end",
                margin_top="1rem",
                wrap="wrap",
            ),
            max_width="28rem",
        ),
    )


def _tier_choice_note(choice: Any) -> rx.Component:
    return rx.el.li(rx.text(rx.text.strong(choice.label), ": ", choice.note, size="2"))


def _change_tier_dialog(
    membership: Any, *, on_change_tier: Any, on_toggle_tier_dialog: Any, open_id: rx.Var[str], is_busy: rx.Var[bool]
) -> rx.Component:
    select_id = "tier-" + membership.public_id
    return rx.dialog.root(
        rx.dialog.trigger(rx.button("Change tier", variant="outline", size="2")),
        rx.dialog.content(
            rx.dialog.title("Change tier"),
            rx.dialog.description(
                "An upgrade starts now and charges the prorated difference for the rest of this period. "
                "A downgrade starts at your next renewal.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="membership", value=membership.public_id),
                    rx.el.label("New tier", html_for=select_id, class_name="field-label"),
                    rx.el.select(
                        rx.foreach(
                            membership.tier_choices,
                            lambda choice: rx.el.option(choice.label, value=choice.tier_public_id),
                        ),
                        id=select_id,
                        name="tier",
                        class_name="native-select",
                    ),
                    rx.el.ul(rx.foreach(membership.tier_choices, _tier_choice_note), padding_left="1.2rem"),
                    rx.flex(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                        rx.button("Confirm tier change", type="submit", loading=is_busy),
                        spacing="3",
                        justify="end",
                        width="100%",
                        wrap="wrap",
                    ),
                    spacing="3",
                    width="100%",
                    margin_top="1rem",
                ),
                on_submit=on_change_tier,
                reset_on_submit=False,
            ),
            max_width="32rem",
        ),
        open=open_id == membership.public_id,
        on_open_change=lambda is_open: on_toggle_tier_dialog(membership.public_id, is_open),
    )


def _actions(membership: Any, *, handlers: MembershipHandlers, is_busy: rx.Var[bool]) -> rx.Component:
    on_act = handlers.on_act
    return rx.flex(
        rx.cond(
            membership.can_resume,
            rx.button("Resume", size="2", loading=is_busy, on_click=on_act(membership.public_id, "resume")),
        ),
        rx.cond(
            membership.can_unpause,
            rx.button("Unpause", size="2", loading=is_busy, on_click=on_act(membership.public_id, "unpause")),
        ),
        rx.cond(
            membership.tier_choices.length() > 0,
            _change_tier_dialog(
                membership,
                on_change_tier=handlers.on_change_tier,
                on_toggle_tier_dialog=handlers.on_toggle_tier_dialog,
                open_id=handlers.tier_dialog_for,
                is_busy=is_busy,
            ),
        ),
        rx.cond(
            membership.can_pause,
            _confirm(
                trigger_label="Pause",
                title="Pause this membership?",
                text="You won't be charged and won't have members-only access until you unpause.",
                confirm_label="Pause membership",
                on_confirm=on_act(membership.public_id, "pause"),
            ),
        ),
        rx.cond(
            membership.can_cancel,
            _confirm(
                trigger_label="Cancel",
                title="Cancel this membership?",
                text="It stops renewing. You keep access until the end of the period you paid for.",
                confirm_label="Cancel membership",
                on_confirm=on_act(membership.public_id, "cancel"),
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _history_item(line: Any) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.text(line.day, size="2", color_scheme="gray", min_width="6.5rem"),
            rx.text(line.text, size="2", flex="1"),
            rx.cond(
                line.order_url != "",
                rx.flex(
                    rx.text(line.amount_label, size="2", weight="medium"),
                    rx.link("Receipt", href=line.order_url, aria_label=line.link_label, size="2"),
                    spacing="2",
                ),
            ),
            spacing="2",
            wrap="wrap",
            align="baseline",
        ),
        padding_y="0.25rem",
    )


def _history(membership: Any) -> rx.Component:
    return rx.el.details(
        rx.el.summary("History", cursor="pointer", font_weight="500"),
        rx.el.ul(rx.foreach(membership.history, _history_item), list_style="none", padding="0", margin_top="0.5rem"),
        width="100%",
    )


def membership_card(membership: Any, *, handlers: MembershipHandlers) -> rx.Component:
    """One membership: creator, tier, price, status (with what to do), next charge, actions and history."""
    is_busy = handlers.busy_id == membership.public_id
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.heading(membership.tier_name, as_="h3", size="4", class_name="wrap-anywhere"),
                    rx.text(
                        "with ",
                        rx.link(membership.creator_name, href=membership.storefront_href),
                        " · ",
                        membership.price_label,
                        size="2",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    align="start",
                    flex="1",
                ),
                _status_badge(membership),
                spacing="3",
                justify="between",
                align="start",
                width="100%",
            ),
            rx.cond(
                membership.next_charge_label != "",
                rx.text(membership.next_charge_label, size="3", weight="medium", data_testid="membership-next"),
            ),
            rx.cond(
                membership.status_note != "",
                rx.callout(
                    membership.status_note,
                    icon=rx.cond(membership.status == "past_due", "circle-alert", "info"),
                    color_scheme=rx.cond(membership.status == "past_due", "red", "gray"),
                    size="1",
                    width="100%",
                ),
            ),
            _actions(membership, handlers=handlers, is_busy=is_busy),
            _history(membership),
            spacing="3",
            width="100%",
        ),
        width="100%",
        role="article",
        aria_label=membership.card_label,
    )


def sent_tip_row(tip: Any) -> rx.Component:
    """A tip the fan sent: amount, creator, date, message and whether it shows on the creator's wall."""
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(
                    rx.text.strong(tip.amount_label),
                    " to ",
                    rx.link(tip.creator_name, href=tip.storefront_href),
                    class_name="wrap-anywhere",
                ),
                rx.text(
                    tip.sent_on,
                    " · ",
                    tip.visibility_label,
                    rx.cond(tip.status_label != "", " · " + tip.status_label, ""),
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    tip.message != "",
                    rx.text("“", tip.message, "”", size="2", class_name="wrap-anywhere", font_style="italic"),
                ),
                spacing="1",
                align="start",
                flex="1",
            ),
            rx.button(
                rx.el.a("Open tip", href=tip.order_url, aria_label=tip.link_label),
                as_child=True,
                size="2",
                variant="soft",
            ),
            gap="1rem",
            align="center",
            wrap="wrap",
        ),
        width="100%",
        role="article",
        aria_label=tip.link_label,
    )
