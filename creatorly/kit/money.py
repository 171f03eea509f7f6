"""Money as integer minor units plus an ISO 4217 currency: exponents, parsing and formatting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Minor-unit exponents (ISO 4217). A currency not listed here is not supported.
CURRENCY_EXPONENTS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "INR": 2,
    "JPY": 0,
    "CAD": 2,
    "AUD": 2,
    "KWD": 3,
}

CURRENCY_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "INR": "₹",
    "JPY": "¥",
    "CAD": "CA$",
    "AUD": "A$",
}


_DECIMAL_STRING = re.compile(r"^-?[0-9]{1,20}(\.[0-9]{1,20})?$")


class UnsupportedCurrency(ValueError):
    """The currency code is not one Creatorly handles."""


def exponent_of(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency.upper()]
    except KeyError:
        raise UnsupportedCurrency(f"Unsupported currency: {currency!r}") from None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in minor units of one currency; arithmetic refuses to mix currencies."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        exponent_of(self.currency)

    def __add__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check_same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def _check_same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"Cannot combine {self.currency} with {other.currency}")

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-exponent_of(self.currency))

    def format(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: int, currency: str) -> str:
    """'$12.50', '¥1,200', '-€3.00': symbol when known, else the code; grouping by thousands."""
    exponent = exponent_of(currency)
    value = Decimal(abs(amount)).scaleb(-exponent)
    number = f"{value:,.{exponent}f}"
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    text = f"{symbol}{number}" if symbol else f"{number} {currency.upper()}"
    return f"-{text}" if amount < 0 else text


def parse_amount(text: str, currency: str) -> int:
    """Turn what a person typed ('12.5', '1,200') into minor units; refuse more decimals than allowed."""
    exponent = exponent_of(currency)
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency.upper()} amounts have at most {exponent} decimal places")
    return int(scaled)


def percent_of(amount: int, percent: Decimal) -> int:
    """A percentage of a minor-unit amount, rounded half up to a whole minor unit."""
    return int((Decimal(amount) * percent / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_decimal_string(amount: int, currency: str) -> str:
    """Minor units as the plain decimal string providers such as PayPal take: 1050 USD → '10.50', 1200 JPY → '1200'.

    Exact (Decimal scaling, no float); always exactly the currency's exponent of decimals."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("amount must be an int of minor units")
    exponent = exponent_of(currency)
    return f"{Decimal(amount).scaleb(-exponent):.{exponent}f}"


def from_decimal_string(text: str, currency: str) -> int:
    """A provider's decimal string back to minor units: '10.50' USD → 1050; ValueError for anything else
    (signs other than '-', exponents, grouping, or more decimals than the currency has)."""
    exponent = exponent_of(currency)
    if not isinstance(text, str) or not _DECIMAL_STRING.match(text):
        raise ValueError(f"{text!r} is not a decimal amount")
    scaled = Decimal(text).scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency.upper()} amounts have at most {exponent} decimal places")
    return int(scaled)
