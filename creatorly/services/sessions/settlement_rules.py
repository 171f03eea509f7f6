"""Pure settlement rules for paid 1:1 sessions: who gets what of the escrow for each outcome, and when it is due.

All amounts are int minor units. Every percentage goes through `_percent` (kit.money.percent_of, ROUND_HALF_UP),
the one place that rounds; every other part is derived by subtraction, so
`to_creator + platform_fee + to_fan_refund == escrowed` holds exactly for every input.

What the escrow holds is the fan's payment less the payment provider's fee (the provider keeps it, as on a
sale), so a "full refund" returns the whole escrow. The platform fee is charged only on the part the creator
keeps. A creator's penalty (no-show, late cancellation) is not money moved: it is the late fee the creator's
own policy names, recorded against the creator as a statistic, while the fan gets the whole escrow back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from creatorly.errors import InvalidInput
from creatorly.kit.money import exponent_of, format_money, percent_of

AUTO_CONFIRM_AFTER = timedelta(hours=24)  # the fan's silence this long after the end confirms the session
MAX_PERCENT = 100


class Outcome(StrEnum):
    COMPLETED = "completed"
    CREATOR_NO_SHOW = "creator_no_show"
    CREATOR_CANCELLED_LATE = "creator_cancelled_late"
    CREATOR_CANCELLED = "creator_cancelled"
    FAN_NO_SHOW = "fan_no_show"
    FAN_CANCELLED_LATE = "fan_cancelled_late"
    FAN_CANCELLED = "fan_cancelled"
    DISPUTE_SPLIT = "dispute_split"


class Party(StrEnum):
    CREATOR = "creator"
    FAN = "fan"


class CreatorMark(StrEnum):
    """What the creator reports after the session."""

    COMPLETED = "completed"
    FAN_NO_SHOW = "fan_no_show"


# The creator keeps the policy's late fee; the creator is penalised by the same amount; nobody is charged.
_FAN_LATE = frozenset({Outcome.FAN_NO_SHOW, Outcome.FAN_CANCELLED_LATE})
_CREATOR_FAULT = frozenset({Outcome.CREATOR_NO_SHOW, Outcome.CREATOR_CANCELLED_LATE})


def _percent(amount: int, percent: Decimal | int) -> int:
    """The one rounding rule: `percent` of `amount`, half up to a whole minor unit."""
    return percent_of(amount, Decimal(percent))


def _require_amount(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"{name} must be a non-negative whole number of minor units.", field=name)


def _require_percent(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PERCENT:
        raise InvalidInput(f"{name} must be a whole percent from 0 to 100.", field=name)


@dataclass(frozen=True, slots=True)
class CancellationPolicy:
    """A creator's terms: cancelling at least `free_until_hours` before the start is free; later, the late fee.

    The late fee is `late_fee_percent` of the price, or `late_fee_fixed` minor units when set (never more than
    the price).
    """

    free_until_hours: int
    late_fee_percent: int = 0
    late_fee_fixed: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.free_until_hours, int) or self.free_until_hours < 0:
            raise InvalidInput("Free cancellation must be a whole number of hours.", field="free_until_hours")
        _require_percent("late_fee_percent", self.late_fee_percent)
        if self.late_fee_fixed is not None:
            _require_amount("late_fee_fixed", self.late_fee_fixed)

    def late_fee(self, price: int) -> int:
        if self.late_fee_fixed is not None:
            return min(self.late_fee_fixed, price)
        return _percent(price, self.late_fee_percent)

    def is_free_cancellation(self, *, cancelled_at: datetime, starts_at: datetime) -> bool:
        return starts_at - cancelled_at >= timedelta(hours=self.free_until_hours)


@dataclass(frozen=True, slots=True)
class DisputeSplit:
    """An admin's decision on a dispute: the creator's part as a percent of the escrow, or an exact amount."""

    creator_percent: int | None = None
    creator_amount: int | None = None

    def __post_init__(self) -> None:
        if (self.creator_percent is None) == (self.creator_amount is None):
            raise InvalidInput("Give either the creator's percent or the creator's amount.", field="creator_percent")
        if self.creator_percent is not None:
            _require_percent("creator_percent", self.creator_percent)
        if self.creator_amount is not None:
            _require_amount("creator_amount", self.creator_amount)


@dataclass(frozen=True, slots=True)
class AdminDecision:
    """How an admin closed a dispute: any outcome, with the split when it is DISPUTE_SPLIT."""

    outcome: Outcome
    split: DisputeSplit | None = None

    def __post_init__(self) -> None:
        if (self.outcome is Outcome.DISPUTE_SPLIT) != (self.split is not None):
            raise InvalidInput("A split is given exactly when the decision is a split.", field="split")


@dataclass(frozen=True, slots=True)
class SettlementInput:
    """What settling one session depends on. `escrowed` is what the ledger holds (never more than the price)."""

    escrowed: int
    currency: str
    price: int
    platform_fee_percent: Decimal
    policy: CancellationPolicy
    outcome: Outcome
    split: DisputeSplit | None = None

    def __post_init__(self) -> None:
        exponent_of(self.currency)
        _require_amount("escrowed", self.escrowed)
        _require_amount("price", self.price)
        if self.escrowed > self.price:
            raise InvalidInput("The escrow cannot hold more than the price.", field="escrowed")
        if not Decimal(0) <= self.platform_fee_percent <= Decimal(MAX_PERCENT):
            raise InvalidInput("The platform fee is a percent from 0 to 100.", field="platform_fee_percent")
        if (self.outcome is Outcome.DISPUTE_SPLIT) != (self.split is not None):
            raise InvalidInput("A split is given exactly when the outcome is a split.", field="split")


@dataclass(frozen=True, slots=True)
class Settlement:
    """Where the escrow goes: to_creator + platform_fee + to_fan_refund == escrowed; penalty is recorded only."""

    outcome: Outcome
    to_creator: int
    platform_fee: int
    to_fan_refund: int
    penalty: int
    reason: str


def settle(case: SettlementInput) -> Settlement:
    """Split the escrow for the session's outcome; the platform fee comes out of the creator's part only."""
    kept = _creator_part(case)
    platform_fee = _percent(kept, case.platform_fee_percent)
    penalty = case.policy.late_fee(case.price) if case.outcome in _CREATOR_FAULT else 0
    return Settlement(
        outcome=case.outcome,
        to_creator=kept - platform_fee,
        platform_fee=platform_fee,
        to_fan_refund=case.escrowed - kept,
        penalty=penalty,
        reason=_reason(case, kept - platform_fee, platform_fee, case.escrowed - kept, penalty),
    )


def _creator_part(case: SettlementInput) -> int:
    """What of the escrow the creator keeps before the platform fee."""
    if case.outcome is Outcome.COMPLETED:
        return case.escrowed
    if case.outcome in _FAN_LATE:
        return min(case.policy.late_fee(case.price), case.escrowed)
    if case.outcome is Outcome.DISPUTE_SPLIT:
        assert case.split is not None
        if case.split.creator_amount is not None:
            if case.split.creator_amount > case.escrowed:
                raise InvalidInput("The creator's part cannot exceed what is held.", field="creator_amount")
            return case.split.creator_amount
        assert case.split.creator_percent is not None
        return _percent(case.escrowed, case.split.creator_percent)
    return 0


_REASONS: dict[Outcome, str] = {
    Outcome.COMPLETED: "The session took place.",
    Outcome.CREATOR_NO_SHOW: "The creator did not show up: the fan is refunded in full.",
    Outcome.CREATOR_CANCELLED_LATE: "The creator cancelled late: the fan is refunded in full.",
    Outcome.CREATOR_CANCELLED: "The creator cancelled in time: the fan is refunded in full.",
    Outcome.FAN_NO_SHOW: "The fan did not show up: the creator keeps the late fee.",
    Outcome.FAN_CANCELLED_LATE: "The fan cancelled late: the creator keeps the late fee.",
    Outcome.FAN_CANCELLED: "The fan cancelled in time: the fan is refunded in full.",
    Outcome.DISPUTE_SPLIT: "An admin settled the dispute.",
}


def _reason(case: SettlementInput, to_creator: int, platform_fee: int, refund: int, penalty: int) -> str:
    money = case.currency
    parts = [
        _REASONS[case.outcome],
        f"Creator {format_money(to_creator, money)} after a platform fee of {format_money(platform_fee, money)};",
        f"refund to the fan {format_money(refund, money)}.",
    ]
    if penalty:
        parts.append(f"A penalty of {format_money(penalty, money)} is recorded against the creator.")
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What is known about a booked session at `now`, from which its outcome follows (or is not due yet)."""

    starts_at: datetime
    ends_at: datetime
    now: datetime
    cancelled_by: Party | None = None
    cancelled_at: datetime | None = None
    creator_marked: CreatorMark | None = None
    fan_confirmed: bool = False
    fan_satisfaction: int | None = None  # 1..5; a rating confirms the session took place
    dispute_open: bool = False
    admin_decision: AdminDecision | None = None

    def __post_init__(self) -> None:
        if (self.cancelled_by is None) != (self.cancelled_at is None):
            raise InvalidInput("A cancellation has both who cancelled and when.", field="cancelled_at")
        if self.fan_satisfaction is not None and not 1 <= self.fan_satisfaction <= 5:
            raise InvalidInput("Satisfaction is rated from 1 to 5.", field="fan_satisfaction")
        if self.ends_at < self.starts_at:
            raise InvalidInput("A session ends after it starts.", field="ends_at")


def outcome_of(facts: SessionFacts, policy: CancellationPolicy) -> Outcome | None:
    """The outcome to settle now, or None while it is not due.

    An admin's decision settles everything. A cancellation is settled at once. Otherwise nothing is due while
    a dispute is open or before the end; then the fan's confirmation (or rating) completes the session, and
    the fan's silence for 24 hours after the end confirms what the creator reported (completed, or a fan
    no-show). A creator no-show is the fan's to claim by opening a dispute in that window. A fan who confirms
    a session the creator marked as a no-show contradicts it: that waits for an admin.
    """
    if facts.admin_decision is not None:
        return facts.admin_decision.outcome
    if facts.cancelled_by is not None:
        assert facts.cancelled_at is not None
        is_free = policy.is_free_cancellation(cancelled_at=facts.cancelled_at, starts_at=facts.starts_at)
        if facts.cancelled_by is Party.CREATOR:
            return Outcome.CREATOR_CANCELLED if is_free else Outcome.CREATOR_CANCELLED_LATE
        return Outcome.FAN_CANCELLED if is_free else Outcome.FAN_CANCELLED_LATE
    if facts.dispute_open or facts.now < facts.ends_at:
        return None
    fan_confirmed = facts.fan_confirmed or facts.fan_satisfaction is not None
    is_window_over = facts.now >= facts.ends_at + AUTO_CONFIRM_AFTER
    if facts.creator_marked is CreatorMark.FAN_NO_SHOW:
        return Outcome.FAN_NO_SHOW if is_window_over and not fan_confirmed else None
    if fan_confirmed or is_window_over:
        return Outcome.COMPLETED
    return None


def describe_rules(
    policy: CancellationPolicy,
    platform_fee_percent: Decimal,
    currency: str,
    *,
    hold_days: int | None = None,
    example_price: int | None = None,
) -> list[str]:
    """The rules in plain words, as a creator reads them before offering paid sessions, with a worked example.

    The example price defaults to 50 in the currency's major unit; it leaves the payment provider's fee out.
    """
    price = 50 * 10 ** exponent_of(currency) if example_price is None else example_price
    late_fee = policy.late_fee(price)
    fee = _percent(price, platform_fee_percent)
    late_platform_fee = _percent(late_fee, platform_fee_percent)

    def money(amount: int) -> str:
        return format_money(amount, currency)

    hours = f"{policy.free_until_hours} hours"
    lines = [
        "The fan pays when booking. The money is held for you until the session is settled: "
        "it is not part of your pending or available balance and cannot be paid out yet.",
        "After the session you mark it completed (or the fan as absent). The fan confirms it, or is taken to "
        "confirm it 24 hours after the end unless they open a dispute.",
        f"Completed: you receive the price less the payment provider's fee and the {platform_fee_percent}% "
        f"platform fee. Example: for {money(price)} the platform fee is {money(fee)} and you receive "
        f"{money(price - fee)} (before the provider's fee).",
        f"The fan cancels at least {hours} before the start: the fan gets a full refund.",
        f"The fan cancels later or does not show up: you keep the late fee of {_late_fee_words(policy, currency)} "
        f"({money(late_fee)} of {money(price)}) less the platform fee, so {money(late_fee - late_platform_fee)}; "
        "the rest is refunded to the fan.",
        f"You cancel at least {hours} before the start: the fan gets a full refund.",
        "You cancel later or do not show up: the fan gets a full refund and a penalty equal to the late fee "
        f"({money(late_fee)}) is recorded against you.",
        "A dispute is decided by our team, who may split the payment; the platform fee applies only to your part.",
    ]
    if hold_days is not None:
        lines.append(f"Your share of a settled session is pending for {hold_days} days, then available to pay out.")
    return lines


def _late_fee_words(policy: CancellationPolicy, currency: str) -> str:
    if policy.late_fee_fixed is not None:
        return f"{format_money(policy.late_fee_fixed, currency)} (at most the price)"
    return f"{policy.late_fee_percent}% of the price"
