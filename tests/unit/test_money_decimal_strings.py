"""Minor units ↔ the decimal strings PayPal takes and answers, exact for every exponent."""

from __future__ import annotations

import pytest

from creatorly.kit.money import UnsupportedCurrency, from_decimal_string, to_decimal_string


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (1050, "USD", "10.50"),
        (1, "USD", "0.01"),
        (0, "USD", "0.00"),
        (123456789012, "USD", "1234567890.12"),
        (1200, "JPY", "1200"),
        (0, "JPY", "0"),
        (12345, "KWD", "12.345"),
        (5, "KWD", "0.005"),
        (-250, "EUR", "-2.50"),
    ],
)
def test_minor_units_become_the_exact_decimal_string_and_back(amount: int, currency: str, text: str) -> None:
    assert to_decimal_string(amount, currency) == text
    assert from_decimal_string(text, currency) == amount


def test_a_value_without_trailing_zeros_is_read_exactly() -> None:
    assert from_decimal_string("10.5", "USD") == 1050
    assert from_decimal_string("25", "USD") == 2500
    assert from_decimal_string("0.1", "KWD") == 100


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("10.505", "USD"),
        ("1200.5", "JPY"),
        ("1.2345", "KWD"),
        ("1e3", "USD"),
        ("1,000.00", "USD"),
        (" 1.00", "USD"),
        ("", "USD"),
        ("NaN", "USD"),
        ("\u0661\u0660", "USD"),  # Arabic-Indic digits: not a plain decimal
        ("+1.00", "USD"),
    ],
)
def test_anything_but_a_plain_decimal_within_the_exponent_is_refused(text: str, currency: str) -> None:
    with pytest.raises(ValueError, match="decimal"):
        from_decimal_string(text, currency)


def test_a_float_or_an_unknown_currency_is_refused() -> None:
    with pytest.raises(TypeError):
        to_decimal_string(10.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedCurrency):
        to_decimal_string(100, "XXX")
