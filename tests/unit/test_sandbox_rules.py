"""The sandbox gateway's pure rules: test cards, Luhn, expiry, CVC, the fee and the webhook backoff."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from creatorly.errors import InvalidInput
from creatorly.services.sandbox_gateway import rules
from creatorly.services.sandbox_gateway.rules import CardOutcome, FailureCode, PaymentStatus

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)


def _decide(card_number: str, expiry: str = "12/30", cvc: str = "123", name: str = "Ada Lovelace") -> CardOutcome:
    return rules.decide(card_number=card_number, expiry=expiry, cvc=cvc, name=name, now=NOW)


@pytest.mark.parametrize(
    ("card_number", "expected"),
    [
        ("4242424242424242", CardOutcome(PaymentStatus.SUCCEEDED, None, "4242")),
        ("4242 4242 4242 4242", CardOutcome(PaymentStatus.SUCCEEDED, None, "4242")),
        ("4000000000000002", CardOutcome(PaymentStatus.DECLINED, FailureCode.CARD_DECLINED, "0002")),
        ("4000-0000-0000-9995", CardOutcome(PaymentStatus.FAILED, FailureCode.INSUFFICIENT_FUNDS, "9995")),
        ("5555555555554444", CardOutcome(PaymentStatus.SUCCEEDED, None, "4444")),
        ("378282246310005", CardOutcome(PaymentStatus.SUCCEEDED, None, "0005")),
    ],
)
def test_test_cards_decide_the_outcome_and_only_the_last_four_digits_are_kept(
    card_number: str, expected: CardOutcome
) -> None:
    assert _decide(card_number) == expected


@pytest.mark.parametrize("card_number", ["4242424242424241", "1234567812345678", "", "4242x42424242424", "0", "4" * 20])
def test_a_number_that_fails_luhn_or_length_is_refused_as_invalid_input(card_number: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _decide(card_number)
    assert (refused.value.field, refused.value.message) == ("card_number", "Enter a valid card number.")


def test_luhn() -> None:
    assert [rules.is_luhn_valid(number) for number in ("79927398713", "79927398710", "0", "", "٤٢")] == [
        True,
        False,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize("expiry", ["06/25", "12/25", "01/26", " 12 / 99 "])
def test_an_expiry_in_this_month_or_later_is_accepted(expiry: str) -> None:
    assert _decide("4242424242424242", expiry=expiry).status == PaymentStatus.SUCCEEDED


@pytest.mark.parametrize(
    ("expiry", "message"),
    [
        ("05/25", "Your card has expired."),
        ("12/24", "Your card has expired."),
        ("13/30", "Enter the expiry date as MM/YY."),
        ("00/30", "Enter the expiry date as MM/YY."),
        ("6/30", "Enter the expiry date as MM/YY."),
        ("0630", "Enter the expiry date as MM/YY."),
        ("06/2030", "Enter the expiry date as MM/YY."),
        ("", "Enter the expiry date as MM/YY."),
    ],
)
def test_a_past_or_garbled_expiry_is_refused(expiry: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _decide("4242424242424242", expiry=expiry)
    assert (refused.value.field, refused.value.message) == ("expiry", message)


@pytest.mark.parametrize("cvc", ["12", "12345", "12a", "", "١٢٣"])
def test_a_cvc_needs_three_or_four_digits(cvc: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        _decide("4242424242424242", cvc=cvc)
    assert refused.value.field == "cvc"
    assert _decide("4242424242424242", cvc="1234").status == PaymentStatus.SUCCEEDED


def test_a_name_is_required() -> None:
    with pytest.raises(InvalidInput) as refused:
        _decide("4242424242424242", name="  ")
    assert refused.value.field == "name"


@pytest.mark.parametrize(
    ("amount", "currency", "fee"),
    [
        (1000, "USD", 59),  # 29 + 30
        (1500, "USD", 74),  # 43.5 + 30 = 73.5, half up
        (1017, "USD", 59),  # 29.493 + 30
        (1052, "USD", 61),  # 30.508 + 30
        (50, "USD", 31),  # 1.45 + 30
        (31, "USD", 31),  # 30.899 rounds to 31: exactly the amount
        (10, "USD", 10),  # capped at the amount
        (1, "USD", 1),
        (1000, "JPY", 29),  # no fixed part for a zero-decimal currency
        (1500, "JPY", 44),  # 43.5, half up
        (10, "JPY", 0),  # 0.29
        (1000, "KWD", 329),  # 29 + 300 fils
        (10_000_000, "INR", 290_030),
    ],
)
def test_the_fee_is_2_9_percent_plus_0_30_rounded_half_up_and_capped(amount: int, currency: str, fee: int) -> None:
    assert rules.fee_for(amount, currency) == fee


def test_backoff_doubles_from_one_second_and_stops_at_ten_minutes() -> None:
    assert [rules.backoff_seconds(attempt) for attempt in range(1, 13)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        64,
        128,
        256,
        512,
        600,
        600,
    ]


def test_only_a_4xx_other_than_timeout_or_rate_limit_is_final() -> None:
    codes = [200, 301, 400, 401, 404, 408, 429, 499, 500, 503]
    assert [code for code in codes if rules.is_final_status(code)] == [400, 401, 404, 499]
