"""Money: exponents, formatting, parsing and rounding, with exact values."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creatorly.kit.money import CURRENCY_EXPONENTS, Money, UnsupportedCurrency, format_money, parse_amount, percent_of


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (1500, "USD", "$15.00"),
        (123456, "EUR", "€1,234.56"),
        (1200, "JPY", "¥1,200"),
        (50000, "INR", "₹500.00"),
        (1234, "KWD", "1.234 KWD"),
        (-300, "GBP", "-£3.00"),
        (0, "USD", "$0.00"),
    ],
)
def test_format_money_uses_the_currency_exponent(amount: int, currency: str, expected: str) -> None:
    assert format_money(amount, currency) == expected


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [("12.5", "USD", 1250), ("1,200", "JPY", 1200), (" 0.99 ", "EUR", 99), ("3", "KWD", 3000)],
)
def test_parse_amount_returns_minor_units(text: str, currency: str, expected: int) -> None:
    assert parse_amount(text, currency) == expected


@pytest.mark.parametrize(("text", "currency"), [("1.005", "USD"), ("12.5", "JPY"), ("abc", "USD"), ("NaN", "USD")])
def test_parse_amount_refuses_what_is_not_an_amount(text: str, currency: str) -> None:
    with pytest.raises(ValueError, match=r"amount|decimal"):
        parse_amount(text, currency)


def test_money_refuses_floats_and_unknown_currencies() -> None:
    with pytest.raises(TypeError):
        Money(12.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedCurrency):
        Money(100, "XYZ")


def test_money_refuses_to_mix_currencies() -> None:
    with pytest.raises(ValueError, match="USD with EUR"):
        _ = Money(100, "USD") + Money(100, "EUR")


def test_percent_of_rounds_half_up() -> None:
    assert percent_of(1005, Decimal(10)) == 101  # 100.5 -> 101
    assert percent_of(1004, Decimal(10)) == 100  # 100.4 -> 100
    assert percent_of(999, Decimal("2.9")) == 29  # 28.971 -> 29


@given(amount=st.integers(min_value=0, max_value=10**12), currency=st.sampled_from(sorted(CURRENCY_EXPONENTS)))
def test_formatting_then_parsing_gives_back_the_amount(amount: int, currency: str) -> None:
    number = re.sub(r"[^0-9.,]", "", format_money(amount, currency).split(" ")[0])
    assert parse_amount(number, currency) == amount
