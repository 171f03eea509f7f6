"""The tip jar section bound to its state, shared by the storefront and the paid order's page."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.components.tips import goal_progress, supporter_wall, tip_card, tip_form
from creatorly.ui.states.storefront.tips import TipJarState

State = TipJarState


def tip_jar_section() -> rx.Component:
    """ "Support <name>": the goal's progress when there is a goal, then the tip form."""
    return rx.cond(
        State.is_available,
        tip_card(
            rx.cond(
                State.has_goal,
                goal_progress(
                    title=State.goal_title,
                    raised_label=State.goal_raised_label,
                    goal_label=State.goal_label,
                    percent=State.goal_percent,
                ),
            ),
            tip_form(
                creator_name=State.creator_name,
                presets=State.presets,
                minimum_label=State.minimum_label,
                amount_text=State.amount_text,
                on_choose_amount=State.choose_amount,
                on_amount_change=State.set_amount_text,
                is_public=State.is_public,
                on_public_change=State.set_is_public,
                is_anonymous=State.is_anonymous,
                on_anonymous_change=State.set_is_anonymous,
                buyer_email=State.buyer_email,
                error=State.tip_error,
                is_sending=State.is_sending,
                on_submit=State.send,
            ),
            creator_name=State.creator_name,
        ),
    )


def supporter_wall_section() -> rx.Component:
    return rx.cond(
        State.is_available,
        supporter_wall(
            entries=State.wall, page=State.wall_page, has_more=State.wall_has_more, on_page=State.show_wall_page
        ),
    )
