"""Pure ledger rules: account names, how a sale and its refunds split into balanced postings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from creatorly.errors import CreatorlyError, InvalidInput, NotFound
from creatorly.kit.money import exponent_of, format_money, percent_of

SALE = "sale"
REFUND = "refund"
PAYOUT = "payout"
PAYOUT_PAID = "payout_paid"
PAYOUT_FAILED = "payout_failed"
PAYOUT_REVERSED = "payout_reversed"
PLATFORM_REVENUE = "platform:revenue"

MEMO_GROSS = "gross"
MEMO_PROVIDER_FEE = "provider fee"
MEMO_PLATFORM_FEE = "platform fee"
MEMO_CREATOR_EARNINGS = "creator earnings"
MEMO_REFUND = "refund"
MEMO_PLATFORM_FEE_RETURNED = "platform fee returned"
MEMO_CREATOR_EARNINGS_RETURNED = "creator earnings returned"
MEMO_PAYOUT = "payout"
MEMO_PAYOUT_PAID = "payout paid"
MEMO_PAYOUT_RETURNED = "payout returned"
MEMO_PAYOUT_REVERSED = "payout reversed"
# The memos of money moved between a creator's earnings and payouts; every other earnings leg (sales,
# refunds, fees charged later) is part of what the creator earned.
PAYOUT_MEMOS = (MEMO_PAYOUT, MEMO_PAYOUT_RETURNED)

MAX_PLATFORM_FEE_PERCENT = Decimal(100)
MAX_REFUND_REFERENCE_LENGTH = 80
_PROVIDER_NAME = re.compile(r"^[a-z0-9_-]{1,40}$")


class LedgerUnbalanced(RuntimeError):
    """A bug, never an expected failure: postings must sum to zero in one currency before they are written."""


class LedgerInconsistent(RuntimeError):
    """A bug: what the ledger already holds for an order contradicts the rules that wrote it."""


class FeesExceedGross(CreatorlyError):
    code = "fees_exceed_gross"
    status = 422
    default_message = "The fees on this payment are larger than the payment itself."


class RefundExceedsPayment(CreatorlyError):
    code = "refund_exceeds_payment"
    status = 409
    default_message = "This refund is larger than what remains of the payment."


class RefundReferenceReused(CreatorlyError):
    code = "refund_reference_reused"
    status = 409
    default_message = "This refund was already recorded with a different amount."


class SaleNotRecorded(NotFound):
    code = "sale_not_recorded"
    default_message = "No paid sale is recorded for this order."


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg to write: debit positive, credit negative, in minor units of `currency`."""

    account: str
    amount: int
    memo: str
    available_at: datetime | None = None
    currency: str | None = None


class Leg(Protocol):
    """What the rules read of a posting or of a stored entry."""

    @property
    def account(self) -> str: ...

    @property
    def amount(self) -> int: ...

    @property
    def memo(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SaleSplit:
    """Who gets what of a gross payment; the four parts are exact and add back to the gross."""

    gross: int
    provider_fee: int
    platform_fee: int
    creator_net: int


@dataclass(frozen=True, slots=True)
class RecordedSale:
    """The parts of a posted sale that its refunds are measured against."""

    clearing_account: str
    gross: int
    platform_fee: int


@dataclass(frozen=True, slots=True)
class RefundedSoFar:
    """What earlier refunds of one sale took back, cumulatively."""

    amount: int = 0
    platform_fee: int = 0


class DatedLeg(Leg, Protocol):
    """A stored leg with the end of its hold."""

    @property
    def available_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class HeldEarnings:
    """The part of a sale's creator earnings still inside its hold (minor units > 0), and when the hold ends."""

    available_at: datetime
    amount: int


@dataclass(frozen=True, slots=True)
class RefundSplit:
    amount: int
    platform_share: int
    creator_share: int


def provider_clearing_account(provider: str) -> str:
    """What the payment provider owes us (debit balance) for payments it collected."""
    if not _PROVIDER_NAME.match(provider):
        raise ValueError(f"Invalid payment provider name: {provider!r}")
    return f"provider:{provider}:clearing"


def platform_revenue_account() -> str:
    return PLATFORM_REVENUE


def creator_earnings_account(creator_id: int) -> str:
    """What the platform owes the creator (credit balance, so negative while owed)."""
    if creator_id <= 0:
        raise ValueError(f"Invalid creator id: {creator_id}")
    return f"creator:{creator_id}:earnings"


def creator_escrow_account(creator_id: int) -> str:
    """A paid session's money held for the creator until it is settled (credit balance while held).

    Kept apart from earnings so held-for-a-session money is never pending, available or payable.
    """
    if creator_id <= 0:
        raise ValueError(f"Invalid creator id: {creator_id}")
    return f"creator:{creator_id}:escrow"


def creator_payouts_in_transit_account(creator_id: int) -> str:
    """Earnings on their way to the creator (credit balance while a payout is open)."""
    if creator_id <= 0:
        raise ValueError(f"Invalid creator id: {creator_id}")
    return f"creator:{creator_id}:payouts_in_transit"


def payout_provider_disbursed_account(provider: str) -> str:
    """What a payout provider paid out to creators on our behalf (debit balance)."""
    if not _PROVIDER_NAME.match(provider):
        raise ValueError(f"Invalid payout provider name: {provider!r}")
    return f"payout_provider:{provider}:disbursed"


def payout_reference(public_id: str) -> str:
    return f"payout:{public_id}"


def sale_reference(order_id: int) -> str:
    return f"order:{order_id}"


def refund_prefix(order_id: int) -> str:
    return f"order:{order_id}:refund:"


def refund_reference(order_id: int, reference: str) -> str:
    cleaned = reference.strip()
    if not cleaned or len(cleaned) > MAX_REFUND_REFERENCE_LENGTH:
        raise InvalidInput(f"A refund reference has 1 to {MAX_REFUND_REFERENCE_LENGTH} characters.", field="reference")
    return refund_prefix(order_id) + cleaned


def divide_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, exactly, for numerator >= 0 and denominator > 0."""
    if numerator < 0 or denominator <= 0:
        raise ValueError("divide_half_up takes a non-negative numerator and a positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


def _require_minor_units(name: str, value: int, *, minimum: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int of minor units, not {type(value).__name__}")
    if value < minimum:
        raise InvalidInput(f"{name} must be at least {minimum}.", field=name)


def split_sale(*, gross: int, provider_fee: int, platform_fee_percent: Decimal, currency: str) -> SaleSplit:
    """Platform fee on the gross, rounded half up; the creator gets the rest after both fees.

    Refused when the fees exceed the gross: a sale never leaves the creator owing money, so checkout
    must keep prices above what the provider charges.
    """
    _require_minor_units("gross", gross)
    _require_minor_units("provider_fee", provider_fee)
    if not Decimal(0) <= platform_fee_percent <= MAX_PLATFORM_FEE_PERCENT:
        raise ValueError(f"platform_fee_percent must be within 0..100, not {platform_fee_percent}")
    platform_fee = percent_of(gross, platform_fee_percent)
    creator_net = gross - provider_fee - platform_fee
    if creator_net < 0:
        raise FeesExceedGross(
            f"The provider fee ({format_money(provider_fee, currency)}) and platform fee "
            f"({format_money(platform_fee, currency)}) exceed the payment ({format_money(gross, currency)})."
        )
    return SaleSplit(gross=gross, provider_fee=provider_fee, platform_fee=platform_fee, creator_net=creator_net)


def sale_postings(
    *,
    provider: str,
    creator_id: int,
    gross: int,
    provider_fee: int,
    platform_fee_percent: Decimal,
    currency: str,
    paid_at: datetime,
    hold: timedelta,
) -> list[Posting]:
    """The legs of a paid order; none for a free one, and no zero-amount legs."""
    exponent_of(currency)
    if paid_at.tzinfo is None:
        raise ValueError("paid_at must be timezone-aware")
    if hold < timedelta(0):
        raise ValueError("the hold period cannot be negative")
    split = split_sale(
        gross=gross, provider_fee=provider_fee, platform_fee_percent=platform_fee_percent, currency=currency
    )
    clearing = provider_clearing_account(provider)
    legs = [
        Posting(clearing, split.gross, MEMO_GROSS, currency=currency),
        Posting(clearing, -split.provider_fee, MEMO_PROVIDER_FEE, currency=currency),
        Posting(platform_revenue_account(), -split.platform_fee, MEMO_PLATFORM_FEE, currency=currency),
        Posting(
            creator_earnings_account(creator_id),
            -split.creator_net,
            MEMO_CREATOR_EARNINGS,
            available_at=paid_at + hold,
            currency=currency,
        ),
    ]
    return [leg for leg in legs if leg.amount != 0]


def recorded_sale(legs: Iterable[Leg]) -> RecordedSale:
    """Read gross and platform fee back from a posted sale's entries."""
    entries = list(legs)
    gross_legs = [leg for leg in entries if leg.memo == MEMO_GROSS]
    if len(gross_legs) != 1:
        raise LedgerInconsistent("a sale has exactly one gross entry")
    platform_fee = -sum(leg.amount for leg in entries if leg.account == PLATFORM_REVENUE)
    return RecordedSale(clearing_account=gross_legs[0].account, gross=gross_legs[0].amount, platform_fee=platform_fee)


def refunded_so_far(clearing_account: str, refund_legs: Iterable[Leg]) -> RefundedSoFar:
    """Totals taken back by earlier refunds, from their entries."""
    entries = list(refund_legs)
    return RefundedSoFar(
        amount=-sum(leg.amount for leg in entries if leg.account == clearing_account),
        platform_fee=sum(leg.amount for leg in entries if leg.account == PLATFORM_REVENUE),
    )


def split_refund(*, sale: RecordedSale, before: RefundedSoFar, amount: int, currency: str) -> RefundSplit:
    """Cumulative allocation: the platform's total return tracks round_half_up(fee * refunded / gross).

    Each refund takes the difference from what earlier refunds took, so rounding never accumulates and
    a full refund returns exactly the platform fee. The creator gives back the rest, which includes the
    provider fee the provider keeps: the creator bears the provider fee, on refunds as on sales.
    """
    _require_minor_units("amount", amount, minimum=1)
    remaining = sale.gross - before.amount
    if amount > remaining:
        raise RefundExceedsPayment(
            f"This refund ({format_money(amount, currency)}) is larger than what remains of the "
            f"payment ({format_money(remaining, currency)})."
        )
    target = divide_half_up(sale.platform_fee * (before.amount + amount), sale.gross)
    platform_share = target - before.platform_fee
    if not 0 <= platform_share <= amount:
        raise LedgerInconsistent("earlier refunds returned more platform fee than the rules allow")
    return RefundSplit(amount=amount, platform_share=platform_share, creator_share=amount - platform_share)


def held_earnings(
    sale_legs: Iterable[DatedLeg], later_legs: Iterable[DatedLeg], *, creator_id: int, now: datetime
) -> HeldEarnings | None:
    """What of a sale's creator earnings is still on hold at `now`.

    `later_legs` are the entries posted for the same order since (refunds, fees charged later): those on the
    creator's earnings with the sale's release date were taken from the hold.
    """
    account = creator_earnings_account(creator_id)
    earned = [leg for leg in sale_legs if leg.account == account and leg.memo == MEMO_CREATOR_EARNINGS]
    if len(earned) != 1:
        return None
    available_at = earned[0].available_at
    if available_at is None or available_at <= now:
        return None
    taken = sum(leg.amount for leg in later_legs if leg.account == account and leg.available_at == available_at)
    held = -earned[0].amount - taken
    return HeldEarnings(available_at=available_at, amount=held) if held > 0 else None


def refund_postings(
    *,
    sale: RecordedSale,
    before: RefundedSoFar,
    amount: int,
    creator_id: int,
    currency: str,
    held: HeldEarnings | None = None,
) -> list[Posting]:
    """The legs reversing part of a sale: out of clearing, back from the platform and the creator.

    While the sale is still on hold, the creator's share comes out of the held earnings (the leg carries
    the hold's end, so the refund lowers pending, not available); only what exceeds them (the provider
    fee the creator bears) comes out of available earnings at once.
    """
    split = split_refund(sale=sale, before=before, amount=amount, currency=currency)
    from_hold = 0 if held is None else min(split.creator_share, held.amount)
    earnings = creator_earnings_account(creator_id)
    legs = [
        Posting(sale.clearing_account, -split.amount, MEMO_REFUND, currency=currency),
        Posting(platform_revenue_account(), split.platform_share, MEMO_PLATFORM_FEE_RETURNED, currency=currency),
        Posting(
            earnings,
            from_hold,
            MEMO_CREATOR_EARNINGS_RETURNED,
            available_at=None if held is None else held.available_at,
            currency=currency,
        ),
        Posting(earnings, split.creator_share - from_hold, MEMO_CREATOR_EARNINGS_RETURNED, currency=currency),
    ]
    return [leg for leg in legs if leg.amount != 0]


def payout_postings(*, creator_id: int, amount: int, currency: str) -> list[Posting]:
    """A payout leaves the creator's available earnings and waits in transit."""
    _require_minor_units("amount", amount, minimum=1)
    exponent_of(currency)
    return [
        Posting(creator_earnings_account(creator_id), amount, MEMO_PAYOUT, currency=currency),
        Posting(creator_payouts_in_transit_account(creator_id), -amount, MEMO_PAYOUT, currency=currency),
    ]


def payout_paid_postings(*, creator_id: int, provider: str, amount: int, currency: str) -> list[Posting]:
    """The provider paid the creator: the money leaves transit as disbursed by that provider."""
    _require_minor_units("amount", amount, minimum=1)
    exponent_of(currency)
    return [
        Posting(creator_payouts_in_transit_account(creator_id), amount, MEMO_PAYOUT_PAID, currency=currency),
        Posting(payout_provider_disbursed_account(provider), -amount, MEMO_PAYOUT_PAID, currency=currency),
    ]


def payout_failed_postings(*, creator_id: int, amount: int, currency: str) -> list[Posting]:
    """The payout failed: the money returns from transit to the creator's available earnings."""
    _require_minor_units("amount", amount, minimum=1)
    exponent_of(currency)
    return [
        Posting(creator_payouts_in_transit_account(creator_id), amount, MEMO_PAYOUT_RETURNED, currency=currency),
        Posting(creator_earnings_account(creator_id), -amount, MEMO_PAYOUT_RETURNED, currency=currency),
    ]


def payout_reversed_postings(*, creator_id: int, provider: str, amount: int, currency: str) -> list[Posting]:
    """A paid payout came back (the bank returned it to our account): undo the disbursement through transit,
    so paid-out shrinks by the amount, and return the money to the creator's available earnings."""
    _require_minor_units("amount", amount, minimum=1)
    exponent_of(currency)
    in_transit = creator_payouts_in_transit_account(creator_id)
    return [
        Posting(payout_provider_disbursed_account(provider), amount, MEMO_PAYOUT_REVERSED, currency=currency),
        Posting(in_transit, -amount, MEMO_PAYOUT_REVERSED, currency=currency),
        Posting(in_transit, amount, MEMO_PAYOUT_RETURNED, currency=currency),
        Posting(creator_earnings_account(creator_id), -amount, MEMO_PAYOUT_RETURNED, currency=currency),
    ]


def assert_balanced(postings: Sequence[Posting]) -> None:
    """Refuse postings that mix currencies or do not sum to zero."""
    currencies = {posting.currency for posting in postings}
    if len(currencies) > 1:
        raise LedgerUnbalanced(f"postings mix currencies: {sorted(str(code) for code in currencies)}")
    total = sum(posting.amount for posting in postings)
    if total != 0:
        raise LedgerUnbalanced(f"postings sum to {total}, not zero")
