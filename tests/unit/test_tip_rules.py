"""Tip rules: minimums and defaults per currency, amount and preset parsing, plain-text messages, goal percent."""

from __future__ import annotations

import pytest

from creatorly.errors import InvalidInput
from creatorly.services.tips import rules


@pytest.mark.parametrize(
    ("currency", "minimum", "presets"),
    [
        ("USD", 100, [300, 500, 1000]),
        ("INR", 1000, [5000, 10000, 25000]),
        ("JPY", 100, [300, 500, 1000]),
        ("KWD", 1000, [3000, 5000, 10000]),
    ],
)
def test_minimum_and_default_presets_follow_the_currency(currency: str, minimum: int, presets: list[int]) -> None:
    assert rules.minimum_tip(currency) == minimum
    assert rules.default_presets(currency) == presets


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [("5", "USD", 500), ("12.50", "USD", 1250), ("1,000", "USD", 100000), (" 10 ", "INR", 1000), ("100", "JPY", 100)],
)
def test_amounts_parse_to_minor_units(text: str, currency: str, amount: int) -> None:
    assert rules.parse_tip_amount(text, currency) == amount


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("0.99", "USD", "The smallest tip is $1.00."),
        ("9.99", "INR", "The smallest tip is ₹10.00."),
        ("10000.01", "USD", "The largest tip is $10,000.00."),
        ("1.001", "USD", "Enter an amount, like 5 or 12.50."),
        ("five", "USD", "Enter an amount, like 5 or 12.50."),
        ("NaN", "USD", "Enter an amount, like 5 or 12.50."),
        ("", "USD", "Choose or enter an amount."),
    ],
)
def test_bad_amounts_are_refused_on_the_amount_field(text: str, currency: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.parse_tip_amount(text, currency)

    assert (refused.value.field, refused.value.message) == ("amount", message)


def test_messages_become_plain_text() -> None:
    typed = "<script>alert(1)</script>Hi <b>there</b> &lt;3\r\n\r\n\r\n\r\nBye\x00  now"

    assert rules.clean_message(typed) == "Hi there <3\n\nBye now"


def test_a_message_of_500_characters_is_kept_and_501_refused() -> None:
    assert rules.clean_message("x" * 500) == "x" * 500
    with pytest.raises(InvalidInput) as refused:
        rules.clean_message("x" * 501)
    assert refused.value.field == "message"


def test_display_names_are_one_plain_line_or_empty_when_anonymous() -> None:
    assert rules.clean_display_name("  <i>Ada</i>\n Lovelace ", is_anonymous=False) == "Ada Lovelace"
    assert rules.clean_display_name("Ada", is_anonymous=True) == ""


def test_presets_parse_sorted_and_distinct() -> None:
    assert rules.parse_presets("10, 3 5;5", "USD") == [300, 500, 1000]


@pytest.mark.parametrize("text", ["", "0.50", "1 2 3 4 5 6 7", "x"])
def test_bad_presets_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.parse_presets(text, "USD")
    assert refused.value.field == "presets"


@pytest.mark.parametrize(
    ("raised", "goal", "percent"), [(0, 4000, 0), (1250, 4000, 31), (3999, 4000, 99), (9000, 4000, 100), (5, 0, 0)]
)
def test_goal_percent_is_whole_and_capped(raised: int, goal: int, percent: int) -> None:
    assert rules.goal_percent(raised, goal) == percent


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [(500, "USD", "5"), (1250, "USD", "12.50"), (300, "JPY", "300"), (1005, "KWD", "1.005")],
)
def test_amount_text_is_what_a_person_types(amount: int, currency: str, text: str) -> None:
    assert rules.amount_text(amount, currency) == text


def test_unsupported_currencies_are_refused() -> None:
    assert rules.supported_currency(" inr ") == "INR"
    with pytest.raises(InvalidInput) as refused:
        rules.supported_currency("XYZ")
    assert refused.value.field == "currency"
