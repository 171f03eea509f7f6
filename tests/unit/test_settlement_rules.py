"""Session settlement rules: exact splits per outcome, when an outcome is due, the rules text, and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creatorly.errors import InvalidInput
from creatorly.kit.money import percent_of
from creatorly.services.ledger.escrow_rules import (
    RecordedEscrow,
    SettlementMismatch,
    escrow_postings,
    recorded_escrow,
    settlement_postings,
)
from creatorly.services.ledger.rules import assert_balanced
from creatorly.services.sessions.settlement_rules import (
    AdminDecision,
    CancellationPolicy,
    CreatorMark,
    DisputeSplit,
    Outcome,
    Party,
    SessionFacts,
    Settlement,
    SettlementInput,
    describe_rules,
    outcome_of,
    settle,
)

POLICY = CancellationPolicy(free_until_hours=24, late_fee_percent=50)
STARTS = datetime(2026, 5, 1, 15, 0, tzinfo=UTC)
ENDS = STARTS + timedelta(hours=1)
TEN_PERCENT = Decimal(10)


def _settle(
    outcome: Outcome,
    *,
    escrowed: int = 4700,
    price: int = 5000,
    policy: CancellationPolicy = POLICY,
    split: DisputeSplit | None = None,
) -> Settlement:
    return settle(
        SettlementInput(
            escrowed=escrowed,
            currency="USD",
            price=price,
            platform_fee_percent=TEN_PERCENT,
            policy=policy,
            outcome=outcome,
            split=split,
        )
    )


def _parts(settlement: Settlement) -> tuple[int, int, int, int]:
    return settlement.to_creator, settlement.platform_fee, settlement.to_fan_refund, settlement.penalty


def test_a_completed_session_pays_the_creator_the_escrow_less_the_platform_fee() -> None:
    settlement = _settle(Outcome.COMPLETED)

    assert _parts(settlement) == (4230, 470, 0, 0)
    assert settlement.outcome is Outcome.COMPLETED
    assert settlement.reason == (
        "The session took place. Creator $42.30 after a platform fee of $4.70; refund to the fan $0.00."
    )


@pytest.mark.parametrize("outcome", [Outcome.CREATOR_NO_SHOW, Outcome.CREATOR_CANCELLED_LATE])
def test_a_creator_at_fault_refunds_the_fan_in_full_and_is_penalised_by_the_late_fee(outcome: Outcome) -> None:
    settlement = _settle(outcome)

    assert _parts(settlement) == (0, 0, 4700, 2500)
    assert settlement.reason.endswith("A penalty of $25.00 is recorded against the creator.")


@pytest.mark.parametrize("outcome", [Outcome.CREATOR_CANCELLED, Outcome.FAN_CANCELLED])
def test_a_cancellation_in_time_refunds_the_fan_in_full_without_penalty(outcome: Outcome) -> None:
    assert _parts(_settle(outcome)) == (0, 0, 4700, 0)


@pytest.mark.parametrize("outcome", [Outcome.FAN_NO_SHOW, Outcome.FAN_CANCELLED_LATE])
def test_a_fan_late_or_absent_leaves_the_creator_the_late_fee_less_the_platform_fee(outcome: Outcome) -> None:
    # Late fee: 50% of the $50.00 price = $25.00; platform fee 10% of that = $2.50; the fan gets the rest.
    assert _parts(_settle(outcome)) == (2250, 250, 2200, 0)


def test_a_fixed_late_fee_is_kept_but_never_more_than_the_escrow() -> None:
    fixed = CancellationPolicy(free_until_hours=48, late_fee_fixed=1999)

    assert _parts(_settle(Outcome.FAN_CANCELLED_LATE, policy=fixed)) == (1799, 200, 2701, 0)
    assert _parts(_settle(Outcome.FAN_NO_SHOW, escrowed=1500, policy=fixed)) == (1350, 150, 0, 0)


def test_a_full_late_fee_for_a_no_show_keeps_the_whole_escrow() -> None:
    strict = CancellationPolicy(free_until_hours=24, late_fee_percent=100)

    assert _parts(_settle(Outcome.FAN_NO_SHOW, policy=strict)) == (4230, 470, 0, 0)


def test_a_dispute_split_by_percent_rounds_half_up_and_takes_the_fee_from_the_creator_part() -> None:
    # 25% of 4701 = 1175.25 -> 1175; fee 10% of 1175 = 117.5 -> 118.
    settlement = _settle(Outcome.DISPUTE_SPLIT, escrowed=4701, split=DisputeSplit(creator_percent=25))

    assert _parts(settlement) == (1057, 118, 3526, 0)


def test_a_dispute_split_by_amount_gives_the_creator_exactly_that_before_the_fee() -> None:
    assert _parts(_settle(Outcome.DISPUTE_SPLIT, split=DisputeSplit(creator_amount=3000))) == (2700, 300, 1700, 0)


def test_a_dispute_split_larger_than_the_escrow_is_refused() -> None:
    with pytest.raises(InvalidInput, match="cannot exceed"):
        _settle(Outcome.DISPUTE_SPLIT, split=DisputeSplit(creator_amount=4701))


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(InvalidInput):
        CancellationPolicy(free_until_hours=24, late_fee_percent=101)
    with pytest.raises(InvalidInput):
        CancellationPolicy(free_until_hours=-1)
    with pytest.raises(InvalidInput):
        DisputeSplit()
    with pytest.raises(InvalidInput):
        DisputeSplit(creator_percent=10, creator_amount=10)
    with pytest.raises(InvalidInput, match="exactly when"):
        _settle(Outcome.DISPUTE_SPLIT)
    with pytest.raises(InvalidInput, match="exactly when"):
        _settle(Outcome.COMPLETED, split=DisputeSplit(creator_percent=50))
    with pytest.raises(InvalidInput, match="more than the price"):
        _settle(Outcome.COMPLETED, escrowed=5001)
    with pytest.raises(InvalidInput):
        _settle(Outcome.COMPLETED, escrowed=-1)


amounts = st.integers(min_value=0, max_value=10**9)
fee_percents = st.integers(min_value=0, max_value=10000).map(lambda hundredths: Decimal(hundredths).scaleb(-2))
whole_percents = st.integers(min_value=0, max_value=100)


@st.composite
def policies(draw: st.DrawFn) -> CancellationPolicy:
    hours = draw(st.integers(min_value=0, max_value=168))
    if draw(st.booleans()):
        return CancellationPolicy(free_until_hours=hours, late_fee_fixed=draw(amounts))
    return CancellationPolicy(free_until_hours=hours, late_fee_percent=draw(whole_percents))


@st.composite
def cases(draw: st.DrawFn) -> SettlementInput:
    price = draw(amounts)
    escrowed = draw(st.integers(min_value=0, max_value=price))
    outcome = draw(st.sampled_from(list(Outcome)))
    split = None
    if outcome is Outcome.DISPUTE_SPLIT:
        split = draw(
            st.one_of(
                whole_percents.map(lambda percent: DisputeSplit(creator_percent=percent)),
                st.integers(min_value=0, max_value=escrowed).map(lambda amount: DisputeSplit(creator_amount=amount)),
            )
        )
    return SettlementInput(
        escrowed=escrowed,
        currency=draw(st.sampled_from(["USD", "JPY", "KWD", "INR"])),
        price=price,
        platform_fee_percent=draw(fee_percents),
        policy=draw(policies()),
        outcome=outcome,
        split=split,
    )


@given(case=cases())
def test_any_settlement_adds_back_exactly_to_the_escrow(case: SettlementInput) -> None:
    settlement = settle(case)

    assert settlement.to_creator + settlement.platform_fee + settlement.to_fan_refund == case.escrowed
    assert min(settlement.to_creator, settlement.platform_fee, settlement.to_fan_refund, settlement.penalty) >= 0
    kept = settlement.to_creator + settlement.platform_fee
    assert settlement.platform_fee == percent_of(kept, case.platform_fee_percent)
    if case.outcome not in (Outcome.COMPLETED, Outcome.FAN_NO_SHOW, Outcome.FAN_CANCELLED_LATE, Outcome.DISPUTE_SPLIT):
        assert settlement.to_fan_refund == case.escrowed
    if case.outcome in (Outcome.CREATOR_NO_SHOW, Outcome.CREATOR_CANCELLED_LATE):
        assert settlement.penalty == case.policy.late_fee(case.price)
    else:
        assert settlement.penalty == 0
    if case.outcome is Outcome.COMPLETED:
        assert settlement.to_fan_refund == 0
    if case.outcome in (Outcome.FAN_NO_SHOW, Outcome.FAN_CANCELLED_LATE):
        assert kept == min(case.policy.late_fee(case.price), case.escrowed)


@given(case=cases(), provider_share=st.integers(min_value=0, max_value=100))
def test_any_settlement_posts_balanced_legs_that_empty_the_escrow(case: SettlementInput, provider_share: int) -> None:
    provider_fee = case.price * provider_share // 100
    escrow_legs = escrow_postings(
        provider="sandbox", creator_id=7, gross=case.price, provider_fee=provider_fee, currency=case.currency
    )
    assert_balanced(escrow_legs)
    escrow = (
        recorded_escrow(escrow_legs, creator_id=7) if escrow_legs else RecordedEscrow("provider:sandbox:clearing", 0, 0)
    )
    assert escrow.escrowed == case.price - provider_fee
    held = SettlementInput(
        escrowed=escrow.escrowed,
        currency=case.currency,
        price=case.price,
        platform_fee_percent=case.platform_fee_percent,
        policy=case.policy,
        outcome=case.outcome,
        split=None if case.split is None else DisputeSplit(creator_percent=50),
    )
    legs = settlement_postings(
        escrow=escrow,
        settlement=settle(held),
        creator_id=7,
        currency=case.currency,
        settled_at=ENDS,
        hold=timedelta(days=7),
    )
    assert_balanced(legs)
    assert sum(leg.amount for leg in escrow_legs + legs if leg.account == "creator:7:escrow") == 0


def test_settlement_legs_that_do_not_add_up_to_the_escrow_are_refused() -> None:
    escrow = RecordedEscrow("provider:sandbox:clearing", 5000, 4700)
    wrong = Settlement(Outcome.COMPLETED, to_creator=4230, platform_fee=469, to_fan_refund=0, penalty=0, reason="")

    with pytest.raises(SettlementMismatch):
        settlement_postings(
            escrow=escrow, settlement=wrong, creator_id=7, currency="USD", settled_at=ENDS, hold=timedelta(days=7)
        )


def _facts(**changes: object) -> SessionFacts:
    values: dict[str, object] = {"starts_at": STARTS, "ends_at": ENDS, "now": ENDS + timedelta(hours=1)}
    values.update(changes)
    return SessionFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("by", "hours_before", "expected"),
    [
        (Party.FAN, 24, Outcome.FAN_CANCELLED),
        (Party.FAN, 23, Outcome.FAN_CANCELLED_LATE),
        (Party.CREATOR, 30, Outcome.CREATOR_CANCELLED),
        (Party.CREATOR, 1, Outcome.CREATOR_CANCELLED_LATE),
        (Party.CREATOR, -1, Outcome.CREATOR_CANCELLED_LATE),
    ],
)
def test_a_cancellation_is_free_at_least_the_policy_hours_before_the_start(
    by: Party, hours_before: int, expected: Outcome
) -> None:
    cancelled_at = STARTS - timedelta(hours=hours_before)

    assert outcome_of(_facts(cancelled_by=by, cancelled_at=cancelled_at, now=cancelled_at), POLICY) is expected


def test_one_second_past_the_free_window_is_late() -> None:
    cancelled_at = STARTS - timedelta(hours=24) + timedelta(seconds=1)

    assert outcome_of(_facts(cancelled_by=Party.FAN, cancelled_at=cancelled_at), POLICY) is Outcome.FAN_CANCELLED_LATE


def test_nothing_is_due_before_the_session_ends() -> None:
    assert outcome_of(_facts(now=ENDS - timedelta(minutes=1), creator_marked=CreatorMark.COMPLETED), POLICY) is None


def test_a_fan_confirmation_or_rating_completes_the_session_at_once() -> None:
    assert outcome_of(_facts(fan_confirmed=True), POLICY) is Outcome.COMPLETED
    assert outcome_of(_facts(fan_satisfaction=2, creator_marked=CreatorMark.COMPLETED), POLICY) is Outcome.COMPLETED


def test_within_24_hours_without_confirmation_or_dispute_nothing_is_due() -> None:
    facts = _facts(creator_marked=CreatorMark.COMPLETED, now=ENDS + timedelta(hours=23, minutes=59))

    assert outcome_of(facts, POLICY) is None


def test_24_hours_after_the_end_the_fan_is_taken_to_confirm() -> None:
    assert outcome_of(_facts(creator_marked=CreatorMark.COMPLETED, now=ENDS + timedelta(hours=24)), POLICY) is (
        Outcome.COMPLETED
    )
    assert outcome_of(_facts(now=ENDS + timedelta(days=3)), POLICY) is Outcome.COMPLETED


def test_a_fan_no_show_is_due_when_the_fan_does_not_contest_it_within_24_hours() -> None:
    marked = CreatorMark.FAN_NO_SHOW

    assert outcome_of(_facts(creator_marked=marked, now=ENDS + timedelta(hours=2)), POLICY) is None
    assert outcome_of(_facts(creator_marked=marked, now=ENDS + timedelta(hours=25)), POLICY) is Outcome.FAN_NO_SHOW


def test_a_fan_confirming_a_session_marked_as_their_no_show_waits_for_an_admin() -> None:
    facts = _facts(creator_marked=CreatorMark.FAN_NO_SHOW, fan_confirmed=True, now=ENDS + timedelta(days=5))

    assert outcome_of(facts, POLICY) is None


def test_an_open_dispute_waits_for_the_admin_decision_which_then_settles_it() -> None:
    late = ENDS + timedelta(days=5)
    decision = AdminDecision(Outcome.DISPUTE_SPLIT, DisputeSplit(creator_percent=40))

    assert outcome_of(_facts(dispute_open=True, fan_confirmed=True, now=late), POLICY) is None
    assert outcome_of(_facts(dispute_open=True, admin_decision=decision), POLICY) is Outcome.DISPUTE_SPLIT
    no_show = AdminDecision(Outcome.CREATOR_NO_SHOW)
    assert outcome_of(_facts(dispute_open=True, admin_decision=no_show), POLICY) is Outcome.CREATOR_NO_SHOW


def test_inconsistent_facts_are_refused() -> None:
    with pytest.raises(InvalidInput):
        _facts(cancelled_by=Party.FAN)
    with pytest.raises(InvalidInput):
        _facts(fan_satisfaction=6)
    with pytest.raises(InvalidInput):
        _facts(ends_at=STARTS - timedelta(minutes=1))
    with pytest.raises(InvalidInput):
        AdminDecision(Outcome.DISPUTE_SPLIT)


def test_the_rules_text_names_the_terms_with_a_worked_example() -> None:
    lines = describe_rules(POLICY, TEN_PERCENT, "USD", hold_days=7)

    assert lines[2] == (
        "Completed: you receive the price less the payment provider's fee and the 10% platform fee. "
        "Example: for $50.00 the platform fee is $5.00 and you receive $45.00 (before the provider's fee)."
    )
    assert lines[3] == "The fan cancels at least 24 hours before the start: the fan gets a full refund."
    assert lines[4] == (
        "The fan cancels later or does not show up: you keep the late fee of 50% of the price "
        "($25.00 of $50.00) less the platform fee, so $22.50; the rest is refunded to the fan."
    )
    assert lines[6] == (
        "You cancel later or do not show up: the fan gets a full refund and a penalty equal to the late fee "
        "($25.00) is recorded against you."
    )
    assert lines[-1] == "Your share of a settled session is pending for 7 days, then available to pay out."
    assert len(lines) == 9


def test_the_rules_text_for_a_fixed_fee_in_yen() -> None:
    policy = CancellationPolicy(free_until_hours=12, late_fee_fixed=800)

    lines = describe_rules(policy, Decimal("7.5"), "JPY", example_price=5000)

    assert lines[4] == (
        "The fan cancels later or does not show up: you keep the late fee of ¥800 (at most the price) "
        "(¥800 of ¥5,000) less the platform fee, so ¥740; the rest is refunded to the fan."
    )
    assert len(lines) == 8
