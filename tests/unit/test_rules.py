"""Pure rules: email backoff, slugs, price labels, email normalisation."""

from __future__ import annotations

import pytest

from creatorly.kit.slugs import slugify
from creatorly.models.enums import PricingModel
from creatorly.services.accounts.rules import normalize_email
from creatorly.services.catalog.rules import price_label
from creatorly.services.email.rules import MAX_BACKOFF_SECONDS, backoff_seconds


def test_backoff_doubles_per_attempt_and_is_capped() -> None:
    assert [backoff_seconds(attempt, base_seconds=30) for attempt in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(20, base_seconds=30) == MAX_BACKOFF_SECONDS
    with pytest.raises(ValueError, match="1-based"):
        backoff_seconds(0, base_seconds=30)


@pytest.mark.parametrize(
    ("title", "slug"),
    [("Café Guide: Vol. 2", "cafe-guide-vol-2"), ("  Hello, World!  ", "hello-world"), ("☃☃", "item")],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_price_labels() -> None:
    assert price_label(PricingModel.FIXED, 1500, "USD") == "$15.00"
    assert price_label(PricingModel.FREE, 0, "USD") == "Free"
    assert price_label(PricingModel.PAY_WHAT_YOU_WANT, 500, "EUR") == "Pay what you want (from €5.00)"
    assert price_label(PricingModel.PAY_WHAT_YOU_WANT, 0, "EUR") == "Pay what you want"


def test_normalize_email() -> None:
    assert normalize_email("  Mira.Costa@Example.COM ") == "mira.costa@example.com"
