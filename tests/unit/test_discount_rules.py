"""Discount math: integer minor units, percent rounded half up on the discount, never below zero."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creatorly.errors import InvalidInput
from creatorly.services.discounts.rules import (
    apply_discount,
    checked_code,
    parse_percent,
    percent_discount,
    percent_label,
)


@pytest.mark.parametrize(
    ("amount", "basis_points", "expected"),
    [
        (1200, 1000, 1080),  # 10 % of 12.00
        (999, 1000, 899),  # discount 99.9 → 100
        (995, 1000, 895),  # discount 99.5 → 100 (half up)
        (994, 1000, 895),  # discount 99.4 → 99
        (1, 5000, 0),  # discount 0.5 → 1 (half up)
        (1200, 10_000, 0),
        (1200, 1, 1200),  # discount 0.12 → 0
        (0, 5000, 0),
    ],
)
def test_percent_discounts_round_the_discount_half_up(amount: int, basis_points: int, expected: int) -> None:
    assert apply_discount(amount, "percent", basis_points) == expected


@pytest.mark.parametrize(
    ("amount", "value", "expected"), [(1200, 500, 700), (1200, 1200, 0), (1200, 5000, 0), (0, 100, 0)]
)
def test_fixed_discounts_subtract_and_never_go_below_zero(amount: int, value: int, expected: int) -> None:
    assert apply_discount(amount, "fixed", value) == expected


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown discount kind"):
        apply_discount(1200, "bogus", 10)


@given(amount=st.integers(min_value=0, max_value=10**12), basis_points=st.integers(min_value=0, max_value=10_000))
def test_a_percent_discount_stays_between_zero_and_the_amount(amount: int, basis_points: int) -> None:
    after = apply_discount(amount, "percent", basis_points)

    assert 0 <= after <= amount
    assert after + percent_discount(amount, basis_points) == amount


@pytest.mark.parametrize(
    ("text", "expected"), [("10", 1000), ("12.5", 1250), ("0.01", 1), ("100", 10_000), ("15%", 1500)]
)
def test_percentages_parse_to_basis_points(text: str, expected: int) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["0", "-5", "100.01", "12.345", "ten", "", "NaN"])
def test_bad_percentages_are_refused_on_the_value_field(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_percent(text)

    assert refused.value.field == "value"


def test_codes_are_upper_cased_and_checked() -> None:
    assert checked_code("  spring-25 ") == "SPRING-25"
    for bad in ("", "has space", "x" * 41, "ÉTÉ"):
        with pytest.raises(InvalidInput):
            checked_code(bad)


def test_percent_labels_drop_needless_decimals() -> None:
    assert (percent_label(1000), percent_label(1250), percent_label(1)) == ("10 %", "12.5 %", "0.01 %")
