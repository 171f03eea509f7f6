"""Payout rules: minimums, account validation, readiness reasons, schedules, postings and the balance identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creatorly.errors import InvalidInput
from creatorly.models.enums import PayoutAccountKind, PayoutSchedule, PayoutStatus
from creatorly.services.ledger.balances import BalanceRow, Release, creator_balances
from creatorly.services.ledger.rules import (
    HeldEarnings,
    Posting,
    RefundedSoFar,
    assert_balanced,
    held_earnings,
    payout_failed_postings,
    payout_paid_postings,
    payout_postings,
    payout_reversed_postings,
    recorded_sale,
    refund_postings,
    refunded_so_far,
    sale_postings,
)
from creatorly.services.payouts.rules import (
    PayoutSituation,
    account_label,
    can_transition,
    is_schedule_due,
    is_valid_aba_routing_number,
    latest_due_moment,
    minimum_payout,
    parsed_schedule,
    refusal_of,
    valid_account,
)

NOW = datetime(2025, 6, 11, 15, 0, tzinfo=UTC)  # a Wednesday
CREATOR_ID = 7
EARNINGS = "creator:7:earnings"
IN_TRANSIT = "creator:7:payouts_in_transit"


# --- minimums and readiness -----------------------------------------------------------------------------------


def test_minimum_payouts_per_currency() -> None:
    assert [minimum_payout(code) for code in ("USD", "eur", "GBP", "CAD", "AUD", "INR", "JPY", "KWD")] == [
        1000,
        1000,
        1000,
        1000,
        1000,
        50000,
        1000,
        10000,
    ]


def _situation(**overrides: object) -> PayoutSituation:
    values: dict[str, object] = {"currency": "USD", "available": 2500, "has_payout_account": True}
    values.update(overrides)
    return PayoutSituation(**values)  # type: ignore[arg-type]


def test_a_creator_with_enough_available_and_an_account_can_withdraw() -> None:
    assert refusal_of(_situation()) is None
    assert refusal_of(_situation(), amount=1000) is None


@pytest.mark.parametrize(
    ("overrides", "amount", "code", "reason"),
    [
        (
            {"under_review": True, "review_note": "  We are checking recent refunds. "},
            None,
            "under_review",
            "Your account is under review. We are checking recent refunds.",
        ),
        ({"has_open_payout": True}, None, "payout_open", "A payout is already on its way."),
        (
            {"available": -59},
            None,
            "negative_balance",
            "Your balance is negative (-$0.59) after refunds or disputes.",
        ),
        ({"available": 0}, None, "nothing_available", "Nothing is available to withdraw yet."),
        ({"available": 999}, None, "below_minimum", "The minimum payout is $10.00; you have $9.99."),
        ({}, 999, "below_minimum", "The minimum payout is $10.00; you asked for $9.99."),
        ({}, 2501, "above_available", "You can withdraw at most $25.00 right now."),
        ({"has_payout_account": False}, None, "no_payout_account", "You have no payout account for USD."),
    ],
)
def test_each_refusal_has_a_specific_reason(
    overrides: dict[str, object], amount: int | None, code: str, reason: str
) -> None:
    refusal = refusal_of(_situation(**overrides), amount=amount)

    assert refusal is not None
    assert (refusal.code, refusal.reason) == (code, reason)
    assert refusal.next_step


def test_review_comes_before_every_other_reason() -> None:
    refusal = refusal_of(_situation(under_review=True, available=-5, has_payout_account=False, has_open_payout=True))
    assert refusal is not None and refusal.code == "under_review"


def test_inr_minimum_is_500_rupees() -> None:
    refusal = refusal_of(_situation(currency="INR", available=49999))
    assert refusal is not None and refusal.reason == "The minimum payout is ₹500.00; you have ₹499.99."
    assert refusal_of(_situation(currency="INR", available=50000)) is None


# --- payout accounts ------------------------------------------------------------------------------------------


def test_aba_routing_numbers_are_checked_with_their_checksum() -> None:
    assert [is_valid_aba_routing_number(number) for number in ("011000015", "021000021", "110000000")] == [True] * 3
    assert [is_valid_aba_routing_number(number) for number in ("011000016", "12345678", "0110000a5")] == [False] * 3


def test_a_us_bank_account_is_normalized() -> None:
    account = valid_account(
        kind="Bank",
        currency="usd",
        country="us",
        holder_name="  Ada   Lovelace ",
        routing_code="110000000",
        account_number="0001-2345 6789",
    )
    assert (account.kind, account.currency, account.country, account.holder_name) == (
        PayoutAccountKind.BANK,
        "USD",
        "US",
        "Ada Lovelace",
    )
    assert (account.routing_code, account.account_number) == ("110000000", "000123456789")


def test_an_indian_bank_account_needs_an_ifsc_and_9_to_18_digits() -> None:
    account = valid_account(
        kind="bank",
        currency="INR",
        country="IN",
        holder_name="Ravi",
        routing_code="hdfc0001234",
        account_number="123456789",
    )
    assert (account.routing_code, account.account_number) == ("HDFC0001234", "123456789")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "cheque"}, "kind"),
        ({"currency": "XYZ"}, "currency"),
        ({"country": "USA"}, "country"),
        ({"holder_name": "   "}, "holder_name"),
        ({"routing_code": "011000016"}, "routing_code"),
        ({"account_number": "123"}, "account_number"),
        ({"account_number": "123456789012345678"}, "account_number"),
        ({"currency": "EUR"}, "currency"),
        ({"country": "IN", "currency": "INR", "routing_code": "HDFC1001234"}, "routing_code"),
        (
            {"country": "IN", "currency": "INR", "routing_code": "HDFC0001234", "account_number": "12345678"},
            "account_number",
        ),
        ({"country": "IN", "currency": "USD", "routing_code": "HDFC0001234"}, "currency"),
        ({"country": "DE", "currency": "EUR", "account_number": "DE 12"}, "account_number"),
    ],
)
def test_invalid_bank_fields_are_named(overrides: dict[str, str], field: str) -> None:
    values = {
        "kind": "bank",
        "currency": "USD",
        "country": "US",
        "holder_name": "Ada Lovelace",
        "routing_code": "110000000",
        "account_number": "000123456789",
    }
    values.update(overrides)

    with pytest.raises(InvalidInput) as refused:
        valid_account(**values)

    assert refused.value.field == field


def test_other_countries_take_an_iban_like_number() -> None:
    account = valid_account(
        kind="bank", currency="EUR", country="DE", holder_name="Ada", account_number="DE89 3704 0044 0532 0130 00"
    )
    assert (account.account_number, account.routing_code) == ("DE89370400440532013000", "")


def test_upi_ids_are_for_inr_only() -> None:
    account = valid_account(kind="upi", currency="INR", upi_id=" Ravi.K@okhdfc ")
    assert (account.kind, account.upi_id, account.country) == (PayoutAccountKind.UPI, "ravi.k@okhdfc", "IN")
    with pytest.raises(InvalidInput) as wrong_currency:
        valid_account(kind="upi", currency="USD", upi_id="ravi@okhdfc")
    with pytest.raises(InvalidInput) as malformed:
        valid_account(kind="upi", currency="INR", upi_id="ravi-at-okhdfc")
    assert (wrong_currency.value.field, malformed.value.field) == ("currency", "upi_id")


def test_stripe_connected_account_ids() -> None:
    assert valid_account(kind="stripe", currency="USD", stripe_account_id=" acct_1Nv0FGQ9 ").stripe_account_id == (
        "acct_1Nv0FGQ9"
    )
    for wrong in ("acct_123", "ac_1234567", "acct_12345678!"):
        with pytest.raises(InvalidInput) as refused:
            valid_account(kind="stripe", currency="USD", stripe_account_id=wrong)
        assert refused.value.field == "stripe_account_id"


def test_labels_never_show_more_than_the_last_four_digits() -> None:
    assert account_label(kind="bank", account_last4="6789") == "Bank ···· 6789"
    assert account_label(kind="upi", upi_id="ravi@okhdfc") == "UPI ravi@okhdfc"
    assert account_label(kind="stripe", stripe_account_id="acct_1Nv0FGQ9") == "Stripe acct_1Nv0FGQ9"


# --- statuses and schedules -----------------------------------------------------------------------------------


def test_payout_transitions() -> None:
    S = PayoutStatus
    allowed = {(a, b) for a in S for b in S if can_transition(a, b)}
    assert allowed == {
        (S.PENDING, S.IN_TRANSIT),
        (S.PENDING, S.PAID),
        (S.PENDING, S.FAILED),
        (S.IN_TRANSIT, S.PAID),
        (S.IN_TRANSIT, S.FAILED),
    }


def test_latest_due_moments_are_utc_midnights() -> None:
    assert latest_due_moment("manual", NOW) is None
    assert latest_due_moment("daily", NOW) == datetime(2025, 6, 11, tzinfo=UTC)
    assert latest_due_moment("weekly", NOW) == datetime(2025, 6, 9, tzinfo=UTC)  # Monday
    assert latest_due_moment("monthly", NOW) == datetime(2025, 6, 1, tzinfo=UTC)


def test_a_schedule_is_due_once_per_due_moment() -> None:
    yesterday = NOW - timedelta(days=1)
    assert is_schedule_due(PayoutSchedule.DAILY, now=NOW, last_run_at=yesterday)
    assert not is_schedule_due(PayoutSchedule.DAILY, now=NOW, last_run_at=NOW.replace(hour=0, minute=5))
    assert is_schedule_due(PayoutSchedule.WEEKLY, now=NOW, last_run_at=datetime(2025, 6, 8, 23, tzinfo=UTC))
    assert not is_schedule_due(PayoutSchedule.WEEKLY, now=NOW, last_run_at=datetime(2025, 6, 9, 0, 1, tzinfo=UTC))
    assert is_schedule_due(PayoutSchedule.MONTHLY, now=NOW, last_run_at=datetime(2025, 5, 31, tzinfo=UTC))
    assert not is_schedule_due(PayoutSchedule.MONTHLY, now=NOW, last_run_at=datetime(2025, 6, 1, 1, tzinfo=UTC))
    assert is_schedule_due(PayoutSchedule.MONTHLY, now=NOW, last_run_at=None)
    assert not is_schedule_due(PayoutSchedule.MANUAL, now=NOW, last_run_at=None)


def test_schedules_are_parsed_or_refused() -> None:
    assert parsed_schedule(" Weekly ") == PayoutSchedule.WEEKLY
    with pytest.raises(InvalidInput) as refused:
        parsed_schedule("hourly")
    assert refused.value.field == "schedule"


# --- postings -------------------------------------------------------------------------------------------------


def test_payout_postings_move_money_and_balance() -> None:
    created = payout_postings(creator_id=CREATOR_ID, amount=2500, currency="USD")
    paid = payout_paid_postings(creator_id=CREATOR_ID, provider="sandbox", amount=2500, currency="USD")
    failed = payout_failed_postings(creator_id=CREATOR_ID, amount=2500, currency="USD")

    assert [(p.account, p.amount, p.memo) for p in created] == [
        (EARNINGS, 2500, "payout"),
        (IN_TRANSIT, -2500, "payout"),
    ]
    assert [(p.account, p.amount, p.memo) for p in paid] == [
        (IN_TRANSIT, 2500, "payout paid"),
        ("payout_provider:sandbox:disbursed", -2500, "payout paid"),
    ]
    assert [(p.account, p.amount, p.memo, p.available_at) for p in failed] == [
        (IN_TRANSIT, 2500, "payout returned", None),
        (EARNINGS, -2500, "payout returned", None),
    ]
    for postings in (created, paid, failed):
        assert_balanced(postings)
    with pytest.raises(InvalidInput):
        payout_postings(creator_id=CREATOR_ID, amount=0, currency="USD")


def _sale(gross: int = 1000, *, paid_at: datetime = NOW, hold_days: int = 7) -> list[Posting]:
    return sale_postings(
        provider="sandbox",
        creator_id=CREATOR_ID,
        gross=gross,
        provider_fee=59,
        platform_fee_percent=Decimal(10),
        currency="USD",
        paid_at=paid_at,
        hold=timedelta(days=hold_days),
    )


def test_a_refund_during_the_hold_comes_out_of_the_held_earnings_first() -> None:
    sale = _sale()
    release = NOW + timedelta(days=7)
    held = held_earnings(sale, [], creator_id=CREATOR_ID, now=NOW)
    assert held == HeldEarnings(available_at=release, amount=841)

    refund = refund_postings(
        sale=recorded_sale(sale), before=RefundedSoFar(), amount=1000, creator_id=CREATOR_ID, currency="USD", held=held
    )

    # The creator returns 900 (the gross less the platform fee): 841 from the hold, the provider fee from available.
    assert [(p.account, p.amount, p.available_at) for p in refund if p.account == EARNINGS] == [
        (EARNINGS, 841, release),
        (EARNINGS, 59, None),
    ]
    assert held_earnings(sale, refund, creator_id=CREATOR_ID, now=NOW) is None


def test_a_refund_after_the_hold_comes_out_of_available_earnings() -> None:
    sale = _sale(paid_at=NOW - timedelta(days=8))
    assert held_earnings(sale, [], creator_id=CREATOR_ID, now=NOW) is None


def _rows(entries: list[Posting], now: datetime) -> list[BalanceRow]:
    """What the balance query sums: entries grouped by account, currency, memo and a future hold end."""
    sums: dict[tuple[str, str, str, datetime | None], int] = {}
    for entry in entries:
        release = entry.available_at if entry.available_at is not None and entry.available_at > now else None
        key = (entry.account, str(entry.currency), entry.memo, release)
        sums[key] = sums.get(key, 0) + entry.amount
    return [
        BalanceRow(account, currency, memo, release, amount)
        for (account, currency, memo, release), amount in sums.items()
    ]


def test_balances_from_rows() -> None:
    later = NOW + timedelta(days=3)
    entries = [
        *_sale(1000, paid_at=NOW - timedelta(days=10)),
        *_sale(2000, paid_at=later - timedelta(days=7)),
        *payout_postings(creator_id=CREATOR_ID, amount=500, currency="USD"),
        *payout_postings(creator_id=CREATOR_ID, amount=200, currency="USD"),
        *payout_paid_postings(creator_id=CREATOR_ID, provider="sandbox", amount=200, currency="USD"),
    ]

    [balance] = creator_balances(CREATOR_ID, _rows(entries, NOW))

    assert (balance.currency, balance.pending, balance.available, balance.in_payout, balance.paid_out) == (
        "USD",
        1741,
        841 - 700,
        500,
        200,
    )
    assert balance.lifetime_earnings == 841 + 1741
    assert balance.releases == [Release(available_at=later, amount=1741)]


# --- the balance identity, for any history --------------------------------------------------------------------


@dataclass
class History:
    """A creator's postings so far, and what the next step may act on."""

    entries: list[Posting] = field(default_factory=list)
    sales: list[tuple[list[Posting], list[Posting]]] = field(default_factory=list)  # (sale legs, refund legs)
    open_payouts: list[tuple[str, int]] = field(default_factory=list)
    paid_payouts: list[tuple[str, int]] = field(default_factory=list)

    def balance(self, currency: str) -> int:
        balances = {b.currency: b for b in creator_balances(CREATOR_ID, _rows(self.entries, NOW))}
        return balances[currency].available if currency in balances else 0


currencies = st.sampled_from(["USD", "JPY", "INR"])
sales = st.tuples(
    st.just("sale"),
    st.integers(min_value=1, max_value=10**7),  # gross
    st.integers(min_value=0, max_value=300),  # provider fee
    st.integers(min_value=0, max_value=5000),  # platform fee, hundredths of a percent
    st.integers(min_value=0, max_value=30),  # hold days
    st.integers(min_value=-40, max_value=2),  # paid this many days from now
    currencies,
)
refunds = st.tuples(st.just("refund"), st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=100))
payouts = st.tuples(st.just("payout"), currencies, st.integers(min_value=1, max_value=100))
outcomes = st.tuples(st.just("settle"), st.integers(min_value=0, max_value=10), st.booleans())
reversals = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=10))
steps = st.lists(st.one_of(sales, refunds, payouts, outcomes, reversals), max_size=40)


def _apply_sale(history: History, step: tuple[object, ...]) -> None:
    _, gross, fee, hundredths, hold_days, offset, currency = step
    assert isinstance(gross, int) and isinstance(fee, int) and isinstance(hundredths, int)
    assert isinstance(hold_days, int) and isinstance(offset, int) and isinstance(currency, str)
    if fee + percent_fee(gross, hundredths) > gross:
        return
    legs = sale_postings(
        provider="sandbox",
        creator_id=CREATOR_ID,
        gross=gross,
        provider_fee=fee,
        platform_fee_percent=Decimal(hundredths).scaleb(-2),
        currency=currency,
        paid_at=NOW + timedelta(days=offset),
        hold=timedelta(days=hold_days),
    )
    history.entries += legs
    history.sales.append((legs, []))


def percent_fee(gross: int, hundredths: int) -> int:
    from creatorly.kit.money import percent_of

    return percent_of(gross, Decimal(hundredths).scaleb(-2))


def _apply_refund(history: History, step: tuple[object, ...]) -> None:
    _, index, share = step
    assert isinstance(index, int) and isinstance(share, int)
    if not history.sales:
        return
    legs, refund_legs = history.sales[index % len(history.sales)]
    sale = recorded_sale(legs)
    before = refunded_so_far(sale.clearing_account, refund_legs)
    remaining = sale.gross - before.amount
    if remaining <= 0:
        return
    currency = str(legs[0].currency)
    held = held_earnings(legs, refund_legs, creator_id=CREATOR_ID, now=NOW)
    amount = max(1, remaining * share // 100)
    postings = refund_postings(
        sale=sale, before=before, amount=amount, creator_id=CREATOR_ID, currency=currency, held=held
    )
    assert_balanced(postings)
    refund_legs += postings
    history.entries += postings


def _apply_payout(history: History, step: tuple[object, ...]) -> None:
    _, currency, share = step
    assert isinstance(currency, str) and isinstance(share, int)
    available = history.balance(currency)
    amount = available * share // 100
    if amount <= 0:
        return
    postings = payout_postings(creator_id=CREATOR_ID, amount=amount, currency=currency)
    assert_balanced(postings)
    history.entries += postings
    history.open_payouts.append((currency, amount))


def _apply_outcome(history: History, step: tuple[object, ...]) -> None:
    _, index, is_paid = step
    assert isinstance(index, int)
    if not history.open_payouts:
        return
    currency, amount = history.open_payouts.pop(index % len(history.open_payouts))
    if is_paid:
        postings = payout_paid_postings(creator_id=CREATOR_ID, provider="sandbox", amount=amount, currency=currency)
        history.paid_payouts.append((currency, amount))
    else:
        postings = payout_failed_postings(creator_id=CREATOR_ID, amount=amount, currency=currency)
    assert_balanced(postings)
    history.entries += postings


def _apply_reversal(history: History, step: tuple[object, ...]) -> None:
    """A paid payout comes back from the bank (RazorpayX payout.reversed)."""
    _, index = step
    assert isinstance(index, int)
    if not history.paid_payouts:
        return
    currency, amount = history.paid_payouts.pop(index % len(history.paid_payouts))
    postings = payout_reversed_postings(creator_id=CREATOR_ID, provider="sandbox", amount=amount, currency=currency)
    assert_balanced(postings)
    history.entries += postings


APPLY = {
    "sale": _apply_sale,
    "refund": _apply_refund,
    "payout": _apply_payout,
    "settle": _apply_outcome,
    "reverse": _apply_reversal,
}


@settings(max_examples=300, deadline=None)
@given(steps)
def test_balances_always_add_up_to_lifetime_earnings_and_the_ledger_balances(
    history_steps: list[tuple[object, ...]],
) -> None:
    history = History()
    for step in history_steps:
        APPLY[str(step[0])](history, step)

    for balance in creator_balances(CREATOR_ID, _rows(history.entries, NOW)):
        assert balance.available + balance.pending + balance.in_payout + balance.paid_out == balance.lifetime_earnings
        assert balance.pending >= 0
        assert balance.in_payout == sum(amount for code, amount in history.open_payouts if code == balance.currency)
        assert all(release.amount > 0 for release in balance.releases)
        assert sum(release.amount for release in balance.releases) == balance.pending
    for currency in {str(entry.currency) for entry in history.entries}:
        assert sum(entry.amount for entry in history.entries if entry.currency == currency) == 0
