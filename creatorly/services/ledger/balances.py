"""Pure balance rules: a creator's pending, available, in-payout, paid-out and escrowed money from summed rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from creatorly.services.ledger.rules import (
    MEMO_PAYOUT_PAID,
    MEMO_PAYOUT_REVERSED,
    PAYOUT_MEMOS,
    creator_earnings_account,
    creator_escrow_account,
    creator_payouts_in_transit_account,
)


@dataclass(frozen=True, slots=True)
class BalanceRow:
    """The sum of a creator's entries on one account, currency and memo, split by hold end (None: released)."""

    account: str
    currency: str
    memo: str
    release_at: datetime | None
    amount: int


@dataclass(frozen=True, slots=True)
class Release:
    """Held earnings (minor units) that become available at `available_at`."""

    available_at: datetime
    amount: int


@dataclass(frozen=True, slots=True)
class CreatorBalance:
    """A creator's money in one currency; available + pending + in_payout + paid_out == lifetime_earnings.

    `escrow` (paid sessions not yet settled) is outside that sum: it is not earned yet, so it is never
    pending, available or payable; settlement moves it into earnings.
    """

    currency: str
    pending: int
    available: int
    in_payout: int
    paid_out: int
    lifetime_earnings: int
    releases: list[Release] = field(default_factory=list)
    escrow: int = 0


def creator_balances(creator_id: int, rows: Iterable[BalanceRow]) -> list[CreatorBalance]:
    """Balances per currency (sorted by code) from the rows of the creator's earnings, in-transit and escrow accounts.

    Earnings are credits (negative), so every figure is the negated sum of its legs. Lifetime earnings are
    every earnings leg except those that moved money to and from payouts.
    """
    per_currency: dict[str, list[BalanceRow]] = {}
    for row in rows:
        per_currency.setdefault(row.currency, []).append(row)
    return [_balance_of(creator_id, code, per_currency[code]) for code in sorted(per_currency)]


def _balance_of(creator_id: int, currency: str, rows: list[BalanceRow]) -> CreatorBalance:
    earnings = creator_earnings_account(creator_id)
    in_transit = creator_payouts_in_transit_account(creator_id)
    earning_rows = [row for row in rows if row.account == earnings]
    transit_rows = [row for row in rows if row.account == in_transit]
    escrow = creator_escrow_account(creator_id)
    pending = -sum(row.amount for row in earning_rows if row.release_at is not None)
    return CreatorBalance(
        currency=currency,
        pending=pending,
        available=-sum(row.amount for row in earning_rows) - pending,
        in_payout=-sum(row.amount for row in transit_rows),
        # A reversed payout's legs carry it back out of paid-out.
        paid_out=sum(row.amount for row in transit_rows if row.memo in (MEMO_PAYOUT_PAID, MEMO_PAYOUT_REVERSED)),
        lifetime_earnings=-sum(row.amount for row in earning_rows if row.memo not in PAYOUT_MEMOS),
        releases=_releases(earning_rows),
        escrow=-sum(row.amount for row in rows if row.account == escrow),
    )


def _releases(earning_rows: list[BalanceRow]) -> list[Release]:
    """Held amounts per hold end, earliest first; a hold that refunds emptied is left out."""
    held: dict[datetime, int] = {}
    for row in earning_rows:
        if row.release_at is not None:
            held[row.release_at] = held.get(row.release_at, 0) - row.amount
    return [Release(available_at=moment, amount=amount) for moment, amount in sorted(held.items()) if amount != 0]
