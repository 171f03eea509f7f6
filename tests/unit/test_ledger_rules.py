"""Ledger rules: exact sale and refund splits, and properties that hold for any amounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creatorly.errors import InvalidInput
from creatorly.kit.money import percent_of
from creatorly.services.ledger.rules import (
    FeesExceedGross,
    LedgerUnbalanced,
    Posting,
    RecordedSale,
    RefundedSoFar,
    RefundExceedsPayment,
    assert_balanced,
    creator_earnings_account,
    divide_half_up,
    platform_revenue_account,
    provider_clearing_account,
    recorded_sale,
    refund_postings,
    refunded_so_far,
    sale_postings,
    split_sale,
)

PAID_AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CLEARING = "provider:sandbox:clearing"
CREATOR = "creator:7:earnings"

grosses = st.integers(min_value=1, max_value=10**9)
percents = st.integers(min_value=0, max_value=5000).map(lambda hundredths: Decimal(hundredths).scaleb(-2))


def _sale(gross: int, provider_fee: int, percent: Decimal = Decimal(10), currency: str = "USD") -> list[Posting]:
    return sale_postings(
        provider="sandbox",
        creator_id=7,
        gross=gross,
        provider_fee=provider_fee,
        platform_fee_percent=percent,
        currency=currency,
        paid_at=PAID_AT,
        hold=timedelta(days=7),
    )


def _refund(sale: RecordedSale, earlier: list[Posting], amount: int) -> list[Posting]:
    before = refunded_so_far(sale.clearing_account, earlier)
    return refund_postings(sale=sale, before=before, amount=amount, creator_id=7, currency="USD")


def _amount_on(postings: list[Posting], account: str) -> int:
    return sum(posting.amount for posting in postings if posting.account == account)


def test_account_names() -> None:
    assert provider_clearing_account("stripe") == "provider:stripe:clearing"
    assert platform_revenue_account() == "platform:revenue"
    assert creator_earnings_account(42) == "creator:42:earnings"
    with pytest.raises(ValueError, match="provider"):
        provider_clearing_account("evil:name")


def test_a_usd_sale_splits_into_exact_legs() -> None:
    assert _sale(1000, 59) == [
        Posting(CLEARING, 1000, "gross", currency="USD"),
        Posting(CLEARING, -59, "provider fee", currency="USD"),
        Posting("platform:revenue", -100, "platform fee", currency="USD"),
        Posting(CREATOR, -841, "creator earnings", available_at=PAID_AT + timedelta(days=7), currency="USD"),
    ]


def test_a_jpy_sale_works_in_whole_yen() -> None:
    postings = _sale(1200, 43, currency="JPY")
    assert [(posting.account, posting.amount) for posting in postings] == [
        (CLEARING, 1200),
        (CLEARING, -43),
        ("platform:revenue", -120),
        (CREATOR, -1037),
    ]
    assert {posting.currency for posting in postings} == {"JPY"}


def test_the_platform_fee_rounds_half_up() -> None:
    assert (
        split_sale(gross=1005, provider_fee=0, platform_fee_percent=Decimal("10.5"), currency="USD").platform_fee == 106
    )
    assert (
        split_sale(gross=1004, provider_fee=0, platform_fee_percent=Decimal("10.5"), currency="USD").platform_fee == 105
    )
    assert split_sale(gross=5, provider_fee=0, platform_fee_percent=Decimal(10), currency="USD").platform_fee == 1


def test_zero_legs_are_left_out_and_a_free_sale_posts_nothing() -> None:
    assert [posting.memo for posting in _sale(1000, 0, Decimal(0))] == ["gross", "creator earnings"]
    assert _sale(0, 0) == []


def test_fees_larger_than_the_gross_are_refused() -> None:
    with pytest.raises(FeesExceedGross, match=r"\$0\.30.*\$0\.03.*\$0\.25"):
        _sale(25, 30)
    with pytest.raises(FeesExceedGross):
        _sale(0, 1)


def test_amounts_that_are_not_minor_units_are_refused() -> None:
    with pytest.raises(TypeError, match="minor units"):
        _sale(10.0, 0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        _sale(-1, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        sale_postings(
            provider="sandbox",
            creator_id=7,
            gross=100,
            provider_fee=0,
            platform_fee_percent=Decimal(10),
            currency="USD",
            paid_at=datetime(2025, 1, 1),  # the naive time under test
            hold=timedelta(days=7),
        )


def test_two_partial_refunds_then_the_rest_return_the_platform_fee_exactly() -> None:
    sale = recorded_sale(_sale(1000, 59))
    assert sale == RecordedSale(clearing_account=CLEARING, gross=1000, platform_fee=100)
    first = _refund(sale, [], 333)
    assert [(posting.account, posting.amount, posting.memo) for posting in first] == [
        (CLEARING, -333, "refund"),
        ("platform:revenue", 33, "platform fee returned"),
        (CREATOR, 300, "creator earnings returned"),
    ]
    second = _refund(sale, first, 333)
    assert _amount_on(second, "platform:revenue") == 34  # round(66.6) - 33
    third = _refund(sale, first + second, 334)
    assert _amount_on(third, "platform:revenue") == 33
    everything = _sale(1000, 59) + first + second + third
    assert _amount_on(everything, "platform:revenue") == 0
    assert _amount_on(everything, CLEARING) == -59  # the provider keeps its fee …
    assert _amount_on(everything, CREATOR) == 59  # … and the creator bears it


def test_refunding_past_the_gross_is_refused() -> None:
    sale = recorded_sale(_sale(1000, 59))
    first = _refund(sale, [], 600)
    with pytest.raises(RefundExceedsPayment, match=r"\$4\.01.*\$4\.00"):
        _refund(sale, first, 401)
    with pytest.raises(InvalidInput):
        _refund(sale, first, 0)


def test_assert_balanced_refuses_a_remainder_or_a_currency_mix() -> None:
    assert_balanced([Posting("a", 5, "x", currency="USD"), Posting("b", -5, "y", currency="USD")])
    with pytest.raises(LedgerUnbalanced, match="sum to 1"):
        assert_balanced([Posting("a", 5, "x"), Posting("b", -4, "y")])
    with pytest.raises(LedgerUnbalanced, match="mix currencies"):
        assert_balanced([Posting("a", 5, "x", currency="USD"), Posting("b", -5, "y", currency="EUR")])


@given(numerator=st.integers(min_value=0, max_value=10**30), denominator=st.integers(min_value=1, max_value=10**15))
def test_divide_half_up_matches_decimal_rounding(numerator: int, denominator: int) -> None:
    with localcontext() as context:
        context.prec = 100
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert divide_half_up(numerator, denominator) == int(expected)


@given(gross=grosses, fee_share=st.integers(min_value=0, max_value=10**6), percent=percents)
def test_any_sale_balances_and_adds_back_to_the_gross(gross: int, fee_share: int, percent: Decimal) -> None:
    provider_fee = gross * fee_share // 10**6  # anywhere from 0 to the whole gross
    platform_fee = percent_of(gross, percent)
    if provider_fee + platform_fee > gross:
        with pytest.raises(FeesExceedGross):
            _sale(gross, provider_fee, percent)
        return
    split = split_sale(gross=gross, provider_fee=provider_fee, platform_fee_percent=percent, currency="USD")
    assert split.platform_fee == platform_fee
    assert split.creator_net >= 0
    assert split.provider_fee + split.platform_fee + split.creator_net == gross
    postings = _sale(gross, provider_fee, percent)
    assert_balanced(postings)
    assert _amount_on(postings, CLEARING) == gross - provider_fee


@st.composite
def refunded_sales(draw: st.DrawFn) -> tuple[int, int, Decimal, list[int], bool]:
    """A sale that can be posted and a sequence of refunds summing to at most its gross."""
    gross = draw(grosses)
    percent = draw(percents)
    provider_fee = draw(st.integers(min_value=0, max_value=gross - percent_of(gross, percent)))
    refunds: list[int] = []
    while sum(refunds) < gross and len(refunds) < 8 and draw(st.booleans()):
        refunds.append(draw(st.integers(min_value=1, max_value=gross - sum(refunds))))
    is_full = draw(st.booleans())
    if is_full and sum(refunds) < gross:
        refunds.append(gross - sum(refunds))
    return gross, provider_fee, percent, refunds, is_full


@given(case=refunded_sales())
def test_any_refund_sequence_balances_and_never_over_returns(case: tuple[int, int, Decimal, list[int], bool]) -> None:
    gross, provider_fee, percent, refunds, is_full = case
    split = split_sale(gross=gross, provider_fee=provider_fee, platform_fee_percent=percent, currency="USD")
    sale = recorded_sale(_sale(gross, provider_fee, percent))
    earlier: list[Posting] = []
    for amount in refunds:
        postings = _refund(sale, earlier, amount)
        assert_balanced(postings)
        assert all(posting.amount >= 0 for posting in postings if posting.account != CLEARING)
        earlier += postings
        refunded = refunded_so_far(CLEARING, earlier)
        assert 0 <= refunded.platform_fee <= split.platform_fee
        # The creator gives back at most what they got plus the provider fee they bear.
        assert 0 <= _amount_on(earlier, CREATOR) <= split.creator_net + split.provider_fee
        assert refunded.amount == refunded.platform_fee + _amount_on(earlier, CREATOR)
    if is_full:
        assert refunded_so_far(CLEARING, earlier) == RefundedSoFar(amount=gross, platform_fee=split.platform_fee)
        assert _amount_on(earlier, CREATOR) == split.creator_net + split.provider_fee
    remaining = gross - sum(refunds)
    with pytest.raises(RefundExceedsPayment):
        _refund(sale, earlier, remaining + 1)


@given(gross=st.integers(min_value=2, max_value=10**9), percent=percents, data=st.data())
def test_without_a_provider_fee_the_creator_never_returns_more_than_their_net(
    gross: int, percent: Decimal, data: st.DataObject
) -> None:
    split = split_sale(gross=gross, provider_fee=0, platform_fee_percent=percent, currency="USD")
    sale = recorded_sale(_sale(gross, 0, percent))
    postings = _refund(sale, [], data.draw(st.integers(min_value=1, max_value=gross - 1)))
    assert _amount_on(postings, CREATOR) <= split.creator_net
    postings += _refund(sale, postings, gross - refunded_so_far(CLEARING, postings).amount)
    assert _amount_on(postings, CREATOR) == split.creator_net
    assert _amount_on(postings, "platform:revenue") == split.platform_fee
