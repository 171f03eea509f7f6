"""Pure rules of the sandbox gateway: test cards, card checks, the fee and webhook backoff."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from creatorly.errors import InvalidInput
from creatorly.kit.money import exponent_of


class PaymentStatus(StrEnum):
    REQUIRES_PAYMENT = "requires_payment"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    FAILED = "failed"


class FailureCode(StrEnum):
    CARD_DECLINED = "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"


DECLINED_CARD = "4000000000000002"
INSUFFICIENT_FUNDS_CARD = "4000000000009995"
SUCCEEDING_CARD = "4242424242424242"
_SCRIPTED_OUTCOMES: dict[str, tuple[PaymentStatus, FailureCode]] = {
    DECLINED_CARD: (PaymentStatus.DECLINED, FailureCode.CARD_DECLINED),
    INSUFFICIENT_FUNDS_CARD: (PaymentStatus.FAILED, FailureCode.INSUFFICIENT_FUNDS),
}
FAILURE_MESSAGES: dict[str, str] = {
    FailureCode.CARD_DECLINED: "Your card was declined.",
    FailureCode.INSUFFICIENT_FUNDS: "Your card has insufficient funds.",
}

MIN_CARD_DIGITS, MAX_CARD_DIGITS = 12, 19
MAX_NAME_LENGTH = 100

# 2.9 % + 0.30 of the currency's major unit: 30 cents (USD), 300 fils (KWD), and 0 yen, since a
# fixed part of a third of a yen rounds to nothing — JPY payments pay the percentage alone.
FEE_PERCENT = Decimal("2.9")
FEE_FIXED_MAJOR = Decimal("0.30")

MAX_DELIVERY_ATTEMPTS = 12
MAX_BACKOFF_SECONDS = 600


@dataclass(frozen=True, slots=True)
class CardOutcome:
    """What the bank decides for a card; only the last four digits leave this module."""

    status: PaymentStatus
    failure_code: FailureCode | None
    card_last4: str


def digits_of(card_number: str) -> str:
    """The card number without the spaces and dashes people type; '' if anything else is in it."""
    compact = card_number.replace(" ", "").replace("-", "")
    return compact if compact.isascii() and compact.isdigit() else ""


def is_luhn_valid(digits: str) -> bool:
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def check_expiry(expiry: str, *, now: datetime) -> None:
    """MM/YY, valid through the last day of that month (as printed cards are); raise InvalidInput otherwise."""
    month_text, separator, year_text = expiry.strip().partition("/")
    month_text, year_text = month_text.strip(), year_text.strip()
    is_shaped = bool(separator) and len(month_text) == 2 and len(year_text) == 2
    if not (is_shaped and (month_text + year_text).isascii() and (month_text + year_text).isdigit()):
        raise InvalidInput("Enter the expiry date as MM/YY.", field="expiry")
    month, year = int(month_text), 2000 + int(year_text)
    if not 1 <= month <= 12:
        raise InvalidInput("Enter the expiry date as MM/YY.", field="expiry")
    if (year, month) < (now.year, now.month):
        raise InvalidInput("Your card has expired.", field="expiry")


def check_cvc(cvc: str) -> None:
    compact = cvc.strip()
    if not (compact.isascii() and compact.isdigit() and 3 <= len(compact) <= 4):
        raise InvalidInput("Enter the 3 or 4 digit security code.", field="cvc")


def check_name(name: str) -> None:
    if not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("Enter the name on the card.", field="name")


def decide(*, card_number: str, expiry: str, cvc: str, name: str, now: datetime) -> CardOutcome:
    """Check what was typed (InvalidInput names the field) and decide the bank's answer for this card."""
    digits = digits_of(card_number)
    if not (MIN_CARD_DIGITS <= len(digits) <= MAX_CARD_DIGITS and is_luhn_valid(digits)):
        raise InvalidInput("Enter a valid card number.", field="card_number")
    check_expiry(expiry, now=now)
    check_cvc(cvc)
    check_name(name)
    status, failure_code = _SCRIPTED_OUTCOMES.get(digits, (PaymentStatus.SUCCEEDED, None))
    return CardOutcome(status=status, failure_code=failure_code, card_last4=digits[-4:])


def fee_for(amount: int, currency: str) -> int:
    """2.9 % plus the fixed part, rounded half up to a minor unit, never more than the amount itself."""
    exponent = exponent_of(currency)
    fixed = FEE_FIXED_MAJOR.scaleb(exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)  # whole minor units
    fee = (Decimal(amount) * FEE_PERCENT / Decimal(100) + fixed).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(int(fee), amount)


def backoff_seconds(attempts: int) -> int:
    """Wait after the `attempts`-th failed delivery: 1 s, 2 s, 4 s … capped at ten minutes."""
    return int(min(2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def is_final_status(status_code: int) -> bool:
    """A 4xx refusal will not change on retry, except a timeout or rate limit."""
    return 400 <= status_code < 500 and status_code not in (408, 429)


# --- Saved cards (recurring charges) -------------------------------------------------------------

# Pays on the hosted page, then every charge of the saved card (a renewal) is declined.
RENEWALS_DECLINED_CARD = "4000000000000341"
# Pays on the hosted page; the first saved-card charge for an order is declined, a retry of it succeeds.
FIRST_RENEWAL_DECLINED_CARD = "4000000000003220"


def saved_card_outcome(card_last4: str, *, earlier_failures: int) -> tuple[PaymentStatus, FailureCode | None]:
    """The bank's answer to a charge of a saved card (no one at the keyboard), by the test card's last digits."""
    if card_last4 == RENEWALS_DECLINED_CARD[-4:]:
        return PaymentStatus.DECLINED, FailureCode.CARD_DECLINED
    if card_last4 == FIRST_RENEWAL_DECLINED_CARD[-4:] and earlier_failures == 0:
        return PaymentStatus.DECLINED, FailureCode.CARD_DECLINED
    return PaymentStatus.SUCCEEDED, None


def card_fingerprint(digits: str) -> str:
    """A stable fingerprint of a test card number (the same card gives the same one), never the number itself."""
    return "fp_" + hashlib.sha256(f"creatorly-sandbox-card:{digits}".encode()).hexdigest()[:32]
