"""First-contact polish: per-form field ids, state-driven tab titles and the landing page's pricing labels."""

from __future__ import annotations

from decimal import Decimal

from creatorly.config import settings
from creatorly.ui.components.forms import field_element_id
from creatorly.ui.states.site.landing import LandingState, fee_label, hold_label


def test_field_ids_carry_the_form_prefix_so_two_email_fields_differ() -> None:
    assert field_element_id("email") == "field-email"
    assert field_element_id("email", form_id="membership") == "field-membership-email"
    assert field_element_id("email", form_id="subscribe") != field_element_id("email", form_id="membership")


def test_fee_label_drops_trailing_zeros() -> None:
    assert fee_label(Decimal("10")) == "10%"
    assert fee_label(Decimal("7.50")) == "7.5%"
    assert fee_label(Decimal("12.25")) == "12.25%"


def test_hold_label_says_days() -> None:
    assert hold_label(1) == "1 day"
    assert hold_label(7) == "7 days"


def test_landing_pricing_reads_the_ledger_settings() -> None:
    state = LandingState()
    assert state.platform_fee_label == fee_label(Decimal(settings.platform_fee_percent))
    assert state.hold_period_label == hold_label(settings.hold_period_days)
