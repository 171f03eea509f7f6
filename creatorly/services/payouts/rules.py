"""Pure payout rules: minimums, account validation, readiness reasons, status transitions, schedule due dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from creatorly.errors import CreatorlyError, InvalidInput
from creatorly.kit.money import UnsupportedCurrency, exponent_of, format_money
from creatorly.models.enums import PayoutAccountKind, PayoutSchedule, PayoutStatus
from creatorly.services.accounts.rules import validated_email

# Minimum payout in minor units; any other supported currency: 10 major units.
MINIMUM_PAYOUTS: dict[str, int] = {
    "USD": 1000,
    "EUR": 1000,
    "GBP": 1000,
    "CAD": 1000,
    "AUD": 1000,
    "INR": 50000,
    "JPY": 1000,
}
DEFAULT_MINIMUM_MAJOR_UNITS = 10

MAX_HOLDER_NAME_LENGTH = 120
MAX_REASON_LENGTH = 300
MAX_PAYPAL_EMAIL_LENGTH = 127  # PayPal Payouts: items[].receiver
_IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
_ABA = re.compile(r"^[0-9]{9}$")
_US_ACCOUNT = re.compile(r"^[0-9]{4,17}$")
_IN_ACCOUNT = re.compile(r"^[0-9]{9,18}$")
_OTHER_ACCOUNT = re.compile(r"^[A-Z0-9]{6,34}$")
_OTHER_ROUTING = re.compile(r"^[A-Z0-9]{0,20}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_UPI = re.compile(r"^[a-z0-9._-]{2,80}@[a-z][a-z0-9]{1,30}$")
_STRIPE_ACCOUNT = re.compile(r"^acct_[A-Za-z0-9]{6,59}$")
_ACCOUNT_SEPARATORS = re.compile(r"[\s-]")

# Which status a payout may move to from which; paid and failed are final.
_TRANSITIONS: dict[PayoutStatus, frozenset[PayoutStatus]] = {
    PayoutStatus.PENDING: frozenset({PayoutStatus.IN_TRANSIT, PayoutStatus.PAID, PayoutStatus.FAILED}),
    PayoutStatus.IN_TRANSIT: frozenset({PayoutStatus.PAID, PayoutStatus.FAILED}),
    PayoutStatus.PAID: frozenset(),
    PayoutStatus.FAILED: frozenset(),
}

BELOW_MINIMUM = "below_minimum"
ABOVE_AVAILABLE = "above_available"
UNDER_REVIEW = "under_review"
SUSPENDED = "creator_suspended"
NO_PAYOUT_ACCOUNT = "no_payout_account"
NEGATIVE_BALANCE = "negative_balance"
NOTHING_AVAILABLE = "nothing_available"
PAYOUT_OPEN = "payout_open"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why money cannot go out now, in words safe to show, and what the creator can do about it."""

    code: str
    reason: str
    next_step: str


class PayoutRefused(CreatorlyError):
    """A withdrawal that cannot go now; `code` is the reason's stable code, `next_step` says what to do."""

    code = "payout_refused"
    status = 409
    default_message = "This payout can't be made right now."

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason)
        self.code = refusal.code
        self.reason_code = refusal.code
        self.next_step = refusal.next_step


@dataclass(frozen=True, slots=True)
class PayoutSituation:
    """What readiness is decided from, read under the creator's payout lock."""

    currency: str
    available: int
    under_review: bool = False
    review_note: str = ""
    is_suspended: bool = False  # the creator's storefront is suspended: payouts wait for its restoration
    has_payout_account: bool = False
    has_open_payout: bool = False


@dataclass(frozen=True, slots=True)
class ValidAccount:
    """A payout account that passed validation, normalized; the account number is still plaintext here."""

    kind: PayoutAccountKind
    currency: str
    country: str = ""
    holder_name: str = ""
    routing_code: str = ""
    account_number: str = ""
    upi_id: str = ""
    stripe_account_id: str = ""
    paypal_email: str = ""


def minimum_payout(currency: str) -> int:
    """The smallest payout in minor units: 10.00 USD, 500.00 INR, ¥1,000; 10 major units elsewhere."""
    code = currency.upper()
    major_unit: int = 10 ** exponent_of(code)
    return MINIMUM_PAYOUTS.get(code, DEFAULT_MINIMUM_MAJOR_UNITS * major_unit)


def refusal_of(situation: PayoutSituation, *, amount: int | None = None) -> Refusal | None:
    """The first reason the payout of `amount` (None: everything available) cannot go, or None when it can."""
    currency, available = situation.currency, situation.available
    minimum = minimum_payout(currency)
    if situation.is_suspended:
        return Refusal(
            SUSPENDED, "Your storefront is suspended, so payouts are on hold.", "They resume when it is restored."
        )
    if situation.under_review:
        return _under_review(situation.review_note)
    if situation.has_open_payout:
        return Refusal(PAYOUT_OPEN, "A payout is already on its way.", "Wait for it to arrive before the next one.")
    if available < 0:
        return Refusal(
            NEGATIVE_BALANCE,
            f"Your balance is negative ({format_money(available, currency)}) after refunds or disputes.",
            "It is recovered from your next earnings; payouts resume once it is back above the minimum.",
        )
    wanted = available if amount is None else amount
    if amount is not None and amount > available:
        return Refusal(
            ABOVE_AVAILABLE,
            f"You can withdraw at most {format_money(available, currency)} right now.",
            "Withdraw a smaller amount, or wait for held earnings to be released.",
        )
    if wanted <= 0:
        return Refusal(
            NOTHING_AVAILABLE,
            "Nothing is available to withdraw yet.",
            "Earnings become available when their hold period ends.",
        )
    if wanted < minimum:
        return Refusal(
            BELOW_MINIMUM,
            f"The minimum payout is {format_money(minimum, currency)}; "
            f"{'you have' if amount is None else 'you asked for'} {format_money(wanted, currency)}.",
            "Payouts can be made once your available balance reaches the minimum.",
        )
    if not situation.has_payout_account:
        return Refusal(
            NO_PAYOUT_ACCOUNT,
            f"You have no payout account for {currency}.",
            f"Add a bank account, UPI id or Stripe account for {currency} to get paid.",
        )
    return None


def _under_review(note: str) -> Refusal:
    reason = "Your account is under review."
    if note.strip():
        reason = f"{reason} {note.strip()}"
    return Refusal(UNDER_REVIEW, reason[:MAX_REASON_LENGTH], "We will email you when the review is done.")


def can_transition(current: PayoutStatus | str, target: PayoutStatus | str) -> bool:
    return PayoutStatus(target) in _TRANSITIONS[PayoutStatus(current)]


def is_open(status: PayoutStatus | str) -> bool:
    return PayoutStatus(status) in (PayoutStatus.PENDING, PayoutStatus.IN_TRANSIT)


def latest_due_moment(schedule: PayoutSchedule | str, now: datetime) -> datetime | None:
    """The most recent moment (UTC midnight) a schedule was due at or before `now`; None for manual payouts.

    Daily: today. Weekly: the latest Monday. Monthly: the 1st of this month.
    """
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    match PayoutSchedule(schedule):
        case PayoutSchedule.DAILY:
            return today
        case PayoutSchedule.WEEKLY:
            return today - timedelta(days=today.weekday())
        case PayoutSchedule.MONTHLY:
            return today.replace(day=1)
        case _:
            return None


def is_schedule_due(schedule: PayoutSchedule | str, *, now: datetime, last_run_at: datetime | None) -> bool:
    """Due when the latest due moment came after the last scheduled run (a missed run is made up once)."""
    due = latest_due_moment(schedule, now)
    if due is None:
        return False
    return last_run_at is None or last_run_at < due


def parsed_schedule(value: str) -> PayoutSchedule:
    try:
        return PayoutSchedule(value.strip().lower())
    except ValueError:
        raise InvalidInput("Choose manual, daily, weekly or monthly.", field="schedule") from None


def valid_account(
    *,
    kind: str,
    currency: str,
    country: str = "",
    holder_name: str = "",
    routing_code: str = "",
    account_number: str = "",
    upi_id: str = "",
    stripe_account_id: str = "",
    paypal_email: str = "",
) -> ValidAccount:
    """Check and normalize a payout account; InvalidInput names the first field that is wrong."""
    account_kind = _kind(kind)
    code = _currency(currency)
    if account_kind is PayoutAccountKind.UPI:
        return ValidAccount(kind=account_kind, currency=code, country="IN", upi_id=_upi(upi_id, code))
    if account_kind is PayoutAccountKind.STRIPE:
        return ValidAccount(kind=account_kind, currency=code, stripe_account_id=_stripe_account(stripe_account_id))
    if account_kind is PayoutAccountKind.PAYPAL:
        return ValidAccount(kind=account_kind, currency=code, paypal_email=_paypal_email(paypal_email))
    return _bank(code, country=country, holder_name=holder_name, routing_code=routing_code, number=account_number)


def _kind(kind: str) -> PayoutAccountKind:
    try:
        return PayoutAccountKind(kind.strip().lower())
    except ValueError:
        raise InvalidInput("Choose a bank account, a UPI id, a Stripe account or PayPal.", field="kind") from None


def _currency(currency: str) -> str:
    code = currency.strip().upper()
    try:
        exponent_of(code)
    except UnsupportedCurrency:
        raise InvalidInput("Choose a supported currency.", field="currency") from None
    return code


def _upi(upi_id: str, currency: str) -> str:
    if currency != "INR":
        raise InvalidInput("UPI payouts are in Indian rupees (INR) only.", field="currency")
    cleaned = upi_id.strip().lower()
    if not _UPI.match(cleaned):
        raise InvalidInput("Enter a UPI id like name@bank.", field="upi_id")
    return cleaned


def _paypal_email(email: str) -> str:
    """The PayPal account's email, normalised; a PayPal payout's receiver is at most 127 characters."""
    try:
        address = validated_email(email)
    except InvalidInput:
        raise InvalidInput(
            "Enter the email of your PayPal account, like name@example.com.", field="paypal_email"
        ) from None
    if len(address) > MAX_PAYPAL_EMAIL_LENGTH:
        raise InvalidInput("That email is too long for PayPal.", field="paypal_email")
    return address


def _stripe_account(account_id: str) -> str:
    cleaned = account_id.strip()
    if not _STRIPE_ACCOUNT.match(cleaned):
        raise InvalidInput("Enter your Stripe account id; it starts with acct_.", field="stripe_account_id")
    return cleaned


def _bank(currency: str, *, country: str, holder_name: str, routing_code: str, number: str) -> ValidAccount:
    country_code = country.strip().upper()
    if not _COUNTRY.match(country_code):
        raise InvalidInput("Choose the bank's country.", field="country")
    holder = " ".join(holder_name.split())
    if not holder or len(holder) > MAX_HOLDER_NAME_LENGTH:
        raise InvalidInput("Enter the account holder's name as the bank knows it.", field="holder_name")
    routing = _ACCOUNT_SEPARATORS.sub("", routing_code).upper()
    account_number = _ACCOUNT_SEPARATORS.sub("", number).upper()
    if country_code == "IN":
        _check_indian_bank(currency, routing, account_number)
    elif country_code == "US":
        _check_us_bank(currency, routing, account_number)
    else:
        _check_other_bank(routing, account_number)
    return ValidAccount(
        kind=PayoutAccountKind.BANK,
        currency=currency,
        country=country_code,
        holder_name=holder,
        routing_code=routing,
        account_number=account_number,
    )


def _check_indian_bank(currency: str, ifsc: str, account_number: str) -> None:
    if currency != "INR":
        raise InvalidInput("Indian bank accounts are paid in INR.", field="currency")
    if not _IFSC.match(ifsc):
        raise InvalidInput("Enter the branch's 11-character IFSC, like HDFC0001234.", field="routing_code")
    if not _IN_ACCOUNT.match(account_number):
        raise InvalidInput("An Indian account number has 9 to 18 digits.", field="account_number")


def _check_us_bank(currency: str, routing: str, account_number: str) -> None:
    if currency != "USD":
        raise InvalidInput("US bank accounts are paid in USD.", field="currency")
    if not is_valid_aba_routing_number(routing):
        raise InvalidInput("Enter the bank's 9-digit ABA routing number.", field="routing_code")
    if not _US_ACCOUNT.match(account_number):
        raise InvalidInput("A US account number has 4 to 17 digits.", field="account_number")


def _check_other_bank(routing: str, account_number: str) -> None:
    if not _OTHER_ROUTING.match(routing):
        raise InvalidInput("The bank code has at most 20 letters and digits.", field="routing_code")
    if not _OTHER_ACCOUNT.match(account_number):
        raise InvalidInput("Enter the account number or IBAN (6 to 34 letters and digits).", field="account_number")


def is_valid_aba_routing_number(routing: str) -> bool:
    """Nine digits whose weighted sum (3, 7, 1 repeating) is a multiple of ten."""
    if not _ABA.match(routing):
        return False
    digits = [int(character) for character in routing]
    weighted = 3 * (digits[0] + digits[3] + digits[6]) + 7 * (digits[1] + digits[4] + digits[7])
    return (weighted + digits[2] + digits[5] + digits[8]) % 10 == 0


def account_label(
    *, kind: str, account_last4: str = "", upi_id: str = "", stripe_account_id: str = "", paypal_email: str = ""
) -> str:
    """How an account is named on screen: never more than the last 4 digits of a bank account."""
    match PayoutAccountKind(kind):
        case PayoutAccountKind.BANK:
            return f"Bank ···· {account_last4}"
        case PayoutAccountKind.UPI:
            return f"UPI {upi_id}"
        case PayoutAccountKind.PAYPAL:
            return f"PayPal {paypal_email}"
        case _:
            return f"Stripe {stripe_account_id}"


DestinationKind = Literal["bank", "upi", "stripe", "paypal"]
_DESTINATION_KINDS: dict[str, DestinationKind] = {"bank": "bank", "upi": "upi", "stripe": "stripe", "paypal": "paypal"}


def destination_kind(kind: str) -> DestinationKind:
    """A stored account kind as the payout providers name it."""
    return _DESTINATION_KINDS[str(kind)]


def clipped_reason(reason: str) -> str:
    """A provider's reason as stored and shown: one line, at most 300 characters."""
    return " ".join(reason.split())[:MAX_REASON_LENGTH]
