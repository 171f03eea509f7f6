"""`/dashboard/onboarding`: open a storefront by choosing a handle."""

from __future__ import annotations

import reflex as rx

from creatorly.ui.components.forms import field, select_field, submit_button
from creatorly.ui.layouts.auth import auth_layout
from creatorly.ui.states.dashboard.onboarding import OnboardingState


def onboarding_page() -> rx.Component:
    return auth_layout(
        "Open your storefront",
        "Pick the address fans will visit. You can change everything else later.",
        rx.form(
            rx.vstack(
                field(
                    "Handle",
                    name="handle",
                    error=OnboardingState.errors["handle"],
                    hint="3–30 lowercase letters, digits, _ or -. Your storefront lives at /your-handle.",
                    auto_complete="off",
                ),
                field("Storefront name", name="display_name", error=OnboardingState.errors["display_name"]),
                select_field("Currency", name="currency", options=OnboardingState.currencies, default="USD"),
                select_field("Timezone", name="timezone", options=OnboardingState.timezone_options, default="UTC"),
                submit_button("Open my storefront", is_loading=OnboardingState.is_submitting),
                spacing="4",
                width="100%",
            ),
            on_submit=OnboardingState.submit,
            width="100%",
        ),
    )
