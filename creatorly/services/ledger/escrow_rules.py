"""Pure escrow rules: how a paid session's money is held for its creator, then settled out of escrow.

A paid session is booked like a sale with one difference: the creator's part goes to the creator's escrow
account instead of earnings. The provider fee is booked exactly as `sale_postings` books it (the provider
keeps it out of the clearing account), so the clearing account still holds what the provider owes us and
the escrowed amount is gross - provider fee. The platform fee is charged at settlement, on what the creator
keeps. Settlement empties the escrow in one transaction: the creator's share into earnings (held like a
sale), the platform fee into revenue, and the fan's refund out of the provider's clearing account, the same
leg `refund_postings` writes, so what the provider owes us goes down by what it pays back to the fan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from creatorly.errors import NotFound
from creatorly.kit.money import exponent_of, format_money
from creatorly.services.ledger.rules import (
    MEMO_CREATOR_EARNINGS,
    MEMO_GROSS,
    MEMO_PLATFORM_FEE,
    MEMO_PROVIDER_FEE,
    MEMO_REFUND,
    DatedLeg,
    FeesExceedGross,
    LedgerInconsistent,
    Leg,
    Posting,
    creator_earnings_account,
    creator_escrow_account,
    platform_revenue_account,
    provider_clearing_account,
)

SESSION_ESCROW = "session_escrow"
SESSION_SETTLEMENT = "session_settlement"
SESSION_PROVIDER_FEE = "session_provider_fee"  # a fee the provider reports after the payment (Stripe)

MEMO_ESCROW = "session escrow"
MEMO_ESCROW_SETTLED = "session escrow settled"
MEMO_PROVIDER_FEE_CHARGED = "provider fee charged"  # as services.ledger.fees writes it for a sale


class EscrowNotRecorded(NotFound):
    code = "escrow_not_recorded"
    default_message = "No paid session is held in escrow for this order."


class SettlementMismatch(LedgerInconsistent):
    """A bug: a settlement whose parts do not add up to what the ledger holds in escrow for the order."""


class SettlementParts(Protocol):
    """What the ledger reads of a settlement (services.sessions.settlement_rules.Settlement has these)."""

    @property
    def to_creator(self) -> int: ...

    @property
    def platform_fee(self) -> int: ...

    @property
    def to_fan_refund(self) -> int: ...


@dataclass(frozen=True, slots=True)
class RecordedEscrow:
    """What a posted escrow holds: the clearing account the fan paid through and the amount escrowed."""

    clearing_account: str
    gross: int
    escrowed: int


def escrow_postings(*, provider: str, creator_id: int, gross: int, provider_fee: int, currency: str) -> list[Posting]:
    """The legs of a paid session: gross into clearing, the provider's fee out of it, the rest into escrow.

    None for a free session, no zero-amount legs; refused when the provider's fee exceeds the payment.
    """
    exponent_of(currency)
    for name, value in (("gross", gross), ("provider_fee", provider_fee)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative int of minor units, not {value!r}")
    if provider_fee > gross:
        raise FeesExceedGross(
            f"The provider fee ({format_money(provider_fee, currency)}) exceeds the payment "
            f"({format_money(gross, currency)})."
        )
    if gross == 0:
        return []
    clearing = provider_clearing_account(provider)
    legs = [
        Posting(clearing, gross, MEMO_GROSS, currency=currency),
        Posting(clearing, -provider_fee, MEMO_PROVIDER_FEE, currency=currency),
        Posting(creator_escrow_account(creator_id), -(gross - provider_fee), MEMO_ESCROW, currency=currency),
    ]
    return [leg for leg in legs if leg.amount != 0]


def recorded_escrow(legs: Iterable[Leg], *, creator_id: int) -> RecordedEscrow:
    """Read the clearing account, gross and escrowed amount back from a posted escrow's entries (with those of
    a provider fee reported later, which lowered what is held)."""
    entries = list(legs)
    gross_legs = [leg for leg in entries if leg.memo == MEMO_GROSS]
    if len(gross_legs) != 1:
        raise LedgerInconsistent("a session escrow has exactly one gross entry")
    escrow = creator_escrow_account(creator_id)
    escrowed = -sum(leg.amount for leg in entries if leg.account == escrow)
    return RecordedEscrow(clearing_account=gross_legs[0].account, gross=gross_legs[0].amount, escrowed=escrowed)


def settlement_postings(
    *,
    escrow: RecordedEscrow,
    settlement: SettlementParts,
    creator_id: int,
    currency: str,
    settled_at: datetime,
    hold: timedelta,
) -> list[Posting]:
    """The legs that empty a session's escrow: to earnings (held until settled_at + hold), revenue and the fan.

    The creator's leg carries the sale memo and a hold end, so it counts as earned and shows as pending until
    the hold passes, exactly like a sale's. A negative creator part (a full refund of a payment whose provider
    kept its fee: the creator bears the fee, as on a refunded sale) comes out of available earnings at once.
    """
    exponent_of(currency)
    if settled_at.tzinfo is None:
        raise ValueError("settled_at must be timezone-aware")
    if hold < timedelta(0):
        raise ValueError("the hold period cannot be negative")
    parts = (settlement.to_creator, settlement.platform_fee, settlement.to_fan_refund)
    if settlement.platform_fee < 0 or settlement.to_fan_refund < 0 or sum(parts) != escrow.escrowed:
        raise SettlementMismatch(f"settlement parts {parts} do not add up to the {escrow.escrowed} held in escrow")
    legs = [
        Posting(creator_escrow_account(creator_id), escrow.escrowed, MEMO_ESCROW_SETTLED, currency=currency),
        Posting(
            creator_earnings_account(creator_id),
            -settlement.to_creator,
            MEMO_CREATOR_EARNINGS,
            available_at=settled_at + hold if settlement.to_creator > 0 else None,
            currency=currency,
        ),
        Posting(platform_revenue_account(), -settlement.platform_fee, MEMO_PLATFORM_FEE, currency=currency),
        Posting(escrow.clearing_account, -settlement.to_fan_refund, MEMO_REFUND, currency=currency),
    ]
    return [leg for leg in legs if leg.amount != 0]


def settled_parts(legs: Iterable[Leg], *, escrow: RecordedEscrow, creator_id: int) -> tuple[int, int, int]:
    """(to creator, platform fee, fan refund) read back from a posted settlement's entries."""
    entries = list(legs)
    earnings = creator_earnings_account(creator_id)
    platform = platform_revenue_account()
    return (
        -sum(leg.amount for leg in entries if leg.account == earnings),
        -sum(leg.amount for leg in entries if leg.account == platform),
        -sum(leg.amount for leg in entries if leg.account == escrow.clearing_account),
    )


def late_provider_fee_postings(
    *,
    escrow: RecordedEscrow,
    creator_id: int,
    fee: int,
    currency: str,
    is_settled: bool = False,
    hold_end: datetime | None = None,
) -> list[Posting]:
    """A provider fee learned after the payment leaves the clearing account at the creator's expense, as on a sale.

    Before settlement it comes out of what is held (refused if larger), so the settlement splits what is left;
    after settlement out of the creator's earnings with the settlement's hold end (`hold_end`), so it lowers
    pending money first, like services.ledger.fees does for a sale. None for a zero fee.
    """
    exponent_of(currency)
    if not isinstance(fee, int) or isinstance(fee, bool) or fee < 0:
        raise ValueError(f"a provider fee is a non-negative int of minor units, not {fee!r}")
    if fee == 0:
        return []
    if not is_settled and fee > escrow.escrowed:
        raise FeesExceedGross(
            f"The provider fee ({format_money(fee, currency)}) exceeds what is held for the session "
            f"({format_money(escrow.escrowed, currency)})."
        )
    creator_leg = (
        Posting(
            creator_earnings_account(creator_id),
            fee,
            MEMO_PROVIDER_FEE_CHARGED,
            available_at=hold_end,
            currency=currency,
        )
        if is_settled
        else Posting(creator_escrow_account(creator_id), fee, MEMO_PROVIDER_FEE_CHARGED, currency=currency)
    )
    return [Posting(escrow.clearing_account, -fee, MEMO_PROVIDER_FEE, currency=currency), creator_leg]


def settlement_hold_end(legs: Iterable[DatedLeg], *, creator_id: int) -> datetime | None:
    """When the creator's share of a posted settlement leaves its hold (None: the creator got nothing)."""
    earnings = creator_earnings_account(creator_id)
    ends = [leg.available_at for leg in legs if leg.account == earnings and leg.memo == MEMO_CREATOR_EARNINGS]
    return ends[0] if ends else None
